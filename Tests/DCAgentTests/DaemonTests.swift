import Foundation
import Glibc
import TestSupport
import Testing

/// Receives sd_notify datagrams on a socket the test binds itself.
final class NotifyListener {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() { buf[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw TestFailure("bind \(path): \(errno)") }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram, or nil after the receive timeout.
    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buf, buf.count, 0)
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
    }
}

@Suite("The daemon", .serialized, .timeLimit(.minutes(10)))
struct DaemonTests {
    @Test("sd_notify: READY=1 with STATUS, at least two WATCHDOG=1 at half WATCHDOG_USEC, and STOPPING=1 on SIGTERM")
    func systemdNotify() async throws {
        let dir = TempDir()
        let port = freePort()
        let cfg = testConfig(dir: dir, port: port)
        let listener = try NotifyListener(path: dir.file("notify.sock"))
        let daemon = try Daemon(
            config: cfg, port: port, logPath: dir.file("daemon.log"),
            environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])
        var messages: [String] = []
        try await waitUntil("READY=1 and two WATCHDOG=1; got \(messages); log:\n\(daemon.log)") {
            while let m = listener.receive() { messages.append(m) }
            return messages.contains { $0.contains("READY=1") } && messages.filter { $0 == "WATCHDOG=1" }.count >= 2
        }
        let ready = try #require(messages.first { $0.contains("READY=1") })
        #expect(ready.contains("STATUS=serving http://127.0.0.1:\(port)"))
        #expect(messages.firstIndex(of: ready)! < messages.firstIndex(of: "WATCHDOG=1")!, "READY comes before the first watchdog ping")
        #expect(httpGet(port: port, path: "/healthz")?.status == 200, "READY is sent once HTTP answers")
        let status = try await daemon.stop()
        #expect(status == 0)
        while let m = listener.receive() { messages.append(m) }
        #expect(messages.last?.hasPrefix("STOPPING=1") == true, "\(messages)")
        #expect(daemon.log.contains("stopped cleanly"))
    }

    @Test("without NOTIFY_SOCKET the daemon runs, answers /healthz and stops cleanly on SIGINT")
    func noNotifySocket() async throws {
        let dir = TempDir()
        let port = freePort()
        let daemon = try Daemon(config: testConfig(dir: dir, port: port), port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let health = try #require(httpGet(port: port, path: "/healthz"))
        #expect(health.body.contains("\"status\":\"ok\""))
        #expect(health.body.contains("\"agent\":\"test-agent\""))
        daemon.signal(SIGINT)
        try await waitUntil("exit after SIGINT") { !daemon.process.isRunning }
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test("SIGHUP: a changed setting takes effect; an invalid file keeps the old config and logs every problem")
    func reload() async throws {
        let dir = TempDir()
        let port = freePort()
        let cfg = testConfig(dir: dir, port: port, name: "before-reload")
        let daemon = try Daemon(config: cfg, port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        #expect(httpGet(port: port, path: "/healthz")?.body.contains("\"agent\":\"before-reload\"") == true)
        #expect(!daemon.log.contains("level=debug"))

        _ = testConfig(dir: dir, port: port, name: "after-reload")
        try String(contentsOfFile: cfg, encoding: .utf8).replacingOccurrences(of: "level: info", with: "level: debug")
            .write(toFile: cfg, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        try await waitUntil("the new agent name in /healthz") {
            httpGet(port: port, path: "/healthz")?.body.contains("\"agent\":\"after-reload\"") == true
        }
        try await daemon.waitForLog("msg=\"configuration reloaded\"")
        try await daemon.waitForLog("config.applied=logging,agent.name")

        // An invalid file: two problems, both logged; the old config stays.
        try "agent: {name: broken}\nsites: [{id: DC, time_zone: Nowhere/Else}]\nhttp: {port: 70000}\nstorage: {path: \(dir.file("dcagent.sqlite"))}\n"
            .write(toFile: cfg, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("configuration NOT reloaded")
        try await daemon.waitForLog("unknown time zone 'Nowhere/Else'")
        try await daemon.waitForLog("must be between 1 and 65535 (got 70000)")
        try await daemon.waitForLog("config.problems=2")
        #expect(httpGet(port: port, path: "/healthz")?.body.contains("\"agent\":\"after-reload\"") == true)
        #expect(try await daemon.stop() == 0)
    }

    @Test("backup while the daemon runs, restore refused while it runs, restore after it stops")
    func backupRestore() async throws {
        let dir = TempDir()
        let port = freePort()
        let cfg = testConfig(dir: dir, port: port)
        #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--config", cfg).status == 0)
        let daemon = try Daemon(config: cfg, port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let b = try await dcagent("backup", "--to", dir.file("backup.sqlite"), "--config", cfg)
        #expect(b.status == 0, "\(b.output)")
        #expect(b.stdout.contains("integrity ok"))
        // A change after the backup.
        #expect(try await dcagent("user", "add", "budi", "--role", "engineer", "--as", "ana", "--config", cfg).status == 0)
        let refused = try await dcagent("restore", "--from", dir.file("backup.sqlite"), "--as", "ana", "--config", cfg)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is in use by a running daemon"))
        #expect(try await daemon.stop() == 0)

        let r = try await dcagent("restore", "--from", dir.file("backup.sqlite"), "--as", "ana", "--config", cfg)
        #expect(r.status == 0, "\(r.output)")
        let users = try await dcagent("user", "list", "--config", cfg)
        #expect(users.stdout.contains("ana"))
        #expect(!users.stdout.contains("budi"), "the change after the backup is gone")
        let v = try await dcagent("audit", "verify", "--config", cfg)
        #expect(v.status == 0, "\(v.output)")
        let log = try await dcagent("audit", "log", "--config", cfg)
        #expect(log.stdout.contains("store.restore"))
        #expect(FileManager.default.fileExists(atPath: dir.file("dcagent.sqlite.before-restore")))
    }

    @Test("logging.format json writes one JSON object per line, with the dotted metadata keys")
    func jsonLogs() async throws {
        let dir = TempDir()
        let port = freePort()
        let cfg = dir.write(
            "dcagent.yaml",
            "sites: [{id: DC, name: Test DC, time_zone: Asia/Jakarta}]\nstorage: {path: \(dir.file("db.sqlite"))}\nhttp: {port: \(port)}\nlogging: {level: info, format: json}\n")
        let daemon = try Daemon(config: cfg, port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        #expect(try await daemon.stop() == 0)
        let lines = daemon.log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 3)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["level"] != nil && object?["msg"] != nil, "not a JSON log line: \(line)")
        }
        #expect(lines.contains { $0.contains("\"storage.path\":\"\(dir.file("db.sqlite"))\"") })
    }

    @Test("a second daemon on the same database is refused")
    func singleDaemon() async throws {
        let dir = TempDir()
        let port = freePort()
        let cfg = testConfig(dir: dir, port: port)
        let daemon = try Daemon(config: cfg, port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let second = try await dcagent("run", "--config", cfg)
        #expect(second.status == 1)
        #expect(second.stderr.contains("is in use by another daemon (pid \(daemon.pid))"))
        #expect(try await daemon.stop() == 0)
    }

    @Test("a configured site the stored floor does not hold refuses the start, naming file, key and the stored sites")
    func siteNotOnFloor() async throws {
        let dir = TempDir()
        let port = freePort()
        // The demo floor holds DC and DRC; this agent claims DC and DRX.
        let cfg = dir.write(
            "dcagent.yaml",
            """
            agent: { name: site-check }
            sites:
              - { id: DC, name: Test DC, time_zone: Asia/Jakarta }
              - { id: DRX, name: Typo DRC, time_zone: Asia/Jakarta }
            storage: { path: \(dir.file("dcagent.sqlite")) }
            http: { port: \(port) }
            floor: { import_on_first_start: \(Repo.root)/config/floor/demo.yaml }
            """)
        let run = try await dcagent("run", "--config", cfg)
        #expect(run.status == 2, "\(run.output)")
        #expect(run.stderr.contains("\(cfg): sites[1].id: site 'DRX' is not on the stored floor (its sites: DC, DRC)"), "\(run.output)")
        #expect(httpGet(port: port, path: "/healthz") == nil)
    }
}
