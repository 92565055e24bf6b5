import ContaminationRules
import Telemetry
import Testing

/// Time you can trust: a device's clock (the stamp of its new records) against the agent's, and
/// the agent's own clock.
@Suite("Clocks: the device's against the agent's, and the agent's own", .timeLimit(.minutes(1)))
struct ClockTests {
    static let counter: CIID = "DC-R1-PC1"
    static let stamp = PointID(ci: counter, name: "sample.time")!

    static func engine() throws -> RuleEngine {
        let topology = RuleTopology(
            rooms: [.init(id: "DC-R1")], devices: [.init(id: counter, room: "DC-R1")],
            points: [PointDescriptor(id: stamp, quantity: .timestamp, unit: .second)])
        return RuleEngine(
            rules: try RuleCompiler.compile(
                try Floor.decode("rules: [{ id: device-clock, kind: clock, select: { quantity: timestamp }, max_drift: 2m }]"),
                topology: topology))
    }

    /// A record stamped `stamp` (device time, Unix s) read at agent time `now`.
    static func record(_ e: inout RuleEngine, stamp: Double, readAt now: Double) -> RuleOutput {
        let t = Timestamp(milliseconds: Int64(stamp * 1000))
        return e.ingest([Reading(point: Self.stamp, time: t, value: stamp)], now: Timestamp(milliseconds: Int64(now * 1000)))
    }

    @Test("a record read one poll after it was stamped is fine; a clock 7 minutes behind raises a warning; agreement resolves it")
    func deviceDrift() throws {
        var e = try Self.engine()
        let t0 = 1_800_000_000.0
        let ok = Self.record(&e, stamp: t0, readAt: t0 + 55)
        #expect(ok.changes.isEmpty)
        #expect(ok.derived.map(\.value) == [-55])
        #expect(ok.derived.map(\.point.description) == ["DC-R1-PC1/clock_offset"])
        // The same record read again is the same sample: nothing is measured twice.
        #expect(Self.record(&e, stamp: t0, readAt: t0 + 115).derived.isEmpty)
        let behind = Self.record(&e, stamp: t0 + 60, readAt: t0 + 60 + 432)
        #expect(behind.changes.map { "\($0.change) \($0.event.severity) \($0.event.ruleID)" } == ["opened warning device-clock"])
        #expect(
            behind.changes.first?.event.message.hasPrefix(
                "DC-R1-PC1's clock is 432s behind the agent's (a new record stamped 2027-01-15T08:01:00.000Z was read at 2027-01-15T08:08:12.000Z; limit 2m)")
                == true, "\(behind.changes.first?.event.message ?? "")")
        let ahead = Self.record(&e, stamp: t0 + 1000, readAt: t0 + 700)
        #expect(ahead.changes.isEmpty, "still firing: 5 minutes ahead")
        #expect(e.openEvents.first?.message.contains("5m ahead of the agent's") == true, "\(e.openEvents.first?.message ?? "")")
        let back = Self.record(&e, stamp: t0 + 1060, readAt: t0 + 1070)
        #expect(back.changes.map(\.change) == [.resolved])
        #expect(back.changes.first?.event.message.hasPrefix("resolved: DC-R1-PC1's clock agrees with the agent's again (offset -10 s)") == true)
    }

    @Test("the clock rule takes timestamp points only, and max_drift must be positive")
    func compile() throws {
        let topology = RuleTopology(
            rooms: [.init(id: "DC-R1")], devices: [.init(id: Self.counter, room: "DC-R1")],
            points: [
                PointDescriptor(id: Self.stamp, quantity: .timestamp, unit: .second),
                PointDescriptor(id: PointID(ci: Self.counter, name: "count.0.5um")!, quantity: .particleCount, unit: .count),
            ])
        let all = try RuleCompiler.compile(try Floor.decode("rules: [{ id: c, kind: clock }]"), topology: topology)
        guard case .clock(let drift, let points)? = all.rules.first?.kind else { Issue.record("not a clock rule"); return }
        #expect(drift == 120 && points == [Self.stamp])
        let error = #expect(throws: RuleConfigError.self) {
            try RuleCompiler.compile(try Floor.decode("rules: [{ id: c, kind: clock, max_drift: 0s }]"), topology: topology)
        }
        #expect(error?.description.contains("rule 'c', key 'max_drift': must be longer than zero") == true)
    }

    @Test("an unsynchronised agent clock opens one warning, resolved when the kernel reports it synchronised")
    func agentClock() throws {
        var e = try Self.engine()
        let unsync = AgentClockStatus(synchronised: false, maxErrorSeconds: 16, source: "adjtimex: TIME_ERROR, STA_UNSYNC")
        let opened = e.agentClock(unsync, agent: "dc-agent", now: Floor.at(0))
        #expect(opened.changes.map { "\($0.change) \($0.event.severity) \($0.event.dedupKey)" } == ["opened warning agent.clock-unsynchronised|dc-agent|"])
        #expect(opened.changes.first?.event.message.hasPrefix("agent dc-agent's clock is not synchronised (adjtimex: TIME_ERROR, STA_UNSYNC, maximum error 16 s)") == true)
        #expect(e.agentClock(unsync, agent: "dc-agent", now: Floor.at(10)).changes.isEmpty)
        // The state survives a checkpoint: no second opening after a restart.
        var restarted = RuleEngine(rules: e.rules, state: try RuleEngineState(encoded: e.state.encoded()))
        #expect(restarted.agentClock(unsync, agent: "dc-agent", now: Floor.at(20)).changes.isEmpty)
        let synced = restarted.agentClock(.init(synchronised: true, maxErrorSeconds: 0.002, source: "adjtimex: TIME_OK"), agent: "dc-agent", now: Floor.at(30))
        #expect(synced.changes.map(\.change) == [.resolved])
    }
}
