import Foundation
import Testing

@Suite("dcagent check-config", .timeLimit(.minutes(2)))
struct CheckConfigTests {
    @Test("every shipped example in config/ loads")
    func shippedExamples() async throws {
        let dir = Repo.root + "/config"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.contains("dcagent.yaml") && files.contains("demo.yaml"))
        let r = try await runProcess(Repo.dcagent, ["check-config"] + files.map { dir + "/" + $0 })
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.components(separatedBy: ": OK").count - 1 == files.count)
    }

    @Test("profiles list needs no config: without one at the default path it lists the shipped profiles; a named config that is missing is refused")
    func profilesWithoutConfig() async throws {
        try #require(
            !FileManager.default.fileExists(atPath: "/etc/dcagent/dcagent.yaml"), "this test needs a machine without /etc/dcagent/dcagent.yaml")
        let shipped = try FileManager.default.contentsOfDirectory(atPath: Repo.root + "/config/profiles").filter { $0.hasSuffix(".yaml") }
        let list = try await dcagent("profiles", "list")
        #expect(list.status == 0, "\(list.output)")
        #expect(list.stdout.split(separator: "\n").count == shipped.count, "\(list.output)")
        #expect(list.stdout.contains("apc-rpdu2\tsnmp"), "\(list.output)")
        let show = try await dcagent("profiles", "show", "apc-rpdu2")
        #expect(show.status == 0 && show.stdout.contains("name: apc-rpdu2"), "\(show.output)")
        let missing = try await dcagent("profiles", "list", "--config", "/nonexistent/dcagent.yaml")
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/dcagent.yaml: no such file"), "\(missing.output)")
    }

    @Test("a broken file reports every problem with file, line, column and key path, and exits 1")
    func everyProblem() async throws {
        let dir = TempDir()
        let f = dir.write(
            "bad.yaml",
            """
            sites:
              - id: DC
                time_zone: Mars/Olympus
            storage:
              colour: blue
              writer:
                batch_size: 0
            http:
              port: eighty
            logging: {level: loud}
            sensors:
              - id: DC-R01-TH1
                profile: generic-th-probe
                endpoint: ftp://nowhere
              - id: DC-R02-PDU
                profile: apc-rpdu2
                endpoint: udp://127.0.0.1:161
                snmp: {version: "3", user: dcagent}
            """)
        let r = try await dcagent("check-config", f)
        // CheckConfigCommand throws ExitCode(1) when any file failed, after saying how many.
        #expect(r.status == 1 && r.stdout.hasSuffix("1 of 1 file failed\n"), "\(r.output)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let expected = [
            "\(f):3:5: sites[0].time_zone: unknown time zone 'Mars/Olympus'",
            "\(f):5:3: storage.colour: unknown key",
            "\(f):7:5: storage.writer.batch_size: must be between 1 and 100000 (got 0)",
            "\(f):9:3: http.port: expected an integer",
            "\(f):10:11: logging.level: 'loud' is not a level",
            "\(f):14:5: sensors[0].endpoint: sensor DC-R01-TH1: 'ftp://nowhere' is not an endpoint",
            "sensors[1].snmp.auth_key_file: sensor DC-R02-PDU: authPriv needs auth_key_file or auth_key_env",
        ]
        for e in expected {
            #expect(lines.contains { $0.hasPrefix(e) || $0.contains(e) }, "missing: \(e)\n--- got:\n\(r.stdout)")
        }
    }

    @Test("the itsm section: an unknown key, a ticket system not wired, RT without its URL or secret, a policy's bad values — each named with its line")
    func itsmProblems() async throws {
        let dir = TempDir()
        let f = dir.write(
            "itsm.yaml",
            """
            sites: [{id: DC, name: D, time_zone: Asia/Jakarta}]
            storage: {path: \(dir.file("x.sqlite"))}
            rules: {file: \(Repo.root)/config/rules/default.yaml}
            itsm:
              tickets: servicenow
              colour: red
              policy: {resolve_after: soon, minimum_severity: urgent}
            """)
        let r = try await dcagent("check-config", f)
        #expect(r.status == 1, "\(r.output)")
        let rt = dir.write(
            "rt.yaml",
            """
            sites: [{id: DC, name: D, time_zone: Asia/Jakarta}]
            storage: {path: \(dir.file("y.sqlite"))}
            rules: {file: \(Repo.root)/config/rules/default.yaml}
            itsm:
              tickets: rt
              rt: {url: "ftp://rt", password_file: /etc/rt.pw, token_env: RT_TOKEN}
            """)
        let bad = try await dcagent("check-config", rt)
        #expect(bad.status == 1, "\(bad.output)")
        for e in ["itsm.rt.url: 'ftp://rt' is not an http or https URL", "itsm.rt: give either a password (with user) or a token, not both",
                  "itsm.rt.user: required with a password"] {
            #expect(bad.stdout.contains(e), "missing: \(e)\n--- got:\n\(bad.stdout)")
        }
        for e in [
            "\(f):6:3: itsm.colour: unknown key",
            "\(f):5:3: itsm.tickets: 'servicenow' is not wired into the daemon yet",
            "itsm.policy.minimum_severity: 'urgent' is not a severity (use info, warning, critical)",
            "itsm.policy.resolve_after: 'soon' is not a duration",
        ] {
            #expect(r.stdout.contains(e), "missing: \(e)\n--- got:\n\(r.stdout)")
        }
    }

    @Test("a rule whose needs_change names a checklist that is not in the checklist folder is refused, naming the rule and the checklist; without a folder it loads")
    func needsChangeChecklist() async throws {
        let dir = TempDir()
        let rules = dir.write(
            "rules.yaml",
            """
            version: 1
            rules:
              - id: rack-power-budget
                kind: capacity
                scope: rack
                warning: 0.8
                needs_change: { summary: Rebalance the rack, checklist: rack-rebalance }
            """)
        let f = dir.write(
            "c.yaml", "sites: [{id: DC, name: Test DC, time_zone: Asia/Jakarta}]\nstorage: {path: \(dir.file("x.sqlite"))}\nrules: {file: \(rules)}\n")
        // No checklist folder at all: loads (RFCs are drafted without a run, each saying so).
        let r = try await dcagent("check-config", f)
        #expect(r.status == 0, "\(r.output)")
        // With a checklist folder beside the config, a name that is not in it is refused, named.
        try FileManager.default.createDirectory(atPath: dir.file("checklists"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repo.root + "/config/checklists/cable-check.yaml", toPath: dir.file("checklists/cable-check.yaml"))
        let missing = try await dcagent("check-config", f)
        #expect(missing.status == 1 && missing.stdout.contains("rack-power-budget: needs_change.checklist 'rack-rebalance'"), "\(missing.output)")
        try String(contentsOfFile: rules, encoding: .utf8).replacingOccurrences(of: "rack-rebalance", with: "cable-check")
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let ok = try await dcagent("check-config", f)
        #expect(ok.status == 0 && ok.stdout.contains(": OK"), "\(ok.output)")
    }

    @Test("invalid YAML, a missing file and wrong types are reported, nothing else runs")
    func unreadable() async throws {
        let dir = TempDir()
        let broken = dir.write("broken.yaml", "sites: [\n  - id")
        let r = try await dcagent("check-config", broken, dir.file("missing.yaml"))
        #expect(r.status == 1 && r.stdout.hasSuffix("2 of 2 files failed\n"), "\(r.output)")
        #expect(r.stdout.contains("\(broken):2:3: invalid YAML"))
        #expect(r.stdout.contains("\(dir.file("missing.yaml")): no such file"))
        let list = dir.write("list.yaml", "sites: {id: DC}\n")
        let r2 = try await dcagent("check-config", list)
        #expect(r2.stdout.contains("sites: must be a list"))
    }

    @Test("`run` refuses a bad config before touching the database")
    func runRefuses() async throws {
        let dir = TempDir()
        let f = dir.write("c.yaml", "sites: [{id: DC}]\nstorage: {path: \(dir.file("db.sqlite"))}\nhttp: {port: 0}\n")
        let r = try await dcagent("run", "--config", f)
        #expect(r.status == 2)
        #expect(r.stderr.contains("http.port: must be between 1 and 65535 (got 0)"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("db.sqlite")), "nothing written")
    }

    @Test("`run` refuses a database path that is not writable, naming it")
    func runUnwritable() async throws {
        let dir = TempDir()
        let f = dir.write("c.yaml", "sites: [{id: DC}]\nstorage: {path: \(dir.file("nope/db.sqlite"))}\nhttp: {port: \(freePort())}\n")
        let r = try await dcagent("run", "--config", f)
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir.file("nope/db.sqlite"))"))
        #expect(r.stderr.contains("not writable"))
    }
}
