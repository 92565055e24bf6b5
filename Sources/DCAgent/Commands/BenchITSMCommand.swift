import AgentStore
import ArgumentParser
import ContaminationRules
import DCAgentServer
import Foundation
import ITSMLink
import Logging
import ServiceLifecycle
import Telemetry

/// `dcagent bench itsm`: how soon an event reaches the outbox and its built-in ticket after the
/// rules commit it (issue 12: within a second, by the change stream, not a poll). The real
/// store, the real ITSM service woken by the in-process change feed; its tick is set to an hour
/// so only the feed can wake it. docs/benchmarks.md.
struct BenchITSMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "itsm", abstract: "Measure event → outbox → built-in ticket latency.")
    @Option(help: "Database file to create (must not exist).") var database: String
    @Option(help: "Trials: one event opened per trial.") var trials: Int = 100

    func run() async throws {
        if FileManager.default.fileExists(atPath: database) { throw ValidationError("\(database) exists already") }
        let dir = (database as NSString).deletingLastPathComponent
        let store = try SiteStore(
            path: database, auditKeyFile: dir + "/bench-audit.key", auditAnchorFile: dir + "/bench-audit.anchor", logger: Logger(label: "bench"))
        var plan = ITSMPlan()
        plan.tick = .seconds(3600)
        let service = try ITSMService(store: store, plan: plan, clock: ContinuousClock(), logger: Logger(label: "bench-itsm"))
        let group = ServiceGroup(services: [store.changes, service], logger: Logger(label: "bench"))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        var toOutbox: [Double] = []
        var toTicket: [Double] = []
        let clock = ContinuousClock()
        for i in 0..<trials {
            let ci = CIID(unchecked: "BENCH-R\(i)-TH1")
            let point = PointID(ci: ci, name: "temperature")!
            let now = Timestamp.now
            let e = Event(
                dedupKey: Event.dedupKey(rule: "inlet-hot", scope: ci, point: point), ruleID: "inlet-hot", kind: .threshold, severity: .critical,
                state: .firing, scope: ci, room: "BENCH-H1", rack: CIID(unchecked: "BENCH-R\(i)"), point: point, firstSeen: now, lastSeen: now,
                count: 1, message: "bench \(i)", evidence: [], suppressed: false, flapping: false)
            let opening = OpeningKey(e)
            let start = clock.now
            try await store.events.commit(
                RuleCheckpoint(changes: [EventChange(change: .opened, event: e, at: now, notify: true)], derived: [], state: Data("{}".utf8), rulesDigest: "b", at: now))
            var queued: Duration?
            while true {
                if queued == nil, try await !store.itsm.links(of: opening).isEmpty { queued = clock.now - start }
                if try await store.tickets.find(opening) != nil { break }
                if clock.now - start > .seconds(10) { throw ValidationError("trial \(i): no ticket after 10 s") }
                try await Task.sleep(for: .milliseconds(1))
            }
            let done = clock.now - start
            toOutbox.append((queued ?? done).inSeconds * 1000)
            toTicket.append(done.inSeconds * 1000)
        }
        func pct(_ xs: [Double], _ p: Double) -> Double {
            let s = xs.sorted()
            return s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)]
        }
        print("itsm: \(trials) events, commit → outbox p50 \(String(format: "%.1f", pct(toOutbox, 0.5))) ms, p99 \(String(format: "%.1f", pct(toOutbox, 0.99))) ms; commit → built-in ticket p50 \(String(format: "%.1f", pct(toTicket, 0.5))) ms, p99 \(String(format: "%.1f", pct(toTicket, 0.99))) ms, max \(String(format: "%.1f", toTicket.max() ?? 0)) ms")
        await group.triggerGracefulShutdown()
    }
}
