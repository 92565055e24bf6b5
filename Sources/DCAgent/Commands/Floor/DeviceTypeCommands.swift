import ArgumentParser
import DCAgentServer
import FloorModel
import Foundation
import Yams

/// `dcagent devicetypes import DIR|FILE`: converts NetBox device-type files and reports each
/// file as imported (with normalisation notes) or skipped (with every reason). The floor
/// document carries its device types inline (`device_types:`), so this command stores nothing;
/// `--out FILE` writes the imported types as a `device_types:` YAML list to paste into a floor
/// file.
struct DeviceTypesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devicetypes", abstract: "Check and convert NetBox device-type files.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Convert NetBox device-type YAML files; print imported and skipped files with reasons.")
        @Argument(help: "A NetBox device-type file or a directory of them (searched recursively).") var path: String
        @Option(help: "Write the imported types as a `device_types:` YAML document here.") var out: String?

        func run() throws {
            var files: [String] = []
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                printErr("dcagent: \(path): no such file or directory")
                throw ExitCode(1)
            }
            if isDir.boolValue {
                let e = FileManager.default.enumerator(atPath: path)
                while let f = e?.nextObject() as? String {
                    if f.hasSuffix(".yaml") || f.hasSuffix(".yml") { files.append((path as NSString).appendingPathComponent(f)) }
                }
                files.sort()
            } else {
                files = [path]
            }
            var types: [DeviceTypeDoc] = []
            var skipped = 0
            for f in files {
                let outcome: NetBoxImportOutcome
                if let text = try? String(contentsOfFile: f, encoding: .utf8) {
                    do { outcome = NetBoxImport.convert(try YAMLDecoder().decode(NetBoxDeviceTypeRaw.self, from: text)) } catch {
                        outcome = .skipped(reasons: ["not a NetBox device-type document: \(error)"])
                    }
                } else {
                    outcome = .skipped(reasons: ["cannot read the file"])
                }
                switch outcome {
                case .imported(let t, let notes):
                    types.append(DeviceTypeDoc(t))
                    print("imported \(f): \(t.slug) (\(t.manufacturer) \(t.model), \(t.height)U)" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")))
                case .skipped(let reasons):
                    skipped += 1
                    print("skipped \(f): " + reasons.joined(separator: "; "))
                }
            }
            print("\(types.count) imported, \(skipped) skipped")
            if let out {
                struct Types: Encodable {
                    var deviceTypes: [DeviceTypeDoc]
                    enum CodingKeys: String, CodingKey { case deviceTypes = "device_types" }
                }
                do { try YAMLEncoder().encode(Types(deviceTypes: types)).write(toFile: out, atomically: true, encoding: .utf8) } catch {
                    printErr("dcagent: \(out): \(error)")
                    throw ExitCode(1)
                }
            }
        }
    }
}
