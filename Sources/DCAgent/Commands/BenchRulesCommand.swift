import AgentStore
import ArgumentParser
import DCAgentServer
import ContaminationRules
import Foundation
import Telemetry
import Yams

/// `dcagent bench rules`: the rules engine's evaluation rate and the cost of a checkpoint
/// (state JSON and its commit) on a synthetic floor: N probes (temperature + RH) in racks of one
/// room, with threshold, rate, stale, frozen and ASHRAE envelope rules. docs/benchmarks.md.
struct BenchRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Measure the rules engine and its checkpoint.")
    @Option(help: "Database file to create for the checkpoint (must not exist).") var database: String
    @Option(help: "Number of probes (two points each).") var probes: Int = 1_000
    @Option(help: "Rounds: one reading per point each, 10 s apart.") var rounds: Int = 90
    @Option(help: "Readings per engine call (a committed batch); a round is split into batches of this size.") var batchSize: Int = 2_000

    static let ruleFile = """
        rules:
          - { id: inlet-hot, kind: threshold, select: { quantity: temperature }, warning: 27, critical: 32, clear: 26, for: 2m }
          - { id: inlet-rate, kind: rate, select: { quantity: temperature }, window: 15m }
          - { id: stale, kind: stale, select: { quantity: temperature }, interval: 10s, intervals: 3 }
          - { id: frozen, kind: frozen, select: { quantity: relative_humidity }, polls: 60 }
          - { id: envelope, kind: envelope, temperature: temperature, humidity: relative_humidity }
        """

    func run() throws {
        if FileManager.default.fileExists(atPath: database) { throw ValidationError("\(database) exists already") }
        let room: CIID = "BENCH-H1"
        let racks = (0..<max(1, probes / 2)).map { CIID(unchecked: "BENCH-R\($0)") }
        var devices: [RuleTopology.Device] = []
        var points: [PointDescriptor] = []
        for i in 0..<probes {
            let ci = CIID(unchecked: "BENCH-R\(i / 2)-TH\(i % 2)")
            devices.append(.init(id: ci, rack: racks[i / 2], room: room))
            points.append(PointDescriptor(id: PointID(ci: ci, name: "temperature")!, quantity: .temperature, unit: .celsius))
            points.append(PointDescriptor(id: PointID(ci: ci, name: "relative_humidity")!, quantity: .relativeHumidity, unit: .percentRH))
        }
        let topology = RuleTopology(
            rooms: [.init(id: room, areaSquareMetres: 400)], racks: racks.map { .init(id: $0, room: room, powerBudgetWatts: nil, allocatedWatts: 0) },
            devices: devices, points: points)
        let compiled = try RuleCompiler.compile(try YAMLDecoder().decode(RawRuleFile.self, from: Self.ruleFile), topology: topology, source: "bench")
        var engine = RuleEngine(rules: compiled)
        let t0 = Timestamp.now.adding(seconds: -Double(rounds) * 10)
        var all: [Reading] = []
        all.reserveCapacity(points.count * rounds)
        var batches: [[Reading]] = []
        for round in 0..<rounds {
            let first = all.count
            let t = t0.adding(seconds: Double(round) * 10)
            for (i, p) in points.enumerated() {
                // A slow drift per point; a tenth of the probes run hot in the second half.
                let hot = i % 20 == 0 && round > rounds / 2 ? 8.0 : 0
                let v = p.quantity == .temperature ? 22 + Double((i + round) % 30) / 10 + hot : 45 + Double((i * 3 + round) % 50) / 10
                all.append(Reading(point: p.id, time: t.adding(seconds: Double(i % 1000) / 1000), value: v))
            }
            // As the daemon sees them: each committed batch holds readings of the last second or so.
            var i = first
            while i < all.count {
                batches.append(Array(all[i..<min(i + batchSize, all.count)]))
                i += batchSize
            }
        }
        let clock = ContinuousClock()
        let cpu0 = BenchCommand.Ingest.cpuSeconds()
        let start = clock.now
        var changes = 0
        var byRule: [String: Int] = [:]
        var derived = 0
        for batch in batches {
            let out = engine.ingest(batch, now: batch.last!.time.adding(seconds: 1))
            changes += out.changes.count
            for c in out.changes { byRule["\(c.event.ruleID) \(c.change.rawValue)", default: 0] += 1 }
            derived += out.derived.count
        }
        changes += engine.tick(now: all.last!.time).changes.count
        let seconds = start.duration(to: clock.now).inSeconds
        let cpu = BenchCommand.Ingest.cpuSeconds() - cpu0

        // Checkpoint: encode the state and commit it (no event changes) into a real database.
        let db = try AgentDatabase(path: database)
        let store = EventStore(database: db, samples: SampleStore(database: db))
        let c0 = clock.now
        let state = try engine.state.encoded()
        let encoded = c0.duration(to: clock.now).inSeconds
        // The same state through one JSONEncoder tree (how the checkpoint was encoded before the
        // point memories were spliced in one by one), for comparison.
        let w0 = clock.now
        let whole = try RuleJSON.encode(engine.state)
        let wholeSeconds = w0.duration(to: clock.now).inSeconds
        let c1 = clock.now
        try store.commit(RuleCheckpoint(changes: [], derived: [], state: state, rulesDigest: "bench", at: .now))
        let committed = c1.duration(to: clock.now).inSeconds
        print(
            String(
                format: "rules: %d readings (%d points x %d rounds, batch %d, %d rules) in %.2f s = %.0f readings/s, CPU %.2f s; %d event changes, %d derived readings",
                all.count, points.count, rounds, batchSize, compiled.rules.count, seconds, Double(all.count) / seconds, cpu, changes, derived))
        print("event changes by rule: " + byRule.keys.sorted().map { "\($0) \(byRule[$0]!)" }.joined(separator: ", "))
        print(
            String(
                format: "checkpoint: state %.0f KB, encode %.1f ms (as one JSONEncoder tree: %.0f KB, %.1f ms), commit %.1f ms",
                Double(state.count) / 1024, encoded * 1000, Double(whole.count) / 1024, wholeSeconds * 1000, committed * 1000))

        // Restart: the readings are in the store (as the writer left them); decode the state, read
        // back rate-window histories and evidence readings, warm the engine.
        let samples = SampleStore(database: db)
        var i = 0
        while i < all.count {
            try samples.write(Array(all[i..<min(i + 20_000, all.count)]))
            i += 20_000
        }
        let r0 = clock.now
        var restarted = RuleEngine(rules: compiled, state: try RuleEngineState(encoded: state))
        let decoded = r0.duration(to: clock.now).inSeconds
        let r1 = clock.now
        let stored = try samples.tails(restarted.warmUpRanges, last: RuleEngine.evidenceCount)
        let read = r1.duration(to: clock.now).inSeconds
        let r2 = clock.now
        restarted.warm(stored)
        let warmed = r2.duration(to: clock.now).inSeconds
        guard restarted.state == engine.state else { throw ValidationError("the warmed state differs from the state before the restart") }
        print(
            String(
                format: "restart: decode %.1f ms, read %d stored readings %.1f ms, warm %.1f ms (state identical to the one before)",
                decoded * 1000, stored.count, read * 1000, warmed * 1000))
    }

}
