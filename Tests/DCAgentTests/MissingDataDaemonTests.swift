import Foundation
import Glibc
import TestSupport
import Testing

/// Missing data never clears an alarm, through the daemon: a pymodbus probe that stops
/// answering while its threshold event fires leaves the event firing, marked; the probe back,
/// cool, resolves it on that evidence.
@Suite("Missing data in the daemon", .serialized, .timeLimit(.minutes(5)))
struct MissingDataDaemonTests {
    static let rules = """
        rules:
          - { id: inlet-hot, kind: threshold, select: { points: [DC-R01-TH1/temperature] }, warning: 30, critical: 35, clear: 29 }
          - { id: stale, kind: stale, interval: 1s, intervals: 2 }
          - { id: down, kind: offline }
        """

    @Test("a probe that stops answering while hot keeps its event firing, marked data missing; back and cool, it resolves")
    func probeStopsAnswering() async throws {
        let dir = TempDir()
        let modbusPort = freePort()
        let httpPort = freePort()
        var peer = try RulesDaemonTests.ModbusPeer(port: modbusPort, log: dir.file("peer1.log"))
        defer { peer.stop() }
        try await waitUntil("pymodbus on port \(modbusPort)") { DemoFlowTests.tcpAnswers(modbusPort) }
        let cfg = RulesDaemonTests.setup(dir, modbusPort: modbusPort, httpPort: httpPort, rules: Self.rules)
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()

        try await peer.setTemperature(38.5)
        func hot() throws -> [String: Any]? {
            try RulesDaemonTests.events(httpPort, query: "rule=inlet-hot").first
        }
        try await waitUntil("inlet-hot to fire; log:\n\(daemon.log)") { try hot()?["state"] as? String == "firing" }
        let id = try #require(try hot()?["id"] as? Int)

        // The probe stops answering (the peer is killed): its readings turn bad, then stop.
        peer.stop()
        try await waitUntil("inlet-hot marked data missing; log:\n\(daemon.log)") {
            (try hot()?["data_missing"] as? [String]) == ["DC-R01-TH1/temperature"]
        }
        // The stale and offline rules fire beside it, as they always did.
        try await waitUntil("the offline event") {
            try RulesDaemonTests.events(httpPort, firing: true, query: "rule=down").count == 1
        }
        let stillHot = try #require(try hot())
        #expect(stillHot["state"] as? String == "firing", "\(stillHot)")
        #expect(stillHot["id"] as? Int == id)
        #expect((stillHot["message"] as? String)?.contains("no fresh good reading shows it cleared: DC-R01-TH1/temperature") == true, "\(stillHot)")
        let show = try await dcagent("events", "show", String(id), "--config", cfg)
        #expect(show.stdout.contains(", data missing") && show.stdout.contains("  data missing: DC-R01-TH1/temperature"), "\(show.output)")
        let list = try await dcagent("events", "list", "--rule", "inlet-hot", "--config", cfg)
        #expect(list.stdout.contains("[data missing]"), "\(list.output)")

        // The probe answers again, at its normal 22.25 °C: fresh good evidence resolves the event.
        peer = try RulesDaemonTests.ModbusPeer(port: modbusPort, log: dir.file("peer2.log"))
        try await waitUntil("pymodbus back on port \(modbusPort)") { DemoFlowTests.tcpAnswers(modbusPort) }
        try await waitUntil(timeout: .seconds(30), "inlet-hot to resolve; log:\n\(daemon.log)") { try hot()?["state"] as? String == "resolved" }
        let resolved = try #require(try hot())
        #expect(resolved["data_missing"] is NSNull, "\(resolved)")
        let log = try RulesDaemonTests.changes(httpPort).filter { ($0["event"] as? [String: Any])?["rule"] as? String == "inlet-hot" }.map {
            $0["change"] as? String ?? "?"
        }
        #expect(log == ["opened", "dataMissing", "resolved"], "\(log)")
        #expect(try await daemon.stop() == 0)
    }
}
