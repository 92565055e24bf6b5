import Foundation
import Glibc
import TestSupport
import Testing

/// What DCAgent tells a person is true: the demo opens in a steady state with its rooms' records
/// on file, and the agent reports its own clock as the kernel does.
@Suite("Steady demo records and the agent's clock", .serialized, .timeLimit(.minutes(5)))
struct TruthTests {
    @Test("the demo's past records: one obligation overdue, one due soon, six current, none 'never recorded'")
    func demoRecords() async throws {
        let dir = TempDir()
        let cfg = testConfig(dir: dir, port: freePort())
        #expect(try await dcagent("user", "add", "root-admin", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "ana", "--role", "engineer", "--as", "root-admin", "--config", cfg).status == 0)
        let imported = try await dcagent("floor", "import", Repo.root + "/config/floor/demo.yaml", "--as", "root-admin", "--config", cfg)
        #expect(imported.status == 0, "\(imported.output)")

        // Before: every room's duties never recorded, and the command says how to enter them.
        let before = try await dcagent("obligations", "status", "--config", cfg)
        #expect(before.stdout.split(separator: "\n").filter { $0.contains("\toverdue\tnever recorded") }.count == 8, "\(before.stdout)")
        #expect(before.stdout.contains("# 8 never recorded: enter when each was last done, for example"), "\(before.stdout)")
        #expect(before.stdout.contains("#   dcagent obligations record DC-H1 "), "\(before.stdout)")

        let csv = try await runProcess("/bin/bash", [Repo.root + "/scripts/demo-records"])
        #expect(csv.status == 0, "\(csv.output)")
        let file = dir.write("records.csv", csv.stdout)
        let r = try await dcagent("obligations", "import", file, "--as", "ana", "--config", cfg)
        #expect(r.status == 0 && r.stdout == "imported 8 record(s) from \(file), recorded by ana\n", "\(r.output)")

        let after = try await dcagent("obligations", "status", "--config", cfg)
        let rows = after.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.count == 8)
        let standing = Dictionary(uniqueKeysWithValues: rows.map { ("\($0[0]) \($0[1])", $0[2]) })
        #expect(standing["DRC-H1 cleaning"] == "overdue")
        #expect(standing["DC-H1 particle_measurement"] == "dueSoon")
        #expect(standing.values.filter { $0 == "ok" }.count == 6, "\(after.stdout)")
        #expect(!after.stdout.contains("never recorded"))
        // The import is one audit row naming its source and count.
        let audit = try await dcagent("audit", "log", "--config", cfg)
        #expect(audit.stdout.contains("obligation.import"), "\(audit.output)")
    }

    @Test("an import with one bad line enters nothing and names the line")
    func importAllOrNothing() async throws {
        let dir = TempDir()
        let cfg = testConfig(dir: dir, port: freePort())
        #expect(try await dcagent("user", "add", "root-admin", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("floor", "import", Repo.root + "/config/floor/demo.yaml", "--as", "root-admin", "--config", cfg).status == 0)
        let file = dir.write(
            "r.csv",
            """
            room,kind,done_at,by,third_party,escort
            DC-H1,cleaning,2026-03-01,Tim,,
            DC-H1,cleaning,2026-04-01,PT Bersih,PT Bersih,
            """)
        let r = try await dcagent("obligations", "import", file, "--as", "root-admin", "--config", cfg)
        #expect(r.status == 1, "\(r.output)")
        #expect(r.stderr.hasPrefix("dcagent: \(file):3: escort:"), "\(r.stderr)")
        #expect(try await dcagent("obligations", "list", "--config", cfg).stdout.isEmpty, "nothing entered")
        let unknown = dir.write("u.csv", "room,kind,done_at,by,colour\nDC-H1,cleaning,2026-03-01,Tim,blue\n")
        let u = try await dcagent("obligations", "import", unknown, "--as", "root-admin", "--config", cfg)
        #expect(u.status == 64 && u.stderr.contains("\(unknown):1: unknown column 'colour'"), "\(u.output)")
    }

    /// The kernel's verdict, read by Python's ctypes — independently of the Swift code.
    static func kernelSaysSynchronised() async throws -> Bool {
        let script = """
            import ctypes
            class T(ctypes.Structure):
                _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long), ("maxerror", ctypes.c_long),
                            ("esterror", ctypes.c_long), ("status", ctypes.c_int), ("pad", ctypes.c_byte * 200)]
            t = T()
            state = ctypes.CDLL(None).adjtimex(ctypes.byref(t))
            print("yes" if state != 5 and not (t.status & 0x40) else "no")
            """
        let r = try await runProcess("/usr/bin/python3", ["-c", script])
        #expect(r.status == 0, "\(r.output)")
        return r.stdout == "yes\n"
    }

    @Test("/healthz reports the clock as the kernel does; unsynchronised, an agent event fires")
    func agentClock() async throws {
        let dir = TempDir()
        let port = freePort()
        let rules = dir.write("rules.yaml", "rules: [{ id: stale, kind: stale, interval: 1m }]\n")
        let cfg = testConfig(dir: dir, port: port, extra: "rules: { file: \(rules), evaluate_every: 200ms }\n")
        let daemon = try Daemon(config: cfg, port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let synced = try await Self.kernelSaysSynchronised()
        let body = try #require(httpGet(port: port, path: "/healthz")?.body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let clock = try #require(json["clock"] as? [String: Any], "\(body)")
        #expect(clock["synchronised"] as? Bool == synced, "\(body)")
        #expect((clock["source"] as? String)?.hasPrefix("adjtimex: TIME_") == true, "\(body)")
        if synced {
            // Nothing to report: no clock event after a few evaluations.
            try await daemon.waitForLog("rules engine started")
            #expect(!(try await dcagent("events", "list", "--config", cfg).stdout.contains("clock is not synchronised")))
        } else {
            try await waitUntil("the agent's clock event") {
                try await dcagent("events", "list", "--config", cfg).stdout.contains("clock is not synchronised (adjtimex: TIME_ERROR")
            }
        }
        #expect(try await daemon.stop() == 0)
    }
}
