import ContaminationRules
import Foundation
import Telemetry
import Testing

@Suite("Replay", .timeLimit(.minutes(1)))
struct ReplayTests {
    @Test("replaying recorded readings prints what would fire and clear, including stale data found by ticks")
    func replay() throws {
        let rules = try Floor.compile(
            """
            rules:
              - { id: hot, kind: threshold, select: { points: [DC-R1-A05-TH1/temperature] }, warning: 27, clear: 26, for: 2m }
              - { id: stale, kind: stale, select: { points: [DC-R1-A05-TH1/temperature] }, interval: 1m, intervals: 3 }
            """)
        let values: [Double] = [25, 28, 28, 28, 28, 26.5, 25.5, 25]  // 26.5 holds (hysteresis), 25.5 clears
        let readings = values.enumerated().map { Floor.reading(Floor.temp, Double($0.offset) * 60, $0.element) }
        // A reading long after the others: the gap must be found by the ticks in between.
        let late = Floor.reading(Floor.temp, 20 * 60, 24)
        let result = RuleReplay.run(rules: rules, readings: readings + [late], tickEvery: 60)
        #expect(
            result.changes.map { "\($0.event.ruleID) \($0.change) +\(Int($0.at.seconds(since: Floor.t0)))" } == [
                "hot opened +180", "hot resolved +360", "stale opened +600", "stale resolved +1200",
            ])
        #expect(result.lines.first?.contains("opened warning hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature") == true)
        #expect(result.openEvents.isEmpty)
    }

    @Test("a replay can continue from a saved state")
    func continueFromState() throws {
        let rules = try Floor.compile("rules: [{ id: hot, kind: threshold, select: { points: [DC-R1-A05-TH1/temperature] }, warning: 27 }]")
        let first = RuleReplay.run(rules: rules, readings: [Floor.reading(Floor.temp, 0, 30)])
        #expect(first.openEvents.count == 1)
        let second = RuleReplay.run(rules: rules, readings: [Floor.reading(Floor.temp, 60, 31)], state: first.state)
        #expect(second.changes.isEmpty)
        #expect(second.openEvents.count == 1)
    }
}
