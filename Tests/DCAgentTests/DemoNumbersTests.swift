import Foundation
import GRDB
import TestSupport
import Testing

/// The demo's numbers checked against what a person would check: the reading on the device
/// itself. Tried as a new user would, the demo's APC PDU read 4.72 kW on its own total while its
/// capacity event said 14.16 kW (283 % of 5 kW): the total, its three phases and its outlets,
/// added up. Every test of the time compared the code with its own idea of a PDU.
@Suite("The demo's numbers, against the devices' own readings", .serialized, .timeLimit(.minutes(5)))
struct DemoNumbersTests {
    static func openDB(_ path: String) throws -> DatabaseQueue {
        var c = Configuration()
        c.readonly = true
        return try DatabaseQueue(path: path, configuration: c)
    }

    /// Samples of a point by time (ms), good ones only.
    static func samples(_ db: Database, _ key: String) throws -> [Int64: Double] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT s.t, s.value FROM samples s JOIN points p ON p.id = s.point_id WHERE p.key = ? AND s.quality = 0",
            arguments: [key])
        return Dictionary(rows.map { ($0[0] as Int64, $0[1] as Double) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("each simulated PDU's power_total is the device's own total, counted once; the capacity event quotes it")
    func pduPower() async throws {
        let dir = TempDir()
        let apcPort = freePort()
        let raritanPort = freePort()
        let httpPort = freePort()
        // Levels low enough that the PDU events fire at the demo's load, at once: the test is
        // about the number in the message, not the thresholds.
        let rules = dir.write(
            "rules.yaml",
            """
            rules:
              - { id: pdu-load, kind: capacity, scope: device, warning: 0.05, critical: 5.0, clear: 0.04 }
              - { id: rack-power-budget, kind: capacity, scope: rack, warning: 0.05, critical: 5.0, clear: 0.04 }
            """)
        let cfg = testConfig(
            dir: dir, port: httpPort,
            extra: """
                profiles:
                  directory: \(Repo.root)/config/profiles
                floor: { import_on_first_start: \(Repo.root)/config/floor/demo.yaml }
                rules: { file: \(rules), evaluate_every: 1s }
                sensors:
                  - id: DC-R05-PDU-A
                    profile: apc-rpdu2
                    endpoint: udp://127.0.0.1:\(apcPort)
                    rack: DC-R05
                    interval: 1s
                  - id: DC-R06-PDU-A
                    profile: raritan-pdu2
                    endpoint: udp://127.0.0.1:\(raritanPort)
                    rack: DC-R06
                    interval: 1s
                """)
        let sim = try DemoFlowTests.Simulator(config: cfg, state: dir.file("sim"), log: dir.file("sim.log"))
        _ = sim
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let db = dir.file("dcagent.sqlite")

        // Wait for three totals of each PDU and the APC's capacity event.
        try await waitUntil(timeout: .seconds(60), "power totals and the APC's pdu-load event; log:\n\(daemon.log)") {
            try await Self.openDB(db).read { db in
                try Self.samples(db, "DC-R05-PDU-A/power_total").count >= 3 && Self.samples(db, "DC-R06-PDU-A/power_total").count >= 3
                    && (try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE rule = 'pdu-load' AND scope = 'DC-R05-PDU-A'") ?? 0) > 0
            }
        }
        #expect(try await daemon.stop() == 0)

        try await Self.openDB(db).read { db in
            // The APC: every power_total equals the device's own rPDU2DeviceStatusPower of the
            // same poll, in watts — not the total plus its phases plus its outlets.
            let apcPower = try Self.samples(db, "DC-R05-PDU-A/power")
            let apcTotal = try Self.samples(db, "DC-R05-PDU-A/power_total")
            #expect(apcTotal.count >= 3)
            for (t, total) in apcTotal {
                let own = try #require(apcPower[t], "no power reading at \(t)")
                #expect(abs(total - own * 1000) < 0.05, "power_total \(total) W at \(t), the device says \(own) kW")
            }
            // And the phases the old sum added on top add up to about the total: the same watts,
            // measured per phase (read by a walk a moment after the total's GET, so within the
            // load's noise, not to the watt).
            let phases = try (1...3).map { try Self.samples(db, "DC-R05-PDU-A/phase.\($0).power") }
            if let (t, total) = apcTotal.first, let p = phases.map({ $0[t] }) as [Double?]?, p.allSatisfy({ $0 != nil }) {
                #expect(abs(p.compactMap { $0 }.reduce(0, +) * 1000 - total) <= 0.05 * total + 15, "phases \(p) vs total \(total)")
            }
            // The rack's B-side PDU is on the floor but not polled here: the rack's total is the
            // A side's, written uncertain (a lower bound).
            let rackRows = try Row.fetchAll(
                db, sql: "SELECT s.t, s.value, s.quality FROM samples s JOIN points p ON p.id = s.point_id WHERE p.key = 'DC-R05/power_total'")
            #expect(!rackRows.isEmpty)
            for row in rackRows {
                #expect(row[2] as Int == 1, "uncertain")
                #expect(apcTotal[row[0] as Int64] == row[1] as Double, "rack DC-R05 at \(row[0] as Int64)")
            }

            // The Raritan reports per inlet (no device total): its total is the sum of its inlets.
            let inlets = try Self.samples(db, "DC-R06-PDU-A/inlet.1.active_power")
            for (t, total) in try Self.samples(db, "DC-R06-PDU-A/power_total") {
                let own = try #require(inlets[t], "no inlet reading at \(t)")
                #expect(abs(total - own) < 0.05, "power_total \(total) W at \(t), the inlet says \(own) W")
            }

            // The event's number is the device's: "draws X kW (total point), P % of its 5 kW rating".
            let json = try #require(try String.fetchOne(db, sql: "SELECT json FROM events WHERE rule = 'pdu-load' AND scope = 'DC-R05-PDU-A'"))
            let event = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let message = try #require(event["message"] as? String)
            let evidence = try #require(event["evidence"] as? [[String: Any]])
            let shown = try #require(
                message.firstMatch(of: /draws ([0-9.]+) kW \(total point\), ([0-9.]+) % of its 5 kW rating/), "\(message)")
            let kw = try #require(Double(shown.1))
            let percent = try #require(Double(shown.2))
            let point = try #require(evidence.first?["point"] as? String)
            #expect(point == "DC-R05-PDU-A/power", "\(evidence)")
            let evidenceValue = try #require((evidence.first?["value"] as? NSNumber)?.doubleValue)
            #expect(abs(kw - evidenceValue) < 0.005, "\(message) vs the device's \(evidenceValue) kW")
            #expect(abs(percent - evidenceValue / 5 * 100) < 0.01, "\(message)")
            #expect(kw < 5.5, "a demo rack draws 2.5–5.5 kW: \(message)")
        }
    }
}
