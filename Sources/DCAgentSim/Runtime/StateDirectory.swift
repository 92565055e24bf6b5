import Foundation

/// The simulator's state directory: injections, status, SNMP device files, snmpd configs.
struct StateDirectory: Sendable {
    /// Absolute path.
    let path: String

    /// Resolves `path` to an absolute path (snmpd runs the bridge with it) and creates it.
    init(_ path: String, create: Bool) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        self.path = url.path
        guard !self.path.contains(" ") else {
            throw SimError.state(
                file: self.path, "must not contain spaces (snmpd splits pass_persist commands at spaces)")
        }
        if create {
            do { try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true) } catch {
                throw SimError.state(file: self.path, "cannot create: \(error.localizedDescription)")
            }
        }
    }

    var injections: String { path + "/injections.json" }
    var status: String { path + "/status.json" }
    var snmpDir: String { path + "/snmp" }
    var snmpdDir: String { path + "/snmpd" }
    /// The live values of one SNMP device.
    func snmpValues(_ device: String) -> String { snmpDir + "/\(device).json" }

    /// The JSON coder every state file uses.
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    /// Writes `data` to `file` atomically: a temporary file in the same directory, then rename(2),
    /// so a reader sees the old file or the new one, never half of one.
    static func writeAtomically(_ data: Data, to file: String) throws {
        let tmp = file + ".tmp.\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw SimError.state(file: tmp, "cannot write")
        }
        guard rename(tmp, file) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw SimError.state(file: file, "rename failed: \(reason)")
        }
    }

    /// Encodes `value` as JSON into `file` atomically.
    static func write(_ value: some Encodable, to file: String) throws {
        try writeAtomically(try encoder().encode(value), to: file)
    }

    /// Decodes `file`, or nil when it does not exist.
    static func read<T: Decodable>(_ type: T.Type, from file: String) throws -> T? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do { return try decoder().decode(type, from: data) } catch {
            throw SimError.state(file: file, "unreadable: \(error)")
        }
    }
}
