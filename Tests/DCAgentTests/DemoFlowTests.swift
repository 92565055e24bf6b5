import Foundation
import Glibc
import GRDB
import TestSupport
import Testing

/// The whole demo flow on one machine: dcagent-sim serves the shipped profiles' register maps
/// and an snmpd per PDU; the daemon polls them into the store; injected faults show up.
@Suite("Demo flow: simulator, probe, daemon", .serialized, .timeLimit(.minutes(10)))
struct DemoFlowTests {
    static var simBinary: String { (Repo.dcagent as NSString).deletingLastPathComponent + "/dcagent-sim" }

    /// Starts `dcagent-sim run` with its log in a file; stopped by PID on deinit.
    final class Simulator {
        let process = Process()
        let log: String
        init(config: String, state: String, log: String) throws {
            self.log = log
            process.executableURL = URL(fileURLWithPath: DemoFlowTests.simBinary)
            process.arguments = ["run", "--config", config, "--state", state]
            FileManager.default.createFile(atPath: log, contents: nil)
            let h = FileHandle(forWritingAtPath: log)
            process.standardOutput = h
            process.standardError = h
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        deinit { if process.isRunning { kill(process.processIdentifier, SIGTERM) } }
    }

    static func tcpAnswers(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    @Test("probe reads the simulator; the daemon polls every sensor into the store; an offline sensor goes offline while the others keep their schedule")
    func demoFlow() async throws {
        let dir = TempDir()
        let modbusPort = freePort()
        let snmpPort = freePort()
        let httpPort = freePort()
        let cfg = testConfig(
            dir: dir, port: httpPort,
            extra: """
                profiles:
                  directory: \(Repo.root)/config/profiles
                sensors:
                  - id: DC-R01-TH1
                    profile: generic-th-probe
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: 1
                    rack: DC-R01
                    interval: 500ms
                  - id: DC-R02-TH1
                    profile: generic-th-probe
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: 2
                    rack: DC-R02
                    interval: 500ms
                    timeout: 300ms
                  - id: DC-H1-DI1
                    profile: generic-di-module
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: 3
                    interval: 500ms
                  - id: DC-R01-PDU-A
                    profile: apc-rpdu2
                    endpoint: udp://127.0.0.1:\(snmpPort)
                    rack: DC-R01
                    interval: 1s
                """)
        let check = try await dcagent("check-config", cfg)
        #expect(check.status == 0, "\(check.output)")
        let sim = try Simulator(config: cfg, state: dir.file("sim"), log: dir.file("sim.log"))
        try await waitUntil(timeout: .seconds(60), "the simulator's Modbus gateway") { Self.tcpAnswers(modbusPort) }
        _ = sim

        // Commissioning: one read, every point with raw and engineering value.
        let probe = try await dcagent(
            "probe", "modbus", "tcp://127.0.0.1:\(modbusPort)", "--unit", "1", "--profile", "generic-th-probe", "--profiles", Repo.root + "/config/profiles")
        #expect(probe.status == 0, "\(probe.output)")
        #expect(probe.stdout.contains("# 1 request touching 3 input registers on unit 1"))
        let tempLine = try #require(probe.stdout.split(separator: "\n").first { $0.hasPrefix("temperature  input[0] int16  raw ") })
        #expect(tempLine.hasSuffix("°C [good]"), "\(tempLine)")

        // The daemon polls all four devices into the store.
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        var latest = ""
        try await waitUntil(timeout: .seconds(60), "good readings from every device; log:\n\(daemon.log)") {
            latest = try await dcagent("readings", "latest", "--config", cfg).stdout
            return ["DC-R01-TH1/temperature", "DC-R02-TH1/humidity", "DC-H1-DI1/leak", "DC-R01-PDU-A/power"].allSatisfy { p in
                latest.split(separator: "\n").contains { $0.hasPrefix(p + "\t") && $0.hasSuffix("\tgood") }
            }
        }
        // The PDU's outlet rows, known only after its first SNMP walk, are registered with their
        // quantity and unit (the rules select by them).
        try await waitUntil("outlet points registered; log:\n\(daemon.log)") {
            let q = try DatabaseQueue(path: dir.file("dcagent.sqlite"), configuration: { var c = Configuration(); c.readonly = true; return c }())
            let (described, bare) = try await q.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM points WHERE key LIKE 'DC-R01-PDU-A/outlet.%' AND quantity IS NOT NULL") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM points WHERE ci = 'DC-R01-PDU-A' AND quantity IS NULL") ?? -1
                )
            }
            return described > 0 && bare == 0
        }
        try await daemon.waitForLog("new points registered")
        // A temperature from a simulated rack inlet is plausible.
        let t = try #require(latest.split(separator: "\n").first { $0.hasPrefix("DC-R01-TH1/temperature\t") })
        let value = try #require(Double(t.split(separator: "\t")[2]))
        #expect((15.0...35.0).contains(value))

        // Take one sensor offline behind the shared gateway: it goes offline, the others go on.
        let inj = try await runProcess(Self.simBinary, ["inject", "sensor-offline", "--sensor", "DC-R02-TH1", "--state", dir.file("sim")])
        #expect(inj.status == 0, "\(inj.output)")
        try await waitUntil("DC-R02-TH1 offline in /healthz") {
            httpGet(port: httpPort, path: "/healthz")?.body.contains("\"offline\":[\"DC-R02-TH1\"]") == true
        }
        let before = try await dcagent("readings", "history", "DC-R01-TH1/temperature", "--last", "1h", "--config", cfg).stdout.split(separator: "\n").count
        try await waitUntil("DC-R01-TH1 keeps its schedule") {
            try await dcagent("readings", "history", "DC-R01-TH1/temperature", "--last", "1h", "--config", cfg).stdout.split(separator: "\n").count >= before + 2
        }
        let devices = try #require(httpGet(port: httpPort, path: "/api/v1/devices")?.body)
        #expect(devices.contains("\"id\":\"DC-R02-TH1\",\"last_error\":"))
        try await daemon.waitForLog("device offline after 3 failed polls: DC-R02-TH1")
        #expect(try await daemon.stop() == 0)

        // Rule tuning offline: the points the daemon registered plus the stored demo floor are the
        // topology; a recorded excursion above the threshold fires once and clears once.
        #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--config", cfg).status == 0)
        let imported = try await dcagent("floor", "import", Repo.root + "/config/floor/demo.yaml", "--as", "ana", "--config", cfg)
        #expect(imported.status == 0, "\(imported.output)")
        let rules = dir.write(
            "rules.yaml",
            "rules:\n  - id: temperature-high\n    kind: threshold\n    select: { quantity: temperature }\n    direction: rising\n    warning: 27\n    critical: 32\n    clear: 26.5\n    for: 2m\n")
        var csv = "point,time,value\n"
        for minute in 0..<30 {
            let t = String(format: "2026-11-29T08:%02d:00Z", minute)
            csv += "DC-R01-TH1/temperature,\(t),\((10..<20).contains(minute) ? 33.0 : 24.0)\n"
        }
        let readingsFile = dir.write("readings.csv", csv)
        let replay = try await dcagent("rules", "test", rules, "--readings", readingsFile, "--config", cfg)
        #expect(replay.status == 0, "\(replay.output)")
        let lines = replay.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 2, "\(replay.stdout)")
        #expect(lines.first?.hasPrefix("2026-11-29T08:12:00.000Z opened critical temperature-high|DC-R01-TH1|DC-R01-TH1/temperature") == true)
        #expect(lines.last?.hasPrefix("2026-11-29T08:20:00.000Z resolved critical temperature-high|DC-R01-TH1") == true)
        // A rule naming a point that does not exist is a configuration error naming the rule.
        let badRules = dir.write("bad.yaml", "rules:\n  - id: ghost\n    kind: threshold\n    select: { points: [DC-R99-TH1/temperature] }\n    direction: rising\n    warning: 27\n    critical: 32\n")
        let bad = try await dcagent("rules", "test", badRules, "--readings", readingsFile, "--config", cfg)
        // A RuleFileError, reported by reportingErrors: exit 2, the problem on stderr.
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.stderr.contains("rule 'ghost', key 'select.points[0]': unknown point 'DC-R99-TH1/temperature'"), "\(bad.output)")
    }

    @Test("the simulator's smoke test passes against pymodbus and the net-snmp tools")
    func simulatorSmoke() async throws {
        let r = try await runProcess("/bin/bash", [Repo.root + "/scripts/sim-smoke", "--bin", Self.simBinary], cwd: Repo.root)
        #expect(r.status == 0, "\(r.output.suffix(3000))")
        #expect(r.stdout.contains(" passed, 0 failed"))
    }
}
