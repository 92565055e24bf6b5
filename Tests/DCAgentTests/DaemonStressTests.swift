import Foundation
import GRDB
import Glibc
import TestSupport
import Testing

/// `dcagent run` itself under the things nobody tries on purpose (issue 9): a SIGKILL while it
/// polls a real Modbus peer and commits, and a CLI write while it commits (SQLITE_BUSY). One
/// pymodbus peer for the suite (DESIGN decision 13), a daemon per test.
@Suite("Daemon under stress", .serialized, .timeLimit(.minutes(5)))
struct DaemonStressTests {
    /// pymodbus serving the shipped profiles (unit 1 Vaisala HMT330, 3 corrosion monitor, 6 DI module).
    static let peer = SharedPeer<Int> {
        guard PythonPeers.isInstalled else { throw TestFailure(PythonPeers.missingMessage) }
        let port = FreePort.tcp()
        _ = try await PeerProcess.start(
            name: "modbus-stress", executable: PythonPeers.python,
            arguments: [Repo.root + "/Tests/SensorDriverTests/Peers/modbus_peer.py", "--port", String(port)],
            readiness: .tcpConnect(port: port))
        return port
    }

    /// A config polling three devices of the peer every 100 ms, committing every 20 ms.
    static func config(_ dir: TempDir, modbusPort: Int, httpPort: Int, busyTimeout: String = "5s") -> String {
        testConfig(
            dir: dir, port: httpPort, name: "stress-agent",
            storage: """
                  busy_timeout: \(busyTimeout)
                  writer:
                    flush_interval: 20ms
                """,
            extra: """
                profiles:
                  directory: \(Repo.root)/config/profiles
                floor: { import_on_first_start: \(Repo.root)/config/floor/demo.yaml }
                sensors:
                  - { id: DC-R01-TH1, profile: vaisala-hmt330, endpoint: "tcp://127.0.0.1:\(modbusPort)", unit: 1, interval: 100ms }
                  - { id: DC-H1-CM1, profile: generic-corrosion-monitor, endpoint: "tcp://127.0.0.1:\(modbusPort)", unit: 3, interval: 100ms }
                  - { id: DC-H1-DI1, profile: generic-di-module, endpoint: "tcp://127.0.0.1:\(modbusPort)", unit: 6, interval: 100ms }
                """)
    }

    /// A read-only connection: in WAL mode it sees only committed transactions.
    static func readOnly(_ path: String) throws -> DatabaseQueue {
        var c = Configuration()
        c.readonly = true
        return try DatabaseQueue(path: path, configuration: c)
    }

    /// Every stored (point, time), as `point@t`.
    static func stored(_ db: Database) throws -> Set<String> {
        Set(try Row.fetchAll(db, sql: "SELECT p.key, s.t FROM samples s JOIN points p ON p.id = s.point_id").map { "\($0[0] as String)@\($0[1] as Int64)" })
    }

    static func samples(_ path: String) -> Int {
        (try? readOnly(path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM samples") }) ?? 0
    }

    /// `/healthz`'s writer object.
    static func writer(_ port: Int) -> [String: Any]? {
        guard let r = httpGet(port: port, path: "/healthz"),
            let json = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
        else { return nil }
        return json["writer"] as? [String: Any]
    }

    @Test("SIGKILL while the daemon polls and commits: every (point, time) committed before the kill is there after it, integrity ok, and a restart on the same database stores new samples")
    func sigkillWhilePolling() async throws {
        let modbusPort = try await Self.peer.get()
        let dir = TempDir()
        let httpPort = freePort()
        let cfg = Self.config(dir, modbusPort: modbusPort, httpPort: httpPort)
        let dbPath = dir.file("dcagent.sqlite")

        let first = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon1.log"))
        try await first.waitHealthy()
        // Polling and committing: wait until a good many batches are in.
        try await waitUntil("200 samples committed; log:\n\(first.log)") { Self.samples(dbPath) >= 200 }
        let batchesBefore = Self.writer(httpPort)?["batches"] as? Int ?? 0
        #expect(batchesBefore >= 5, "the writer commits in many small batches (\(batchesBefore))")

        // What is committed now, read just before the kill; the daemon goes on committing meanwhile.
        let committed = try await Self.readOnly(dbPath).read { try Self.stored($0) }
        first.signal(SIGKILL)
        try await waitUntil("the daemon to die") { !first.process.isRunning }
        #expect(first.process.terminationReason == .uncaughtSignal)

        let after = try DatabaseQueue(path: dbPath)
        let (integrity, survived, maxT) = try await after.read { d in
            (
                try String.fetchAll(d, sql: "PRAGMA integrity_check").joined(separator: "; "), try Self.stored(d),
                try Int64.fetchOne(d, sql: "SELECT max(t) FROM samples") ?? 0
            )
        }
        try after.close()
        #expect(integrity == "ok")
        let lost = committed.subtracting(survived)
        let lostCount = lost.count
        #expect(lostCount == 0, "committed samples lost by the kill, e.g. \(lost.sorted().prefix(5))")
        #expect(survived.count >= committed.count)
        print("DaemonStressTests: \(committed.count) committed (point, time) read before the SIGKILL, \(survived.count) stored after it")

        // The same database, a new daemon: it starts and keeps storing new samples.
        let second = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon2.log"))
        try await second.waitHealthy()
        try await waitUntil("new samples after the restart; log:\n\(second.log)") {
            let newer = try Self.readOnly(dbPath).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM samples WHERE t > ?", arguments: [maxT]) ?? 0 }
            return newer >= 30
        }
        let w = Self.writer(httpPort)
        #expect((w?["acknowledged"] as? Int ?? 0) > 0)
        #expect(w?["last_error"] is NSNull, "\(String(describing: w))")
        #expect(try await second.stop() == 0)
        let final = try DatabaseQueue(path: dbPath)
        let finalIntegrity = try await final.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(finalIntegrity == "ok")
    }

    @Test("a CLI write while the daemon commits waits its turn and succeeds; with the lock held past storage.busy_timeout it exits 75 naming the database, and the daemon's writer recovers")
    func cliWriteWhileCommitting() async throws {
        let modbusPort = try await Self.peer.get()
        let dir = TempDir()
        let httpPort = freePort()
        let cfg = Self.config(dir, modbusPort: modbusPort, httpPort: httpPort, busyTimeout: "1s")
        let dbPath = dir.file("dcagent.sqlite")

        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        try await waitUntil("the daemon committing; log:\n\(daemon.log)") { Self.samples(dbPath) >= 100 }

        // The daemon commits every ~20 ms; each command waits for the lock and then writes.
        let admin = try await dcagent("user", "add", "ops-admin", "--role", "admin", "--config", cfg)
        #expect(admin.status == 0, "\(admin.output)")
        for i in 0..<5 {
            let r = try await dcagent("user", "add", "eng\(i)", "--role", "engineer", "--as", "ops-admin", "--config", cfg)
            #expect(r.status == 0, "\(r.output)")
        }
        let rec = try await dcagent(
            "obligations", "record", "DC-H1", "cleaning", "--done-at", "2026-06-01", "--by", "Tim DC", "--as", "eng0", "--config", cfg)
        #expect(rec.status == 0, "\(rec.output)")
        #expect(rec.stdout.contains("recorded by eng0"), "\(rec.output)")

        // A lock held longer than busy_timeout (1s): a transaction left open on purpose.
        var c = Configuration()
        c.allowsUnsafeTransactions = true
        // The daemon commits every 20 ms: the holder, too, waits its turn to take the lock.
        c.busyMode = .timeout(10)
        let holder = try DatabaseQueue(path: dbPath, configuration: c)
        try await holder.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let clock = ContinuousClock()
        for args in [
            ["user", "add", "late", "--role", "viewer", "--as", "ops-admin", "--config", cfg],
            ["obligations", "record", "DC-H1", "cleaning", "--done-at", "2026-06-02", "--by", "Tim DC", "--as", "eng0", "--config", cfg],
        ] {
            let start = clock.now
            let r = try await runProcess(Repo.dcagent, args)
            let waited = start.duration(to: clock.now)
            #expect(r.status == 75, "\(args[0]) \(args[1]): \(r.output)")
            #expect(r.stderr.contains("dcagent: database \(dbPath) is busy"), "\(r.output)")
            #expect(r.stderr.contains("storage.busy_timeout (1s)"), "\(r.output)")
            #expect(waited >= .milliseconds(950), "\(args[0]) \(args[1]) waited \(waited), the whole busy_timeout")
        }
        // The daemon's writer met the same lock: it reports it, keeps its readings queued.
        try await waitUntil("the daemon's writer to report the lock; log:\n\(daemon.log)") {
            (Self.writer(httpPort)?["last_error"] as? String)?.contains("database is locked") == true
        }
        try await holder.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        try holder.close()

        // The lock is gone: the same command succeeds, and the daemon's writer (which hit the
        // same lock) commits again with no error left.
        let retry = try await dcagent("user", "add", "late", "--role", "viewer", "--as", "ops-admin", "--config", cfg)
        #expect(retry.status == 0, "\(retry.output)")
        let ackedAfter = Self.writer(httpPort)?["acknowledged"] as? Int ?? 0
        try await waitUntil("the daemon's writer to commit again without error; log:\n\(daemon.log)") {
            guard let w = Self.writer(httpPort) else { return false }
            return (w["acknowledged"] as? Int ?? 0) > ackedAfter + 20 && w["last_error"] is NSNull && (w["queued"] as? Int ?? 1) < 200
        }
        let users = try await dcagent("user", "list", "--config", cfg)
        #expect(users.stdout.split(separator: "\n").filter { !$0.contains("\tbuilt-in\t") }.count == 7, "\(users.output)")
        let list = try await dcagent("obligations", "list", "--config", cfg)
        #expect(!list.stdout.contains("2026-06-02"), "the refused record was not written: \(list.output)")
        #expect(try await daemon.stop() == 0)
    }
}
