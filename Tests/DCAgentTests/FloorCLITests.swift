import Foundation
import Testing

/// The floor, rack, CI and checklist commands end to end through the real binary and database.
@Suite("Floor and checklists through the CLI", .timeLimit(.minutes(5)))
struct FloorCLITests {
    /// A store with users (admin, an engineer, two approvers, a supervisor) and the demo floor.
    func imported() async throws -> (TempDir, String) {
        let dir = TempDir()
        let cfg = testConfig(dir: dir, port: freePort())
        #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--config", cfg).status == 0)
        for (u, r) in [("eko", "engineer"), ("ayu", "approver"), ("april", "approver"), ("sam", "supervisor")] {
            #expect(try await dcagent("user", "add", u, "--role", r, "--as", "ana", "--config", cfg).status == 0)
        }
        let r = try await dcagent("floor", "import", Repo.root + "/config/floor/demo.yaml", "--as", "eko", "--config", cfg)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("imported DC, DRC"))
        return (dir, cfg)
    }

    @Test("export as YAML and CSV, import each into a fresh database, export again: identical")
    func roundTrip() async throws {
        let (dir, cfg) = try await imported()
        let yaml = try await dcagent("floor", "export", "--format", "yaml", "--config", cfg)
        let csv = try await dcagent("floor", "export", "--format", "csv", "--config", cfg)
        #expect(yaml.status == 0 && csv.status == 0)
        #expect(yaml.stdout.contains("DC-R05-SRV03"))
        #expect(csv.stdout.hasPrefix("site,kind,id,name,rack,type,position,face,lifecycle,json\r\n"))
        for (ext, text) in [("yaml", yaml.stdout), ("csv", csv.stdout)] {
            let other = TempDir()
            let cfg2 = testConfig(dir: other, port: freePort())
            #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--config", cfg2).status == 0)
            let file = other.write("floor.\(ext)", text)
            let imp = try await dcagent("floor", "import", file, "--as", "ana", "--config", cfg2)
            #expect(imp.status == 0, "\(imp.output)")
            #expect(try await dcagent("floor", "export", "--format", "yaml", "--config", cfg2).stdout == yaml.stdout)
            #expect(try await dcagent("floor", "export", "--format", "csv", "--config", cfg2).stdout == csv.stdout)
        }
        withExtendedLifetime(dir) {}
    }

    @Test("a device row written by hand in a spreadsheet (json empty) is imported and placed")
    func spreadsheetRow() async throws {
        let (dir, cfg) = try await imported()
        let csv = try await dcagent("floor", "export", "--format", "csv", "--config", cfg).stdout
        let row = "DC,device,DC-R05-NEW1,\"new server, from the sheet\",DC-R05,supermicro-superserver-1029u-tr4t,5,,planned,\r\n"
        let r = try await dcagent("floor", "import", dir.write("sheet.csv", csv + row), "--as", "eko", "--config", cfg)
        #expect(r.status == 0, "\(r.output)")
        let show = try await dcagent("rack", "show", "DC-R05", "--config", cfg)
        #expect(show.stdout.split(separator: "\n").first { $0.hasPrefix("U 5 ") }?.contains("front: DC-R05-NEW1 [planned]") == true, "\(show.stdout)")
        let again = try await dcagent("floor", "export", "--format", "csv", "--config", cfg).stdout
        #expect(again.contains("DC,device,DC-R05-NEW1,\"new server, from the sheet\",DC-R05,supermicro-superserver-1029u-tr4t,5,front,planned,\"{\"\"face\"\":\"\"front\"\""))
    }

    @Test("a bad CSV is refused naming object and field, and nothing is written")
    func badImport() async throws {
        let (dir, cfg) = try await imported()
        let csv = try await dcagent("floor", "export", "--format", "csv", "--config", cfg).stdout
        // Move a device onto half a U, give another an unknown face: every problem, nothing written.
        var lines = csv.components(separatedBy: "\r\n")
        let i = try #require(lines.firstIndex { $0.hasPrefix("DC,device,DC-R05-SRV03,") })
        lines[i] = lines[i].replacingOccurrences(of: ",front,active,", with: ",sideways,active,")
        let bad = dir.write("bad.csv", lines.joined(separator: "\r\n").replacingOccurrences(of: "DC,device,DC-R05-SRV04,dc-r05-srv04,DC-R05,", with: "DC,device,DC-R05-SRV04,changed,DC-R05,"))
        let r = try await dcagent("floor", "import", bad, "--as", "eko", "--config", cfg)
        #expect(r.status == 1)
        #expect(r.stderr.contains("DC-R05-SRV03.face: [unknown-enum-value]"), "\(r.stderr)")
        #expect(try await dcagent("floor", "export", "--format", "csv", "--config", cfg).stdout == csv)
        // A half-U position for a full-U type, in CSV and in YAML: the model's validation names it.
        var half = csv.components(separatedBy: "\r\n")
        half[i] = half[i].replacingOccurrences(of: ",DC-R05,supermicro-superserver-1029u-tr4t,20,", with: ",DC-R05,supermicro-superserver-1029u-tr4t,20.5,")
        #expect(half[i] != lines[i])
        let r2 = try await dcagent("floor", "import", dir.write("half.csv", half.joined(separator: "\r\n")), "--as", "eko", "--config", cfg)
        #expect(r2.status == 1)
        #expect(r2.stderr.contains("DC-R05-SRV03.position: [half-u-position]"), "\(r2.stderr)")
        let yaml = try await dcagent("floor", "export", "--config", cfg).stdout
        let badYAML = yaml.replacingOccurrences(of: "- id: DC-R05-SRV04\n", with: "- id: DC-R05-SRV03\n")
        #expect(badYAML != yaml)
        let r3 = try await dcagent("floor", "import", dir.write("dup.yaml", badYAML), "--as", "eko", "--config", cfg)
        #expect(r3.status == 1)
        #expect(r3.stderr.contains("DC-R05-SRV03.id: [duplicate-id]"), "\(r3.stderr)")
        #expect(try await dcagent("floor", "export", "--config", cfg).stdout == yaml)
        let log = try await dcagent("audit", "log", "--config", cfg)
        #expect(log.stdout.components(separatedBy: "floor.import").count == 2)  // only the first import
        #expect(try await dcagent("floor", "export", "--format", "csv", "--config", cfg).stdout == csv)
    }

    @Test("rack show prints devices at their U; rack render writes an SVG rsvg-convert turns into a PNG")
    func rack() async throws {
        let (dir, cfg) = try await imported()
        let r = try await dcagent("rack", "show", "DC-R05", "--config", cfg)
        #expect(r.status == 0, "\(r.output)")
        let u20 = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("U20 ") })
        #expect(u20.contains("front: DC-R05-SRV03"))
        #expect(r.stdout.split(separator: "\n").first { $0.hasPrefix("U42 ") }?.contains("front: ·") == true)
        #expect(r.stdout.split(separator: "\n").first { $0.hasPrefix("U42 ") }?.contains("rear: DC-R05-SW1") == true)
        #expect(r.stdout.split(separator: "\n").first { $0.hasPrefix("U41 ") }?.contains("front: DC-R05-PP1") == true)
        #expect(r.stdout.contains("0U   DC-R05-PDU-A"))
        #expect(r.stdout.contains("free: 32 of 42 U"))
        let svg = dir.file("r.svg")
        #expect(try await dcagent("rack", "render", "DC-R05", "--svg", svg, "--config", cfg).status == 0)
        let png = dir.file("r.png")
        let conv = try await runProcess("/usr/bin/rsvg-convert", [svg, "-o", png])
        #expect(conv.status == 0, "\(conv.output)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let plan = dir.file("f.svg")
        #expect(try await dcagent("floor", "render", "DC-H1", "--svg", plan, "--config", cfg).status == 0)
        #expect(try String(contentsOfFile: plan, encoding: .utf8).contains("DC-R05"))
    }

    @Test("a rejected run: only its executor reopens it, answers again, submits; then it is approved; every step audited")
    func rejectAndReopen() async throws {
        let (dir, cfg) = try await imported()
        defer { withExtendedLifetime(dir) {} }
        let t = ["--templates", Repo.root + "/config/checklists", "--config", cfg]
        let s = try await dcagent(["checklist", "start", "cable-check", "--target", "DC-R05", "--change", "RFC-51", "--as", "eko"] + t)
        #expect(s.status == 0 && s.stdout.contains("started CL-1"), "\(s.output)")
        let open = s.stdout.split(separator: "\n").filter { $0.hasPrefix("  [ ] ") }.compactMap { $0.dropFirst(6).split(separator: ":").first.map(String.init) }
        #expect(!open.isEmpty, "\(s.stdout)")
        for item in open {
            #expect(try await dcagent("checklist", "answer", "CL-1", item, "pass", "--as", "eko", "--config", cfg).status == 0)
        }
        #expect(try await dcagent("checklist", "submit", "CL-1", "--as", "eko", "--config", cfg).status == 0)
        let rejected = try await dcagent("checklist", "reject", "CL-1", "--reason", "labels on patch panel PP1 missing", "--as", "april", "--config", cfg)
        #expect(rejected.status == 0, "\(rejected.output)")
        // A rejected run cannot be answered until reopened, and only its executor reopens it.
        #expect(try await dcagent("checklist", "answer", "CL-1", open[0], "pass", "--as", "eko", "--config", cfg).status == 1)
        let notMine = try await dcagent("checklist", "reopen", "CL-1", "--as", "ayu", "--config", cfg)
        #expect(notMine.status == 1, "\(notMine.output)")
        let reopened = try await dcagent("checklist", "reopen", "CL-1", "--as", "eko", "--config", cfg)
        #expect(reopened.status == 0 && reopened.stdout.contains("CL-1 reopened by eko"), "\(reopened.output)")
        #expect(try await dcagent("checklist", "reopen", "CL-1", "--as", "eko", "--config", cfg).status == 1, "only a rejected run")
        #expect(try await dcagent("checklist", "answer", "CL-1", open[0], "pass", "--note", "labels fixed", "--as", "eko", "--config", cfg).status == 0)
        #expect(try await dcagent("checklist", "submit", "CL-1", "--as", "eko", "--config", cfg).status == 0)
        let ok = try await dcagent("checklist", "approve", "CL-1", "--as", "april", "--config", cfg)
        #expect(ok.status == 0, "\(ok.output)")
        let log = try await dcagent("audit", "log", "--config", cfg)
        let steps = log.stdout.split(separator: "\n").filter { $0.contains("checklist-run/CL-1") }.compactMap { line in
            line.split(separator: "\t").first { $0.hasPrefix("checklist.") }.map(String.init)
        }
        #expect(steps.filter { $0 != "checklist.answer" } == ["checklist.submit", "checklist.reject", "checklist.reopen", "checklist.submit", "checklist.approve"], "\(log.stdout)")
    }

    @Test("checklist start → answer → submit → approve: the executor cannot approve, another approver can; the device becomes staged; ci audit lists it; audit verify stays intact")
    func checklistFlow() async throws {
        let (dir, cfg) = try await imported()
        defer { withExtendedLifetime(dir) {} }
        let t = ["--templates", Repo.root + "/config/checklists", "--config", cfg]
        let s = try await dcagent(["checklist", "start", "pre-installation", "--target", "DC-R07-SRV11", "--change", "RFC-42", "--as", "ayu"] + t)
        #expect(s.status == 0, "\(s.output)")
        #expect(s.stdout.contains("started CL-1"))
        #expect(s.stdout.contains("[pass] space:"))
        // A person may not overrule the fit check.
        let auto = try await dcagent("checklist", "answer", "CL-1", "space", "pass", "--as", "ayu", "--config", cfg)
        #expect(auto.status == 1 && auto.stderr.contains("[automatic-item]"))
        // A refresh re-evaluates the fit check against the floor as stored: nothing changed.
        let refresh = try await dcagent("checklist", "refresh", "CL-1", "--as", "ayu", "--config", cfg)
        #expect(refresh.status == 0 && refresh.stdout.contains("CL-1: automatic items re-evaluated, no outcome changed"), "\(refresh.output)")
        #expect(refresh.stdout.contains("unanswered: network-ports, labels, packaging"), "\(refresh.output)")
        let early = try await dcagent("checklist", "submit", "CL-1", "--as", "ayu", "--config", cfg)
        #expect(early.status == 1 && early.stderr.contains("unanswered: network-ports, labels, packaging"))
        for item in ["network-ports", "labels", "packaging"] {
            #expect(try await dcagent("checklist", "answer", "CL-1", item, "pass", "--note", "ok", "--as", "ayu", "--config", cfg).status == 0)
        }
        #expect(try await dcagent("checklist", "submit", "CL-1", "--as", "ayu", "--config", cfg).status == 0)
        let own = try await dcagent("checklist", "approve", "CL-1", "--as", "ayu", "--config", cfg)
        #expect(own.status == 1)
        #expect(own.stderr.contains("[executor-cannot-approve]"))
        let ok = try await dcagent("checklist", "approve", "CL-1", "--as", "april", "--config", cfg)
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.stdout.contains("DC-R07-SRV11 is now staged"))
        let show = try await dcagent("checklist", "show", "CL-1", "--config", cfg)
        #expect(show.stdout.contains("state approved") && show.stdout.contains("decided by april"))
        let rack = try await dcagent("rack", "show", "DC-R07", "--config", cfg)
        #expect(rack.stdout.contains("DC-R07-SRV11 [staged]"))
        let ci = try await dcagent("ci", "audit", "--format", "csv", "--config", cfg)
        #expect(ci.status == 0)
        #expect(ci.stdout.contains("\r\nDC-R07-SRV11,device,"))
        #expect(ci.stdout.contains("\r\nDC-R05,rack,"))
        #expect(ci.stdout.contains("\r\nDC-R07-TH1,sensor,"))
        let log = try await dcagent("audit", "log", "--config", cfg)
        #expect(log.stdout.contains("\tapril\tchecklist.approve\tchecklist-run/CL-1"))
        #expect(log.stdout.contains("\tayu\tchecklist.refresh\tchecklist-run/CL-1"))
        #expect(log.stdout.contains("\teko\tfloor.import\tsite/DC,DRC"))
        let v = try await dcagent("audit", "verify", "--config", cfg)
        #expect(v.status == 0 && v.stdout.contains("OK: the audit trail is intact"), "\(v.output)")
    }

    @Test("devicetypes import reports imported and skipped files with reasons")
    func deviceTypes() async throws {
        let dir = TempDir()
        let bad = dir.write("broken.yaml", "manufacturer: X\nmodel: Y\nu_height: -3\n")
        let good = Repo.root + "/Tests/FloorModelTests/Fixtures/netbox-devicetypes/Dell/PowerEdge-R640.yaml"
        let r = try await dcagent("devicetypes", "import", good)
        #expect(r.status == 0 && r.stdout.contains("imported \(good): dell-poweredge-r640"), "\(r.output)")
        let r2 = try await dcagent("devicetypes", "import", dir.path)
        #expect(r2.stdout.contains("skipped \(bad): "))
        #expect(r2.stdout.contains("0 imported, 1 skipped"))
    }
}

/// Runs `dcagent` with an argument array.
func dcagent(_ args: [String]) async throws -> CommandResult {
    try await runProcess(Repo.dcagent, args)
}
