import Foundation
import TestSupport
import Testing

/// A copy of the shipped config/ in a temporary directory: demo.yaml with its database moved
/// into the copy (a path that never exists, so nothing is opened or written), profiles/ and
/// rules/ copied (the fuzz rewrites them), floor/ linked; and small.yaml, one sensor per shipped
/// profile and nothing else, which checks in a few milliseconds.
final class ConfigTree: Sendable {
    let dir = TempDir()
    var root: String { dir.file("config") }
    var demo: String { root + "/demo.yaml" }
    var small: String { root + "/small.yaml" }
    var rules: String { root + "/rules/default.yaml" }
    func profile(_ name: String) -> String { root + "/profiles/\(name).yaml" }

    static let shipped = Repo.root + "/config"
    static let modbusProfiles = ["generic-th-probe", "vaisala-hmt330", "lighthouse-remote", "generic-corrosion-monitor", "generic-di-module"]
    static let snmpProfiles = ["apc-rpdu2", "raritan-pdu2", "akcp-sensorprobe"]

    init() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.shipped + "/profiles", toPath: root + "/profiles")
        try fm.copyItem(atPath: Self.shipped + "/rules", toPath: root + "/rules")
        try fm.createSymbolicLink(atPath: root + "/floor", withDestinationPath: Self.shipped + "/floor")
        let demo = try String(contentsOfFile: Self.shipped + "/demo.yaml", encoding: .utf8)
            .replacingOccurrences(of: "path: ../run/demo/dcagent.sqlite", with: "path: \(dir.file("never/dcagent.sqlite"))")
        try demo.write(toFile: self.demo, atomically: true, encoding: .utf8)
        var small = """
            sites: [{id: DC, name: Fuzz DC, time_zone: Asia/Jakarta}]
            storage: {path: \(dir.file("never/small.sqlite"))}
            profiles: {directory: profiles}
            sensors:

            """
        for (i, p) in Self.modbusProfiles.enumerated() {
            small += "  - {id: DC-R0\(i + 1)-M1, profile: \(p), endpoint: \"tcp://127.0.0.1:15502\", unit: \(i + 1), interval: 10s}\n"
        }
        for (i, p) in Self.snmpProfiles.enumerated() {
            small += "  - {id: DC-R0\(i + 1)-S1, profile: \(p), endpoint: \"udp://127.0.0.1:\(16101 + i)\", interval: 30s}\n"
        }
        try small.write(toFile: self.small, atomically: true, encoding: .utf8)
    }

    /// Puts a shipped file back after a case rewrote it.
    func restore(_ path: String) throws {
        let original = Self.shipped + String(path.dropFirst(root.count))
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: original, toPath: path)
    }
}

/// The hostile inputs and the mutations, as bytes (a config file need not be text).
enum Hostile {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// "Billion laughs": nine levels of nine aliases, 9⁹ leaves if anything expanded them.
    static let bomb: String = {
        var s = "  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for c in "bcdefghi" {
            s += "  \(c): &\(c) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = String(c)
        }
        return s
    }()

    /// `text` with the block under the first line whose trimmed start is `key:` (that line and
    /// the more indented lines after it) replaced by `key: value`.
    static func replacingBlock(_ text: String, key: String, with value: String) -> String {
        var lines = text.components(separatedBy: "\n")
        guard let i = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":") }) else { return text }
        let indent = lines[i].prefix { $0 == " " }.count
        var end = i + 1
        while end < lines.count, lines[end].trimmingCharacters(in: .whitespaces).isEmpty || lines[end].prefix(while: { $0 == " " }).count > indent {
            end += 1
        }
        lines.replaceSubrange(i..<end, with: [String(repeating: " ", count: indent) + key + ": " + value])
        return lines.joined(separator: "\n")
    }

    /// `text` with a bomb defined under an extra top-level key and the block of `key` replaced
    /// by the bomb's last alias.
    static func bombed(_ text: String, key: String) -> [UInt8] {
        bytes("x-bomb:\n" + bomb + replacingBlock(text, key: key, with: "*i") + "\n")
    }

    /// `text` with the block of `key` replaced by `value`.
    static func setting(_ text: String, key: String, to value: String) -> [UInt8] {
        bytes(replacingBlock(text, key: key, with: value) + "\n")
    }

    static let deepBlock = bytes("agent:\n" + (0..<10_000).map { String(repeating: " ", count: $0 + 1) + "k\($0):\n" }.joined() + "\n")
    static let deepFlow = bytes("agent: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n")
    static let tenMegabytes = String(repeating: "x", count: 10 * 1024 * 1024)

    /// Values a mutation puts where a value was.
    static let values = [
        "[1, 2]", "{a: 1}", "~", "\"\"", "-1", "0", "99999999999999999999", "1e309", ".nan", "-.inf", "true", "*nowhere",
        "!!binary aGk=", "99999999999999999999d", "9223372036854775807ms", "\"\\u0000\"", "'\t'", "&x [*x]", "[[[[[[[[]]]]]]]]",
        "{" + String(repeating: "a: {", count: 900) + String(repeating: "}", count: 901), String(repeating: "9", count: 400),
        "\"\u{202E}gnp.exe\"", "0x7FFFFFFFFFFFFFFF", "2019-02-30", "!!float abc", "|\n  multi\n  line",
    ]
    static let badUTF8: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF]]

    /// One to three random mutations of `base`; what was done, for the failure message.
    static func mutate(_ base: [UInt8], _ rng: inout SplitMix64) -> ([UInt8], [String]) {
        var text = base
        var done: [String] = []
        for _ in 0...rng.int(3) {
            var lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            let i = rng.int(lines.count)
            let line = String(decoding: lines[i], as: UTF8.self)
            switch rng.int(15) {
            case 0:
                lines.remove(at: i)
                done.append("delete line \(i + 1): \(line)")
            case 1:
                lines.insert(lines[i], at: i)
                done.append("duplicate line \(i + 1): \(line)")
            case 2, 3, 4:
                let v = values[rng.int(values.count)]
                if let colon = lines[i].firstIndex(of: UInt8(ascii: ":")) {
                    lines[i] = Array(lines[i][...colon]) + bytes(" " + v)
                } else {
                    lines[i] += bytes(": " + v)
                }
                done.append("line \(i + 1) value → \(v.prefix(60)): was \(line)")
            case 5:
                let indent = lines[i].prefix { $0 == UInt8(ascii: " ") }.count
                let letters = Array("abcdefghijklmnopqrstuvwxyz_")
                let key = (0..<(1 + rng.int(12))).map { _ in letters[rng.int(letters.count)] }
                if let colon = lines[i].firstIndex(of: UInt8(ascii: ":")) {
                    lines[i] = Array(repeating: UInt8(ascii: " "), count: indent) + bytes(String(key)) + Array(lines[i][colon...])
                }
                done.append("line \(i + 1) key → \(String(key)): was \(line)")
            case 6:
                lines[i] = [UInt8(ascii: "\t")] + lines[i]
                done.append("tab before line \(i + 1)")
            case 7:
                if rng.int(2) == 0, lines[i].first == UInt8(ascii: " ") { lines[i].removeFirst() } else { lines[i].insert(UInt8(ascii: " "), at: 0) }
                done.append("indent of line \(i + 1) shifted: \(line)")
            case 8:
                let at = rng.int(lines[i].count + 1)
                lines[i].insert(0, at: at)
                done.append("NUL at line \(i + 1) column \(at + 1)")
            case 9:
                let b = badUTF8[rng.int(badUTF8.count)]
                let at = rng.int(lines[i].count + 1)
                lines[i].insert(contentsOf: b, at: at)
                done.append("invalid UTF-8 \(b) at line \(i + 1) column \(at + 1)")
            case 10:
                let all = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                let at = rng.int(all.count)
                text = Array(all.prefix(at))
                done.append("truncated at byte \(at)")
                continue
            case 11:
                let b = UInt8(truncatingIfNeeded: rng.next())
                let at = rng.int(lines[i].count + 1)
                lines[i].insert(b, at: at)
                done.append("byte \(b) at line \(i + 1) column \(at + 1)")
            case 12:
                // A top-level section repeated at the end: a duplicate key.
                let starts = lines.indices.filter { lines[$0].first.map { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "-") } ?? false }
                if let s = starts.isEmpty ? nil : starts[rng.int(starts.count)] {
                    let end = starts.first { $0 > s } ?? lines.count
                    lines += lines[s..<end]
                    done.append("section at line \(s + 1) repeated: \(String(decoding: lines[s], as: UTF8.self))")
                }
            case 13:
                if let colon = lines[i].firstIndex(of: UInt8(ascii: ":")) {
                    lines[i] = Array(lines[i][...colon]) + bytes(" *i")
                    lines = [bytes("x-bomb:")] + bomb.split(separator: "\n").map { bytes(String($0)) } + lines
                    done.append("billion laughs as the value of line \(i + 1): \(line)")
                }
            default:
                let b = lines[i]
                lines[i] = Array(b.reversed())
                done.append("line \(i + 1) reversed: \(line)")
            }
            text = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        }
        return (text, done)
    }
}

@Suite("Config, profile and rule files: hostile and mutated YAML is refused with its reason, never a crash or a hang", .timeLimit(.minutes(8)))
struct ConfigFuzzTests {
    static let seed: UInt64 = 0xDCA9_2026
    static let bound = Duration.seconds(20)

    /// One check-config run of `config` after writing `bytes` to `target`; the invariants every
    /// input must keep. Returns the run for more specific checks.
    @discardableResult
    static func check(
        _ tree: ConfigTree, config: String, target: String, bytes: [UInt8], names: [String], what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> BoundedRun {
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        let run = try await BoundedProcess.run(Repo.dcagent, ["check-config", config], timeout: bound)
        let shown = String(decoding: bytes.prefix(300), as: UTF8.self)
        let context = "seed \(String(seed, radix: 16)), \(what)\ninput (\(bytes.count) bytes) begins:\n\(shown)\n--- dcagent check-config \(config): \(run)"
        #expect(!run.timedOut, "hang: \(context)", sourceLocation: sourceLocation)
        #expect(run.signal == nil && !run.stderr.contains("Fatal error"), "crash: \(context)", sourceLocation: sourceLocation)
        #expect(run.status == 0 || run.status == 1, "exit code: \(context)", sourceLocation: sourceLocation)
        if run.status == 1 {
            #expect(run.stdout.hasSuffix("1 of 1 file failed\n"), "summary line: \(context)", sourceLocation: sourceLocation)
            #expect(names.contains { run.output.contains($0) }, "no message names \(names): \(context)", sourceLocation: sourceLocation)
        } else if run.status == 0 {
            #expect(run.stdout.hasPrefix("\(config): OK ("), "\(context)", sourceLocation: sourceLocation)
        }
        return run
    }

    /// Expects a refusal (exit 1) naming the file and saying `reason`.
    static func refused(
        _ tree: ConfigTree, config: String, target: String, bytes: [UInt8], reason: String, what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let run = try await check(tree, config: config, target: target, bytes: bytes, names: [target], what: what, sourceLocation: sourceLocation)
        #expect(run.status == 1, "\(what) was accepted: \(run)", sourceLocation: sourceLocation)
        #expect(run.output.contains(reason), "\(what): expected '\(reason)' in\n\(run.output.prefix(3000))", sourceLocation: sourceLocation)
        // No wall-clock bound here (a loaded CI machine took 10.3 s for a 0.7 s check): the run is
        // capped (a hang fails as `timedOut`), and the refusals of bombs and huge inputs name the
        // limit that stopped them before any expansion — that is what keeps them quick.
    }

    @Test("hostile config files: bombs, 10 000 levels, 10 MB scalars, bad UTF-8, NUL, tabs, huge durations — refused with file and reason")
    func hostileConfig() async throws {
        let tree = try ConfigTree()
        let small = try String(contentsOfFile: tree.small, encoding: .utf8)
        let f = tree.small
        let cases: [(String, [UInt8], String)] = [
            ("billion laughs as the sensors", Hostile.bombed(small, key: "sensors"), "more than 200000 values once its aliases are expanded (aliases of aliases?)"),
            ("billion laughs as the sites", Hostile.bombed(small, key: "sites"), "more than 200000 values once its aliases are expanded (aliases of aliases?)"),
            ("billion laughs as storage", Hostile.bombed(small, key: "storage"), "more than 200000 values once its aliases are expanded (aliases of aliases?)"),
            ("10 000 nested mappings", Hostile.deepBlock, "invalid YAML"),
            ("10 000 nested flow sequences", Hostile.deepFlow, "invalid YAML"),
            ("a 10 MB key", Hostile.bytes(small + Hostile.tenMegabytes + ": 1\n"), "invalid YAML: could not find expected ':'"),
            ("a 10 MB site id", Hostile.bytes(small.replacingOccurrences(of: "id: DC,", with: "id: \(Hostile.tenMegabytes),")), "sites[0].id: a value of 10485760 bytes (at most 65536)"),
            ("a 10 MB time zone", Hostile.bytes(small.replacingOccurrences(of: "Asia/Jakarta", with: Hostile.tenMegabytes)), "sites[0].time_zone: a value of 10485760 bytes (at most 65536)"),
            ("invalid UTF-8", Hostile.bytes(small) + [0xFF, 0xFE, 0xC3, 0x28], "cannot be read (not UTF-8 text)"),
            ("UTF-16 with a BOM", [0xFF, 0xFE] + small.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, "cannot be read (not UTF-8 text)"),
            ("a NUL byte", Hostile.bytes("agent:\n  name: ab") + [0] + Hostile.bytes("cd\n" + small), "control characters are not allowed"),
            ("tab indentation", Hostile.bytes(small.replacingOccurrences(of: "sensors:\n  -", with: "sensors:\n\t-")), "invalid YAML"),
            ("a duplicate key", Hostile.bytes(small + "sites: []\n"), "duplicate keys in a mapping: sites"),
            ("an undefined alias", Hostile.bytes(small + "agent: *nowhere\n"), "invalid YAML"),
            ("an interval longer than a duration holds", Hostile.bytes(small.replacingOccurrences(of: "interval: 10s", with: "interval: 99999999999999999999d")), "sensors[0].interval: '99999999999999999999d' is not a duration"),
            ("a retention in milliseconds past Int64", Hostile.bytes(small + "  retention: {raw: 9223372036854775807ms}\n").replacingStorage(), "storage.retention.raw: '9223372036854775807ms' is not a duration"),
            ("sensors as a mapping", Hostile.setting(small, key: "sensors", to: "{a: 1}"), "sensors: must be a list"),
            ("storage as a list", Hostile.setting(small, key: "storage", to: "[1, 2]"), "storage: expected a mapping"),
            ("an empty file", [], "the file is empty"),
            ("comments only", Hostile.bytes("# nothing\n# here\n"), "the file is empty"),
            ("two YAML documents", Hostile.bytes(small + "---\nagent: {name: two}\n"), "invalid YAML"),
            ("a port past Int64", Hostile.bytes(small + "http: {port: 99999999999999999999}\n"), "http.port: expected an integer"),
        ]
        for (what, bytes, reason) in cases {
            try await Self.refused(tree, config: f, target: f, bytes: bytes, reason: reason, what: what)
        }
        // Binary garbage, and a directory where the file should be.
        var rng = SplitMix64(state: Self.seed)
        let garbage = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try await Self.check(tree, config: f, target: f, bytes: garbage, names: [f], what: "4 KB of random bytes")
        let run = try await BoundedProcess.run(Repo.dcagent, ["check-config", tree.root], timeout: Self.bound)
        #expect(run.status == 1 && run.stdout.contains("\(tree.root): cannot be read"), "\(run)")
    }

    @Test("hostile profiles: refused naming the profile file, through check-config's profile loader")
    func hostileProfiles() async throws {
        let tree = try ConfigTree()
        for name in ["generic-th-probe", "apc-rpdu2"] {
            let path = tree.profile(name)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let section = name == "apc-rpdu2" ? "snmp" : "modbus"
            let cases: [(String, [UInt8], String)] = [
                ("billion laughs as the \(section) section", Hostile.bombed(text, key: section), "more than 200000 values once its aliases are expanded (aliases of aliases?)"),
                ("billion laughs at the top", Hostile.bytes("x-bomb:\n" + Hostile.bomb + text), "more than 200000 values once its aliases are expanded"),
                ("10 000 nested mappings", Hostile.deepBlock, "invalid YAML"),
                ("10 000 nested flow sequences", Hostile.bytes(text + "extra: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"), "invalid YAML"),
                ("a 10 MB name", Hostile.setting(text, key: "name", to: Hostile.tenMegabytes), "name: a value of 10485760 bytes (at most 65536)"),
                ("invalid UTF-8", Hostile.bytes(text) + [0xC3, 0x28], "cannot be read"),
                ("a NUL byte", Hostile.bytes("# a\0b\n" + text), "control characters are not allowed"),
                ("tab indentation", Hostile.bytes(text.replacingOccurrences(of: "\n  ", with: "\n\t")), "invalid YAML"),
                ("the name twice", Hostile.bytes(text + "name: \(name)\n"), "duplicate keys in a mapping: name"),
                ("the \(section) section as a list", Hostile.setting(text, key: section, to: "[1]"), "\(section): expected a mapping"),
                ("an empty file", [], "the file is empty"),
                ("a name that is not the file's", Hostile.setting(text, key: "name", to: "someone-else"), "the profile is named 'someone-else' but its file is \(name).yaml"),
            ]
            for (what, bytes, reason) in cases {
                try await Self.refused(tree, config: tree.small, target: path, bytes: bytes, reason: reason, what: "\(name): \(what)")
            }
            if section == "snmp" {
                // A profile that decodes but does not compile: the message names the profile file, not only the sensor.
                try await Self.refused(
                    tree, config: tree.small, target: path, bytes: Hostile.setting(text, key: "oid", to: "2019-02-30"),
                    reason: "sensors[5].profile: profile \(name) (\(path)): SNMP configuration (sensor DC-R01-S1):",
                    what: "\(name): an OID that is not one")
            }
            try tree.restore(path)
        }
    }

    @Test("hostile rule files: refused naming the rule file")
    func hostileRules() async throws {
        let tree = try ConfigTree()
        let text = try String(contentsOfFile: tree.rules, encoding: .utf8)
        let cases: [(String, [UInt8], String)] = [
            ("billion laughs as the rules", Hostile.bombed(text, key: "rules"), "more than 200000 values once its aliases are expanded (aliases of aliases?)"),
            ("10 000 nested mappings", Hostile.deepBlock, "invalid YAML"),
            ("invalid UTF-8", Hostile.bytes(text) + [0xED, 0xA0, 0x80], "the rule file cannot be read"),
            ("a NUL byte", Hostile.bytes(text) + [0], "control characters are not allowed"),
            ("tab indentation", Hostile.bytes(text.replacingOccurrences(of: "\n  - id:", with: "\n\t- id:")), "invalid YAML"),
            ("a 10 MB rule id", Hostile.bytes(text.replacingOccurrences(of: "id: temperature-high", with: "id: \(Hostile.tenMegabytes)")), "rules[0].id: a value of 10485760 bytes (at most 65536)"),
            ("an empty file", [], "the rule file is empty"),
        ]
        for (what, bytes, reason) in cases {
            try await Self.refused(tree, config: tree.demo, target: tree.rules, bytes: bytes, reason: reason, what: "rules: \(what)")
        }
    }

    @Test("random mutations of demo.yaml, every shipped profile and the default rules: OK or refused naming the file, never a crash or hang")
    func mutations() async throws {
        let tree = try ConfigTree()
        var rng = SplitMix64(state: Self.seed)
        var refused = 0, accepted = 0
        func tally(_ run: BoundedRun) { if run.status == 1 { refused += 1 } else if run.status == 0 { accepted += 1 } }
        // The config itself (the small one: the demo's checks are the same code and 6× slower).
        let small = Array(try Data(contentsOf: URL(fileURLWithPath: tree.small)))
        for n in 0..<60 {
            let (bytes, done) = Hostile.mutate(small, &rng)
            tally(try await Self.check(tree, config: tree.small, target: tree.small, bytes: bytes, names: [tree.small], what: "config case \(n): \(done)"))
        }
        try Data(small).write(to: URL(fileURLWithPath: tree.small))
        // Every shipped profile.
        for name in ConfigTree.modbusProfiles + ConfigTree.snmpProfiles {
            let path = tree.profile(name)
            let base = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            for n in 0..<6 {
                let (bytes, done) = Hostile.mutate(base, &rng)
                tally(try await Self.check(tree, config: tree.small, target: path, bytes: bytes, names: [path, name], what: "profile \(name) case \(n): \(done)"))
            }
            try tree.restore(path)
        }
        // The default rules, compiled against the demo floor.
        let rules = Array(try Data(contentsOf: URL(fileURLWithPath: tree.rules)))
        for n in 0..<20 {
            let (bytes, done) = Hostile.mutate(rules, &rng)
            tally(try await Self.check(tree, config: tree.demo, target: tree.rules, bytes: bytes, names: [tree.rules], what: "rules case \(n): \(done)"))
        }
        // The fuzz reaches both outcomes (a mutation that never breaks anything tests nothing).
        #expect(refused > 60 && accepted > 5, "refused \(refused), accepted \(accepted)")
    }

    @Test("documented serial endpoints pass check-config; a rate libmodbus cannot set is refused, naming the option")
    func serialEndpoints() async throws {
        let dir = TempDir()
        func config(_ endpoint: String) -> String {
            dir.write(
                "rtu.yaml",
                """
                sites: [{id: DC, name: T, time_zone: Asia/Jakarta}]
                storage: {path: \(dir.file("never.sqlite"))}
                profiles: {directory: \(ConfigTree.shipped)/profiles}
                sensors:
                  - {id: DC-R01-TH1, profile: generic-th-probe, endpoint: "\(endpoint)", unit: 1, interval: 10s}
                """)
        }
        for ok in [
            "rtu:///dev/ttyUSB0?baud=9600&parity=even&data=8&stop=1", "rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1",
            "rtu:///dev/ttyUSB0?baud=19200&parity=E", "rtu:///dev/ttyS0?parity=none&stop=2", "rtu:///dev/ttyUSB0?baud=115200&parity=O",
        ] {
            let r = try await BoundedProcess.run(Repo.dcagent, ["check-config", config(ok)], timeout: Self.bound)
            #expect(r.status == 0, "\(ok): \(r)")
        }
        for (bad, why) in [
            ("rtu:///dev/ttyUSB0?baud=14400", "baud '14400' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)"),
            ("rtu:///dev/ttyUSB0?parity=mark", "parity 'mark' (none, even, odd)"), ("rtu:///dev/ttyUSB0?data=7", "data bits '7': Modbus RTU uses 8"),
        ] {
            let f = config(bad)
            let r = try await BoundedProcess.run(Repo.dcagent, ["check-config", f], timeout: Self.bound)
            #expect(r.status == 1, "\(bad): \(r)")
            #expect(r.stdout.contains("\(f):5:"), "\(r)")
            #expect(r.stdout.contains("sensors[0].endpoint: sensor DC-R01-TH1: '\(bad)' is not a serial endpoint: \(why)"), "\(r)")
        }
    }
}

extension Array where Element == UInt8 {
    /// The small config's `storage:` line made a block, so that an appended `  retention:` lands in it.
    func replacingStorage() -> [UInt8] {
        let text = String(decoding: self, as: UTF8.self)
        guard let range = text.range(of: #"storage: \{path: ([^}]*)\}"#, options: .regularExpression) else { return self }
        let path = text[range].dropFirst("storage: {path: ".count).dropLast()
        var moved = text.replacingCharacters(in: range, with: "")
        moved = moved.replacingOccurrences(of: "  retention:", with: "storage:\n  path: \(path)\n  retention:")
        return Array(moved.utf8)
    }
}
