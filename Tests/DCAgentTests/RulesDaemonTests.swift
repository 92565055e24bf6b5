import Foundation
@testable import ITSMLink
import NIOHTTP1
import Telemetry
import Glibc
import GRDB
import TestSupport
import Testing

/// The rules engine inside the daemon, against a real Modbus peer (pymodbus): a sensor is driven
/// over a threshold and back through its registers; the daemon is killed while the event fires.
@Suite("Rules in the daemon", .serialized, .timeLimit(.minutes(10)))
struct RulesDaemonTests {
    /// The venv's interpreter with pymodbus (`DCAGENT_PEERS_VENV`, default /opt/dcagent-peers).
    static var python: String { PythonPeers.python }
    static let peerScript = Repo.root + "/Tests/SensorDriverTests/Peers/modbus_peer.py"

    /// pymodbus serving the shipped profiles' register maps (unit 1: Vaisala HMT330, 22.25 °C).
    final class ModbusPeer {
        let process = Process()
        let port: Int
        init(port: Int, log: String) throws {
            self.port = port
            process.executableURL = URL(fileURLWithPath: RulesDaemonTests.python)
            process.arguments = [RulesDaemonTests.peerScript, "--port", String(port)]
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let h = FileHandle(forWritingAtPath: log)
            process.standardOutput = h
            process.standardError = h
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        deinit { stop() }

        /// Stops the peer by its PID (SIGKILL: it holds no state worth a clean exit).
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        /// Writes the HMT330's float temperature (manual address 0003, CDAB) through a pymodbus client.
        func setTemperature(_ celsius: Double) async throws {
            let script = """
                import struct, sys
                from pymodbus.client import ModbusTcpClient
                c = ModbusTcpClient("127.0.0.1", port=\(port))
                assert c.connect()
                hi, lo = struct.unpack(">HH", struct.pack(">f", \(celsius)))
                r = c.write_registers(2, [lo, hi], device_id=1)
                assert not r.isError(), r
                c.close()
                """
            let r = try await runProcess(RulesDaemonTests.python, ["-c", script])
            #expect(r.status == 0, "pymodbus write failed: \(r.output)")
        }
    }

    static func setup(
        _ dir: TempDir, modbusPort: Int, httpPort: Int, rules: String, floor: Bool = true, moreSensors: String = "", itsm: String = ""
    ) -> String {
        let ruleFile = dir.write("rules.yaml", rules)
        return testConfig(
            dir: dir, port: httpPort,
            extra: """
                profiles:
                  directory: \(Repo.root)/config/profiles
                \(floor ? "floor: { import_on_first_start: \(Repo.root)/config/floor/demo.yaml }" : "")
                sensors:
                  - id: DC-R01-TH1
                    profile: vaisala-hmt330
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: 1
                    interval: 300ms
                \(moreSensors)
                rules:
                  file: \(ruleFile)
                  evaluate_every: 200ms
                  checkpoint_every: 500ms
                  # These tests count the rules' events; whether the machine's clock is
                  # synchronised (a test VM's often is not) is not theirs to see.
                  check_clock_sync: false
                \(itsm)
                """)
    }

    /// A pymodbus peer on a free port, and a config polling its Vaisala (unit 1) with `rules`.
    struct Rig {
        let dir = TempDir()
        let httpPort = freePort()
        let peer: ModbusPeer
        let cfg: String

        init(rules: String, floor: Bool = true, itsm: String = "") async throws {
            let modbusPort = freePort()
            peer = try ModbusPeer(port: modbusPort, log: dir.file("peer.log"))
            try await waitUntil("pymodbus on port \(modbusPort)") { DemoFlowTests.tcpAnswers(modbusPort) }
            cfg = RulesDaemonTests.setup(dir, modbusPort: modbusPort, httpPort: httpPort, rules: rules, floor: floor, itsm: itsm)
        }
    }

    /// The RT tickets of the newest event's opening, by TicketSQL on its custom fields — RT's
    /// own search, not the adapter's find (which answers one).
    static func rtTickets(_ httpPort: Int, _ client: RTClient) async throws -> [Int] {
        guard let e = try events(httpPort).first, let key = e["dedup_key"] as? String,
            let seen = (e["first_seen"] as? String).flatMap(Timestamp.init(parsing:))
        else { return [] }
        let query = RTClient.ticketSQL(dedupKey: key, firstSeen: RTClient.firstSeenValue(seen.date))
        let (status, json) = try await client.send(.GET, "/tickets", query: [("query", query), ("per_page", "50")])
        guard status == 200 else { return [] }
        return ((json as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { RTClient.int($0["id"]) }
    }

    /// Polled devices from `/api/v1/devices`: id → successful polls.
    static func polled(_ port: Int) -> [String: Int] {
        guard let r = httpGet(port: port, path: "/api/v1/devices"), r.status == 200,
            let json = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
            let list = json["devices"] as? [[String: Any]]
        else { return [:] }
        var out: [String: Int] = [:]
        for d in list {
            if let id = d["id"] as? String { out[id] = (d["last_success"] is String) ? (d["polls"] as? Int ?? 0) : 0 }
        }
        return out
    }

    static let hotRule = """
        version: 1
        rules:
          - id: inlet-hot
            kind: threshold
            select: { points: [DC-R01-TH1/temperature] }
            warning: 30
            critical: 35
            clear: 28
        """

    /// Events from `/api/v1/events` (all, newest first).
    static func events(_ port: Int, firing: Bool = false, query: String = "") throws -> [[String: Any]] {
        let q = [firing ? "state=firing" : "", query].filter { !$0.isEmpty }.joined(separator: "&")
        guard let r = httpGet(port: port, path: "/api/v1/events" + (q.isEmpty ? "" : "?" + q)), r.status == 200,
            let json = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
            let list = json["events"] as? [[String: Any]]
        else { throw TestFailure("GET /api/v1/events failed") }
        return list
    }

    static func changes(_ port: Int) throws -> [[String: Any]] {
        guard let r = httpGet(port: port, path: "/api/v1/events/changes?after=0"), r.status == 200,
            let json = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
            let list = json["changes"] as? [[String: Any]]
        else { throw TestFailure("GET /api/v1/events/changes?after=0 failed") }
        return list
    }

    static func evaluations(_ port: Int) -> Int {
        guard let r = httpGet(port: port, path: "/healthz"),
            let json = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any],
            let rules = json["rules"] as? [String: Any]
        else { return -1 }
        return rules["evaluations"] as? Int ?? -1
    }

    @Test("a pymodbus sensor driven over the threshold and back: exactly one event fires and resolves, across a SIGKILL while it fires")
    func overAndBack() async throws {
        let rig = try await Rig(rules: Self.hotRule)
        defer { rig.peer.stop() }
        let (dir, httpPort, peer, cfg) = (rig.dir, rig.httpPort, rig.peer, rig.cfg)

        var daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon1.log"))
        try await daemon.waitHealthy()
        // Normal readings are evaluated and raise nothing.
        let d1 = daemon
        try await waitUntil("rules evaluations; log:\n\(d1.log)") { Self.evaluations(httpPort) >= 5 }
        #expect(try Self.events(httpPort).isEmpty)

        try await peer.setTemperature(38.5)
        try await waitUntil("the inlet-hot event to fire; log:\n\(d1.log)") { try Self.events(httpPort, firing: true).count == 1 }
        let fired = try Self.events(httpPort, firing: true)[0]
        #expect(fired["rule"] as? String == "inlet-hot")
        #expect(fired["severity"] as? String == "critical")
        #expect(fired["scope"] as? String == "DC-R01-TH1")
        #expect(fired["point"] as? String == "DC-R01-TH1/temperature")
        #expect((fired["message"] as? String)?.contains("38.5") == true, "\(fired)")
        #expect((fired["evidence"] as? [[String: Any]])?.isEmpty == false)
        // Filters: the probe's rack and room find it; another rack, or a severity it has not, do not;
        // a bad filter value is refused, not ignored.
        #expect(fired["rack"] as? String == "DC-R01" && fired["room"] as? String == "DC-H1", "\(fired)")
        #expect(try Self.events(httpPort, query: "rack=DC-R01&severity=warning,critical").count == 1)
        #expect(try Self.events(httpPort, query: "room=DC-H1&rule=inlet-hot&ci=DC-R01-TH1").count == 1)
        #expect(try Self.events(httpPort, query: "rack=DC-R02").isEmpty)
        #expect(try Self.events(httpPort, query: "severity=info").isEmpty)
        let bad = httpGet(port: httpPort, path: "/api/v1/events?severity=urgent")
        #expect(bad?.status == 400 && bad?.body.contains("severity 'urgent'") == true, "\(String(describing: bad))")
        #expect(httpGet(port: httpPort, path: "/api/v1/events?rack=not%20an%20id")?.status == 400)

        // A crash while the event fires: nothing committed is lost, nothing is opened twice.
        daemon.signal(SIGKILL)
        try await waitUntil("the daemon to die") { !d1.process.isRunning }
        daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon2.log"))
        try await daemon.waitHealthy()
        let d2 = daemon
        try await d2.waitForLog("rules.resumed=true")
        // The checkpoint holds no reading history: the stored readings were read back.
        let warmed = d2.log.firstMatch(of: /rules.warmed_readings=(\d+)/).flatMap { Int($0.1) } ?? 0
        #expect(warmed > 0, "\(d2.log)")
        try await waitUntil("evaluations after the restart") { Self.evaluations(httpPort) >= 10 }
        let afterRestart = try Self.events(httpPort)
        #expect(afterRestart.count == 1, "\(afterRestart)")
        #expect(afterRestart.first?["state"] as? String == "firing")
        #expect(afterRestart.first?["id"] as? Int == fired["id"] as? Int)

        // Back under the clear level: the same event resolves.
        try await peer.setTemperature(22.25)
        try await waitUntil("the event to resolve; log:\n\(d2.log)") { try Self.events(httpPort, firing: true).isEmpty }
        let all = try Self.events(httpPort)
        #expect(all.count == 1)
        #expect(all.first?["state"] as? String == "resolved")
        #expect(all.first?["resolved_at"] is String)
        let log = try Self.changes(httpPort).map { $0["change"] as? String ?? "?" }
        #expect(log == ["opened", "resolved"], "\(log)")

        // The CLI reads the same rows.
        let list = try await dcagent("events", "list", "--all", "--config", cfg)
        #expect(list.status == 0 && list.stdout.contains("resolved") && list.stdout.contains("DC-R01-TH1"), "\(list.output)")
        let onRack = try await dcagent("events", "list", "--all", "--rack", "DC-R01", "--severity", "critical", "--config", cfg)
        #expect(onRack.status == 0 && onRack.stdout.contains("DC-R01-TH1"), "\(onRack.output)")
        let elsewhere = try await dcagent("events", "list", "--all", "--rack", "DC-R02", "--config", cfg)
        #expect(elsewhere.status == 0 && elsewhere.stdout == "no events match\n", "\(elsewhere.output)")
        let badSeverity = try await dcagent("events", "list", "--severity", "urgent", "--config", cfg)
        // ArgumentParser's ValidationError from validate(): exit 64 (EX_USAGE).
        #expect(badSeverity.status == 64 && badSeverity.stderr.contains("severity 'urgent'"), "\(badSeverity.output)")
        let show = try await dcagent("events", "show", "\(fired["id"] as? Int ?? 0)", "--config", cfg)
        #expect(show.stdout.contains("opened") && show.stdout.contains("resolved") && show.stdout.contains("evidence:"), "\(show.output)")
        #expect(try await daemon.stop() == 0)
    }

    @Test("events into built-in incidents: a pymodbus sensor over the threshold opens one ticket, a SIGKILL makes no second, the clear resolves it after the hold-off")
    func incidents() async throws {
        let rig = try await Rig(
            rules: Self.hotRule,
            itsm: """
                itsm:
                  tickets: builtin
                  tick: 200ms
                  policy: { resolve_after: 2s }
                """)
        defer { rig.peer.stop() }
        let (dir, httpPort, peer, cfg) = (rig.dir, rig.httpPort, rig.peer, rig.cfg)
        func tickets() async throws -> [String] {
            try await dcagent("itsm", "tickets", "--config", cfg).stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("INC-") }
        }
        var daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon1.log"))
        try await daemon.waitHealthy()
        try await peer.setTemperature(38.5)
        let d1 = daemon
        try await waitUntil("a ticket; log:\n\(d1.log)") { try await tickets().count == 1 }
        let first = try await tickets()
        // P1 from the matrix: rack DC-R01 hosts SVC-EMAIL (criticality 1 on the demo floor),
        // impact 1 × urgency 1 (critical).
        #expect(first[0].hasPrefix("INC-000001\topen\tP1\tcritical\tDC-R01-TH1"), "\(first)")
        // A crash while it fires: after the restart still exactly one ticket.
        daemon.signal(SIGKILL)
        try await waitUntil("the daemon to die") { !d1.process.isRunning }
        daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon2.log"))
        try await daemon.waitHealthy()
        try await waitUntil("evaluations after the restart") { Self.evaluations(httpPort) >= 10 }
        #expect(try await tickets().count == 1)
        // Back under the clear level: the event resolves, the ticket after the 2 s hold-off.
        try await peer.setTemperature(22.25)
        let d2 = daemon
        try await waitUntil("the event to resolve; log:\n\(d2.log)") { try Self.events(httpPort, firing: true).isEmpty }
        try await waitUntil("the ticket to resolve; log:\n\(d2.log)") { try await tickets().first?.contains("\tresolved\t") == true }
        #expect(try await tickets().count == 1)
        let ticket = try await dcagent("itsm", "ticket", "INC-000001", "--config", cfg)
        // "  <time>  <what>  <text>" per step, after the number and the summary line.
        let steps = ticket.stdout.split(separator: "\n").dropFirst(2).map { line -> String in
            let parts = line.components(separatedBy: "  ")
            return parts.count > 2 ? parts[2] : ""
        }
        #expect(steps.first == "opened" && steps.last == "resolved", "\(ticket.output)")
        let id = try #require(try Self.events(httpPort).first?["id"] as? Int)
        let show = try await dcagent("events", "show", "\(id)", "--config", cfg)
        #expect(show.stdout.contains("ticket (builtin): INC-000001 — resolved"), "\(show.output)")
        // The API says the same.
        let detail = try #require(httpGet(port: httpPort, path: "/api/v1/events/\(id)"))
        let links = (try JSONSerialization.jsonObject(with: Data(detail.body.utf8)) as? [String: Any])?["tickets"] as? [[String: Any]]
        #expect(links?.first?["ticket"] as? String == "INC-000001" && links?.first?["state"] as? String == "resolved", "\(detail.body)")
        let listed = try #require(httpGet(port: httpPort, path: "/api/v1/tickets?state=all"))
        #expect(listed.status == 200 && listed.body.contains(#""number":"INC-000001""#) && listed.body.contains(#""state":"resolved""#), "\(listed.body)")
        #expect(httpGet(port: httpPort, path: "/api/v1/tickets?state=open")?.body == #"{"tickets":[]}"#)
        let one = try #require(httpGet(port: httpPort, path: "/api/v1/tickets/INC-000001"))
        #expect(one.status == 200 && one.body.contains(#""what":"opened""#) && one.body.contains(#""what":"resolved""#), "\(one.body)")
        #expect(httpGet(port: httpPort, path: "/api/v1/tickets/INC-999999")?.status == 404)
        let health = try #require(httpGet(port: httpPort, path: "/healthz"))
        let itsm = (try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])?["itsm"] as? [String: Any]
        #expect(itsm?["tickets"] as? String == "builtin" && itsm?["pending"] as? Int == 0 && (itsm?["sent"] as? Int ?? 0) >= 2, "\(health.body)")
        let status = try await dcagent("itsm", "status", "--config", cfg)
        #expect(status.stdout.hasPrefix("pending\t0\n") && status.stdout.contains("dead\t0"), "\(status.output)")
        #expect(try await daemon.stop() == 0)
    }

    @Test("events into Request Tracker 5: a pymodbus sensor over the threshold opens one RT incident, critical updates it, a SIGKILL makes no second, the clear resolves it after the hold-off")
    func incidentsInRT() async throws {
        let rt = try await RequestTracker.shared.get()
        let rig = try await Rig(
            rules: Self.hotRule,
            itsm: """
                itsm:
                  tickets: rt
                  tick: 200ms
                  rt: { url: "\(rt.baseURL)", queue: \(RequestTracker.queue), user: \(rt.user), password_file: \(rt.passwordFile) }
                  policy: { resolve_after: 2s }
                """)
        defer { rig.peer.stop() }
        let (dir, httpPort, peer, cfg) = (rig.dir, rig.httpPort, rig.peer, rig.cfg)
        let client = RTClient(baseURL: rt.baseURL, auth: .basic(user: rt.user, password: try rt.password()), timeout: .seconds(10))
        func rtTickets() async throws -> [Int] { try await Self.rtTickets(httpPort, client) }
        var daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon1.log"))
        try await daemon.waitHealthy()
        try await peer.setTemperature(32.5)
        let d1 = daemon
        try await waitUntil("an RT ticket; log:\n\(d1.log)") { try await rtTickets().count == 1 }
        let id = try #require(try await rtTickets().first)
        #expect(try await client.ticket(id).customField(RTClient.Field.severity) == "warning")
        try await peer.setTemperature(38.5)
        try await waitUntil("the critical update delivered; log:\n\(d1.log)") {
            let critical = try Self.events(httpPort, firing: true).first?["severity"] as? String == "critical"
            let status = try await dcagent("itsm", "status", "--config", cfg)
            return critical && status.stdout.hasPrefix("pending\t0\n")
        }
        daemon.signal(SIGKILL)
        try await waitUntil("the daemon to die") { !d1.process.isRunning }
        daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon2.log"))
        try await daemon.waitHealthy()
        try await waitUntil("evaluations after the restart") { Self.evaluations(httpPort) >= 10 }
        #expect(try await rtTickets() == [id], "one RT ticket across the SIGKILL")
        try await peer.setTemperature(22.25)
        let d2 = daemon
        try await waitUntil("the RT ticket to resolve; log:\n\(d2.log)") { try await client.ticket(id).status == "resolved" }
        #expect(try await rtTickets() == [id])
        let show = try await dcagent("events", "show", "\(try #require(try Self.events(httpPort).first?["id"] as? Int))", "--config", cfg)
        #expect(show.stdout.contains("ticket (rt): \(id) — resolved"), "\(show.output)")
        #expect(try await daemon.stop() == 0)
        // The password is in no log.
        let password = try rt.password()
        #expect(!d1.log.contains(password) && !d2.log.contains(password))
    }

    @Test("SIGKILL after RT accepted a create and before the ticket id was committed (a fault hook): after the restart exactly one RT ticket")
    func killAfterRTCreate() async throws {
        let rt = try await RequestTracker.shared.get()
        let rig = try await Rig(
            rules: Self.hotRule,
            itsm: """
                itsm:
                  tickets: rt
                  tick: 200ms
                  rt: { url: "\(rt.baseURL)", queue: \(RequestTracker.queue), user: \(rt.user), password_file: \(rt.passwordFile) }
                """)
        defer { rig.peer.stop() }
        let (dir, httpPort, peer, cfg) = (rig.dir, rig.httpPort, rig.peer, rig.cfg)
        let client = RTClient(baseURL: rt.baseURL, auth: .basic(user: rt.user, password: try rt.password()), timeout: .seconds(10))
        func rtTickets() async throws -> [Int] { try await Self.rtTickets(httpPort, client) }
        let faulty = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon1.log"), environment: ["DCAGENT_TEST_FAULT": "kill-after-rt-create"])
        try await faulty.waitHealthy()
        try await peer.setTemperature(38.5)
        try await waitUntil("the fault hook's SIGKILL; log:\n\(faulty.log)") { !faulty.process.isRunning }
        #expect(faulty.process.terminationReason == .uncaughtSignal && faulty.process.terminationStatus == SIGKILL)
        #expect(faulty.log.contains("test fault: SIGKILL after RT created ticket"))
        // RT has the ticket; the agent never committed its id. The open is still in the outbox.
        let made = try await dcagent("itsm", "status", "--config", cfg)
        #expect(made.stdout.hasPrefix("pending\t1"), "\(made.output)")
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon2.log"))
        try await daemon.waitHealthy()
        try await waitUntil("the open delivered after the restart; log:\n\(daemon.log)") {
            (try await dcagent("itsm", "status", "--config", cfg)).stdout.hasPrefix("pending\t0\n")
        }
        let tickets = try await rtTickets()
        #expect(tickets.count == 1, "exactly one RT ticket: \(tickets)")
        let id = try #require(try Self.events(httpPort).first?["id"] as? Int)
        let show = try await dcagent("events", "show", "\(id)", "--config", cfg)
        #expect(show.stdout.contains("ticket (rt): \(tickets.first ?? 0) — open"), "\(show.output)")
        #expect(try await daemon.stop() == 0)
    }

    @Test("/api/v1/events/stream sends each change as a server-sent event; Last-Event-ID resumes after it; shutdown ends the stream")
    func eventStream() async throws {
        let rig = try await Rig(rules: Self.hotRule)
        defer { rig.peer.stop() }
        let daemon = try Daemon(config: rig.cfg, port: rig.httpPort, logPath: rig.dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let url = "http://127.0.0.1:\(rig.httpPort)/api/v1/events/stream"
        // A client connected before anything happens sees the changes as they come.
        // curl writes to a file as it receives, so the test knows when the stream has started.
        let liveFile = rig.dir.file("live.sse")
        async let live = runProcess("/usr/bin/curl", ["-sN", "--max-time", "20", "-o", liveFile, url])
        try await waitUntil("the live stream's preamble") {
            ((try? String(contentsOfFile: liveFile, encoding: .utf8)) ?? "").contains(": dcagent event changes after 0")
        }
        try await waitUntil("rules evaluations") { Self.evaluations(rig.httpPort) >= 3 }
        try await rig.peer.setTemperature(38.5)
        try await waitUntil("the event to fire") { try Self.events(rig.httpPort, firing: true).count == 1 }
        try await rig.peer.setTemperature(22.25)
        try await waitUntil("the event to resolve") { try Self.events(rig.httpPort, firing: true).isEmpty }
        // Resume after the first change: only the second comes. curl writes what arrives to a
        // file; once the second change is there (bounded wait), curl is stopped by its PID.
        let resumedFile = rig.dir.file("resumed.sse")
        let resume = Process()
        resume.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        resume.arguments = ["-sN", "--max-time", "60", "-H", "Last-Event-ID: 1", "-o", resumedFile, url]
        resume.standardInput = FileHandle.nullDevice
        try resume.run()
        defer { if resume.isRunning { kill(resume.processIdentifier, SIGKILL) } }
        func resumedText() -> String { (try? String(contentsOfFile: resumedFile, encoding: .utf8)) ?? "" }
        try await waitUntil("the resumed stream to carry the second change; got:\n\(resumedText())") {
            resumedText().contains("\"change\":\"resolved\"")
        }
        // SIGKILL: what it received is in the file already (children spawned from the test
        // process may start with SIGTERM blocked, so curl could outlive a SIGTERM).
        kill(resume.processIdentifier, SIGKILL)
        try await waitUntil("the resuming curl to stop") { !resume.isRunning }
        let resumed = resumedText()
        #expect(resumed.contains("id: 2\nevent: change\ndata: {"), "\(resumed)")
        #expect(!resumed.contains("id: 1\n"), "\(resumed)")
        #expect(resumed.components(separatedBy: "event: change").count - 1 == 1, "\(resumed)")
        // Shutdown ends an open stream (curl exits before its 20 s limit: status 0, not 28).
        #expect(try await daemon.stop() == 0)
        let stream = try await live
        #expect(stream.status == 0, "curl exit \(stream.status): \(stream.stderr)")
        let received = try String(contentsOfFile: liveFile, encoding: .utf8)
        let messages = received.components(separatedBy: "\n\n").filter { $0.contains("event: change") }
        #expect(messages.count == 2, "\(received)")
        #expect(messages.first?.hasPrefix("id: 1\nevent: change\ndata: {") == true)
        #expect(messages.first?.contains("\"change\":\"opened\"") == true && messages.first?.contains("\"rule\":\"inlet-hot\"") == true)
        #expect(messages.last?.contains("\"change\":\"resolved\"") == true)
    }

    @Test("a rule file with a misspelt key or an unknown point stops the start, naming the rule; check-config says the same")
    func badRulesRefused() async throws {
        let dir = TempDir()
        let httpPort = freePort()
        let cfg = Self.setup(
            dir, modbusPort: freePort(), httpPort: httpPort,
            rules: """
                rules:
                  - id: inlet-hot
                    kind: threshold
                    select: { point: DC-R01-TH1/temperature }
                    warning: 30
                  - id: ghost
                    kind: threshold
                    select: { points: [DC-R99-TH1/temperature] }
                    warning: 30
                """)
        let check = try await dcagent("check-config", cfg)
        #expect(check.status == 1 && check.stdout.contains("1 of 1 file failed"), "\(check.output)")
        #expect(check.stdout.contains("rule 'inlet-hot', key 'select.point': unknown key"), "\(check.output)")
        #expect(check.stdout.contains("rule 'ghost', key 'select.points[0]': unknown point 'DC-R99-TH1/temperature'"), "\(check.output)")

        let run = try await dcagent("run", "--config", cfg)
        #expect(run.status == 2, "\(run.output)")
        #expect(run.stderr.contains("rule 'inlet-hot', key 'select.point': unknown key"), "\(run.output)")
        #expect(httpGet(port: httpPort, path: "/healthz") == nil)
    }

    @Test("obligation records: the escort rule, the audit row, and the overdue event resolving in the running daemon")
    func obligations() async throws {
        let dir = TempDir()
        let httpPort = freePort()
        let cfg = Self.setup(
            dir, modbusPort: freePort(), httpPort: httpPort,
            rules: """
                rules:
                  - id: yearly
                    kind: obligation
                    obligations: [cleaning]
                """)
        #expect(try await dcagent("user", "add", "root-admin", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "ana", "--role", "engineer", "--as", "root-admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "vic", "--role", "viewer", "--as", "root-admin", "--config", cfg).status == 0)
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        // Never cleaned: one overdue event per room of the demo floor (DC-H1, DRC-H1).
        try await waitUntil("overdue events; log:\n\(daemon.log)") { try Self.events(httpPort, firing: true).count == 2 }

        // A third party cleaning a sensitive room without an escort is refused (I.2.b.4.b).
        let noEscort = try await dcagent(
            "obligations", "record", "DC-H1", "cleaning", "--done-at", "2026-06-01", "--by", "PT Bersih", "--third-party", "PT Bersih",
            "--as", "ana", "--config", cfg)
        // A StoreError: exit 1, its message on stderr.
        #expect(noEscort.status == 1, "\(noEscort.output)")
        #expect(noEscort.stderr.contains("dcagent: escort: cleaning of sensitive room DC-H1 by third party PT Bersih needs an escort"), "\(noEscort.output)")
        // A viewer may not record.
        let viewer = try await dcagent(
            "obligations", "record", "DC-H1", "cleaning", "--done-at", "2026-06-01", "--by", "x", "--as", "vic", "--config", cfg)
        #expect(viewer.status == 1 && viewer.stderr.contains("user 'vic' (role viewer) may not record obligations; it needs role engineer"), "\(viewer.output)")

        let ok = try await dcagent(
            "obligations", "record", "DC-H1", "cleaning", "--done-at", "2026-06-01", "--by", "PT Bersih", "--third-party", "PT Bersih",
            "--escort", "Budi", "--document", "WO-118", "--as", "ana", "--config", cfg)
        #expect(ok.status == 0, "\(ok.output)")
        try await waitUntil("DC-H1's event to resolve; log:\n\(daemon.log)") {
            let firing = try Self.events(httpPort, firing: true)
            return firing.count == 1 && firing.first?["scope"] as? String == "DRC-H1"
        }
        let status = try await dcagent("obligations", "status", "--config", cfg)
        #expect(status.stdout.contains("DC-H1\tcleaning\tok\tlast 2026-06-01T00:00:00.000Z by PT Bersih"), "\(status.output)")
        #expect(status.stdout.contains("DRC-H1\tcleaning\toverdue"), "\(status.output)")
        let audit = try await dcagent("audit", "log", "--config", cfg)
        #expect(audit.stdout.contains("obligation.record"), "\(audit.output)")
        #expect(try await daemon.stop() == 0)
    }

    @Test("operator actions from the CLI while the daemon runs: ack, note, assign, silence, unsilence; events show and the API list them")
    func operatorActions() async throws {
        let dir = TempDir()
        let httpPort = freePort()
        let cfg = Self.setup(
            dir, modbusPort: freePort(), httpPort: httpPort,
            rules: """
                rules:
                  - id: yearly
                    kind: obligation
                    obligations: [cleaning]
                """)
        #expect(try await dcagent("user", "add", "root-admin", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "ops", "--role", "operator", "--as", "root-admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "vic", "--role", "viewer", "--as", "root-admin", "--config", cfg).status == 0)
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        try await waitUntil("overdue events; log:\n\(daemon.log)") { try Self.events(httpPort, firing: true).count == 2 }
        let id = try #require(try Self.events(httpPort, firing: true).first?["id"] as? Int)
        let act: [[String]] = [
            ["ack", "\(id)", "--note", "on it"],
            ["note", "\(id)", "cleaning contractor booked for Friday"],
            ["assign", "\(id)", "ops"],
            ["silence", "\(id)", "--for", "2h", "--note", "until the contractor comes"],
        ]
        for args in act {
            let r = try await runProcess(Repo.dcagent, ["events"] + args + ["--as", "ops", "--config", cfg])
            #expect(r.status == 0 && r.stdout.hasPrefix("event \(id): "), "\(args): \(r.output)")
        }
        let viewer = try await dcagent("events", "ack", "\(id)", "--as", "vic", "--config", cfg)
        #expect(viewer.status == 1 && viewer.stderr.contains("user 'vic' (role viewer) may not acknowledge events"), "\(viewer.output)")
        let twice = try await dcagent("events", "ack", "\(id)", "--as", "ops", "--config", cfg)
        #expect(twice.status == 1 && twice.stderr.contains("acknowledged already by ops"), "\(twice.output)")
        let show = try await dcagent("events", "show", "\(id)", "--config", cfg)
        for line in [
            "acknowledged by ops at", "assigned to ops", "silenced until", "acknowledged  by ops: on it",
            "annotated  by ops: cleaning contractor booked for Friday", "assigned  by ops to ops", "silenced  by ops until",
        ] {
            #expect(show.stdout.contains(line), "'\(line)' in:\n\(show.stdout)")
        }
        // The daemon serves what the CLI committed.
        try await waitUntil("the acknowledgement in the API") {
            let e = try Self.events(httpPort).first { $0["id"] as? Int == id }
            return e?["acknowledged_by"] as? String == "ops" && e?["assignee"] as? String == "ops" && e?["notes"] as? Int == 3
        }
        #expect(try await dcagent("events", "unsilence", "\(id)", "--as", "ops", "--config", cfg).status == 0)
        let audit = try await dcagent("audit", "log", "--config", cfg)
        for action in ["event.ack", "event.note", "event.assign", "event.silence", "event.unsilence"] {
            #expect(audit.stdout.contains("\tops\t\(action)\tevent/\(id)"), "\(action):\n\(audit.stdout)")
        }
        #expect(try await daemon.stop() == 0)
    }

    @Test("SIGHUP reads the rule file again; a file that no longer compiles keeps the running rules")
    func reloadRules() async throws {
        let rig = try await Rig(rules: Self.hotRule)
        defer { rig.peer.stop() }
        let (dir, httpPort, cfg) = (rig.dir, rig.httpPort, rig.cfg)
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        try await waitUntil("rules evaluations") { Self.evaluations(httpPort) >= 5 }
        #expect(try Self.events(httpPort).isEmpty)

        // Lower the warning level under the probe's 22.25 °C: the reloaded rule fires.
        _ = dir.write("rules.yaml", Self.hotRule.replacingOccurrences(of: "warning: 30", with: "warning: 20").replacingOccurrences(of: "clear: 28", with: "clear: 19"))
        daemon.signal(SIGHUP)
        try await waitUntil("the reloaded rule to fire; log:\n\(daemon.log)") { try Self.events(httpPort, firing: true).count == 1 }
        try await daemon.waitForLog("rules reloaded")

        // A broken file: refused, every problem logged, the running rules (and the event) stay.
        _ = dir.write("rules.yaml", "rules:\n  - { id: inlet-hot, kind: threshold, select: { points: [DC-R01-TH1/temperature] }, warning: 20, critical: 10 }\n")
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("rules NOT reloaded")
        try await daemon.waitForLog("rule 'inlet-hot', key 'warning'")
        let before = Self.evaluations(httpPort)
        try await waitUntil("evaluations after the refused reload") { Self.evaluations(httpPort) >= before + 5 }
        let firing = try Self.events(httpPort, firing: true)
        #expect(firing.count == 1 && firing.first?["rule"] as? String == "inlet-hot")
        #expect(try await daemon.stop() == 0)
    }

    @Test("a floor imported while the daemon runs reaches the rules at the next tick")
    func floorChange() async throws {
        let rig = try await Rig(
            rules: "rules: [{ id: inlet-hot, kind: threshold, select: { quantity: temperature, name: temperature }, warning: 30, clear: 28 }]",
            floor: false)
        defer { rig.peer.stop() }
        let (dir, httpPort, peer, cfg) = (rig.dir, rig.httpPort, rig.peer, rig.cfg)
        let text = try String(contentsOfFile: cfg, encoding: .utf8)
        #expect(!text.contains("import_on_first_start"), "\(text)")
        #expect(try await dcagent("user", "add", "root-admin", "--role", "admin", "--config", cfg).status == 0)
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        // No floor: the probe is on no rack of any room, so no rule watches it.
        try await peer.setTemperature(38.5)
        try await waitUntil("rules evaluations") { Self.evaluations(httpPort) >= 10 }
        #expect(try Self.events(httpPort).isEmpty)
        let imported = try await dcagent("floor", "import", Repo.root + "/config/floor/demo.yaml", "--as", "root-admin", "--config", cfg)
        #expect(imported.status == 0, "\(imported.output)")
        try await waitUntil("the event after the floor import; log:\n\(daemon.log)") { try Self.events(httpPort, firing: true).count == 1 }
        try await daemon.waitForLog("rules.reload=\"the stored floor changed\"")
        #expect(try await daemon.stop() == 0)
    }

    @Test("a maintenance window records the event but marks it not notified")
    func maintenance() async throws {
        let rig = try await Rig(rules: Self.hotRule)
        defer { rig.peer.stop() }
        let (dir, httpPort, peer, cfg) = (rig.dir, rig.httpPort, rig.peer, rig.cfg)
        #expect(try await dcagent("user", "add", "root-admin", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "op", "--role", "operator", "--as", "root-admin", "--config", cfg).status == 0)
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let open = try await dcagent("maintenance", "open", "DC-R01", "--duration", "1h", "--reason", "CHG-7", "--as", "op", "--config", cfg)
        #expect(open.status == 0, "\(open.output)")
        let unknown = try await dcagent("maintenance", "open", "DC-R77", "--duration", "1h", "--reason", "x", "--as", "op", "--config", cfg)
        #expect(unknown.status == 1 && unknown.stderr.contains("dcagent: no CI 'DC-R77' on any stored floor"), "\(unknown.output)")
        // The window is read at the next tick; let one pass before the breach.
        let before = Self.evaluations(httpPort)
        try await waitUntil("a tick after the window opened") { Self.evaluations(httpPort) >= before + 3 }
        try await peer.setTemperature(38.5)
        try await waitUntil("the event to fire; log:\n\(daemon.log)") { try Self.events(httpPort, firing: true).count == 1 }
        let e = try Self.events(httpPort, firing: true)[0]
        #expect(e["suppressed"] as? Bool == true, "\(e)")
        let change = try Self.changes(httpPort).first
        #expect(change?["notify"] as? Bool == false, "\(String(describing: change))")
        #expect(try await daemon.stop() == 0)
    }

    @Test("SIGHUP adds, changes and removes sensors without a restart; a sensor that does not build refuses the reload; an unchanged config leaves the polling alone")
    func sensorsReload() async throws {
        // A stale rule on every temperature: an added sensor must not be stale for the time
        // before it was added, nor a removed one stale forever after. (3 s: readings reach the
        // rules when the writer commits, up to a flush interval after the poll.)
        let rules = Self.hotRule + """

              - { id: stale, kind: stale, select: { quantity: temperature }, interval: 1s, intervals: 3 }
              - { id: down, kind: offline }

            """
        let rig = try await Rig(rules: rules)
        defer { rig.peer.stop() }
        let (dir, httpPort, cfg) = (rig.dir, rig.httpPort, rig.cfg)
        let modbusPort = rig.peer.port
        func rewrite(_ more: String) {
            _ = RulesDaemonTests.setup(dir, modbusPort: modbusPort, httpPort: httpPort, rules: rules, moreSensors: more)
        }
        func probe(_ unit: Int, profile: String = "generic-th-probe", port: Int? = nil) -> String {
            """
              - id: DC-R02-TH1
                profile: \(profile)
                endpoint: tcp://127.0.0.1:\(port ?? modbusPort)
                unit: \(unit)
                interval: 300ms
                timeout: 500ms
            """
        }
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        try await waitUntil("DC-R01-TH1 polled") { (Self.polled(httpPort)["DC-R01-TH1"] ?? 0) >= 2 }
        #expect(Self.polled(httpPort)["DC-R02-TH1"] == nil)

        // Added: polled at once, its points registered with their quantity (the rules see them).
        rewrite(probe(4))
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("sensors replaced: added DC-R02-TH1")
        try await waitUntil("DC-R02-TH1 polled; devices: \(httpGet(port: httpPort, path: "/api/v1/devices")?.body ?? "-")") { (Self.polled(httpPort)["DC-R02-TH1"] ?? 0) >= 2 }
        try await waitUntil("DC-R01-TH1 still polled") { (Self.polled(httpPort)["DC-R01-TH1"] ?? 0) >= 2 }
        let db = try DatabaseQueue(path: dir.file("dcagent.sqlite"), configuration: { var c = Configuration(); c.readonly = true; return c }())
        // Registered in the writer's next transaction (issue 10), with the first readings at the latest.
        func described() async throws -> String? {
            try await db.read { db in try String.fetchOne(db, sql: "SELECT quantity FROM points WHERE key = 'DC-R02-TH1/temperature'") }
        }
        try await waitUntil("DC-R02-TH1/temperature registered") { try await described() != nil }
        #expect(try await described() == "temperature")
        try await daemon.waitForLog("rules.reload=\"sensors changed\"")

        // A sensor that does not build (unknown profile): the whole reload is refused, both
        // sensors keep polling.
        rewrite(probe(4, profile: "no-such-profile"))
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("configuration NOT reloaded")
        try await daemon.waitForLog("no-such-profile")
        let before = Self.polled(httpPort)["DC-R02-TH1"] ?? 0
        try await waitUntil("DC-R02-TH1 still polled after the refusal") { (Self.polled(httpPort)["DC-R02-TH1"] ?? 0) >= before + 2 }

        // An unchanged config: reloaded, but the polling is not replaced.
        rewrite(probe(4))
        let replacedBefore = daemon.log.components(separatedBy: "sensors replaced").count
        let plansBefore = daemon.log.components(separatedBy: "modbus plan:").count
        let reloadedBefore = daemon.log.components(separatedBy: "msg=\"configuration reloaded\"").count
        daemon.signal(SIGHUP)
        try await waitUntil("the no-op reload") { daemon.log.components(separatedBy: "msg=\"configuration reloaded\"").count > reloadedBefore }
        #expect(daemon.log.components(separatedBy: "sensors replaced").count == replacedBefore, "\(daemon.log)")
        #expect(daemon.log.components(separatedBy: "modbus plan:").count == plansBefore, "no reader was even built: \(daemon.log)")

        // Changed to an endpoint where nothing listens: offline after 3 refused polls.
        rewrite(probe(4, port: freePort()))
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("sensors replaced: changed DC-R02-TH1")
        try await waitUntil(timeout: .seconds(30), "DC-R02-TH1 offline event; log:\n\(daemon.log)") {
            try Self.events(httpPort, firing: true).contains { $0["rule"] as? String == "down" && $0["scope"] as? String == "DC-R02-TH1" }
        }
        // Removed while offline: its offline event resolves, saying why.
        rewrite("")
        daemon.signal(SIGHUP)
        try await daemon.waitForLog("sensors replaced: removed DC-R02-TH1")
        try await waitUntil("DC-R02-TH1 no longer polled") { Self.polled(httpPort)["DC-R02-TH1"] == nil }
        try await waitUntil("its offline event resolved") {
            try Self.events(httpPort).contains {
                $0["rule"] as? String == "down" && $0["state"] as? String == "resolved"
                    && ($0["message"] as? String)?.contains("DC-R02-TH1 is no longer polled (removed from the configuration)") == true
            }
        }
        let r01 = Self.polled(httpPort)["DC-R01-TH1"] ?? 0
        try await waitUntil("DC-R01-TH1 polled on") { (Self.polled(httpPort)["DC-R01-TH1"] ?? 0) >= r01 + 2 }
        // Well past the stale limit (3 s) after the removal: the removed sensor's points are not
        // watched, and no stale event ever opened for the added one.
        let evaluated = Self.evaluations(httpPort)
        try await waitUntil("evaluations after the removal") { Self.evaluations(httpPort) >= evaluated + 20 }
        let stale = try Self.events(httpPort).filter { $0["rule"] as? String == "stale" }
        #expect(stale.isEmpty, "\(stale)")
        try await daemon.waitForLog("config.applied=sensors,rules.file")
        #expect(try await daemon.stop() == 0)
    }
}
