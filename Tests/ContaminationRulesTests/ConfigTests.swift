@testable import ContaminationRules
import Foundation
import Telemetry
import Testing
import Yams

@Suite("Rule configuration", .timeLimit(.minutes(1)))
struct ConfigTests {
    @Test(
        "durations",
        arguments: [("90s", 90.0), ("2m", 120), ("15m", 900), ("1h", 3600), ("30d", 2_592_000), ("1y", 31_536_000), ("45", 45)])
    func durations(text: String, seconds: Double) {
        #expect(RuleDuration(parsing: text)?.seconds == seconds)
    }

    @Test("bad durations", arguments: ["", "m", "-2m", "2 minutes", "1x"])
    func badDurations(text: String) {
        #expect(RuleDuration(parsing: text) == nil)
    }

    @Test("config/rules/default.yaml decodes and compiles against a floor")
    func defaults() throws {
        let yaml = try String(contentsOf: Floor.defaultRulesURL, encoding: .utf8)
        let set = try RuleCompiler.compile(try Floor.decode(yaml), topology: Floor.topology, source: "default.yaml")
        let byID = Dictionary(uniqueKeysWithValues: set.rules.map { ($0.id, $0) })
        // ASHRAE recommended + A1 on temperature.
        guard case .threshold(let high, let points)? = byID["temperature-high"]?.kind else {
            Issue.record("temperature-high missing")
            return
        }
        #expect(high.warning == 27 && high.critical == 32 && high.rising)
        #expect(points == [Floor.temp, Floor.temp2])
        #expect(byID["temperature-high"]?.sustain == 120)
        // PDU warning at 80 % of rating.
        guard case .capacity(let load, let targets)? = byID["pdu-load"]?.kind else {
            Issue.record("pdu-load missing")
            return
        }
        #expect(load.warning == 0.8 && load.critical == 1.0)
        #expect(targets.map(\.ci) == [Floor.pdu] && targets.first?.watts == 7400)
        // ISO 8, G1.
        guard case .particles(let iso, _, _, let counters)? = byID["particles"]?.kind,
            case .corrosion(let g, _, _, _, let monitors)? = byID["corrosion"]?.kind
        else {
            Issue.record("particles or corrosion missing")
            return
        }
        #expect(iso == ISOClass(8) && counters.map(\.ci) == [Floor.counter])
        #expect(g == .g1 && monitors.first?.copper == Floor.copper)
        // Yearly obligations, every room.
        guard case .obligation(let schedule, let kinds, let rooms)? = byID["yearly-obligations"]?.kind else {
            Issue.record("obligations missing")
            return
        }
        #expect(schedule.every.seconds == 365 * 86_400 && schedule.warnBefore.seconds == 30 * 86_400)
        #expect(Set(kinds) == Set(ObligationKind.allCases) && rooms == [Floor.room, Floor.tapeRoom])
        // Rate limits per room: no tape → 20 °C/h.
        guard case .rate(let window, let limits, _)? = byID["temperature-rate"]?.kind else {
            Issue.record("rate missing")
            return
        }
        #expect(window == 900 && limits[Floor.temp] == 20)
        #expect(set.rooms[Floor.room]?.ashraeClass == .a1)
        #expect(set.summary.hasPrefix("\(set.rules.count) rules"))
    }

    @Test("the tape room gets the 5 °C/h limit")
    func tapeRoom() throws {
        let set = try Floor.compile(
            """
            rooms:
              DC-R2: { tape_drives: true }
            rules:
              - { id: rate, kind: rate, select: { quantity: temperature } }
            """)
        guard case .rate(_, let limits, _) = set.rules[0].kind else { throw CancellationError() }
        #expect(limits[Floor.temp] == 20)
        #expect(limits[Floor.temp2] == 5)
    }

    /// Compiles and returns the problems (empty when it compiles).
    func problems(_ yaml: String) throws -> [RuleProblem] {
        do {
            _ = try Floor.compile(yaml)
            return []
        } catch let error as RuleConfigError {
            return error.problems
        }
    }

    @Test("an unknown point or rack is an error naming the rule and key")
    func unknownIDs() throws {
        let p = try problems(
            """
            rules:
              - id: hot
                kind: threshold
                select: { points: [DC-R1-A05-TH1/temperature, DC-R1-A05-TH9/temperature], racks: [DC-R1-Z99] }
                warning: 27
            """)
        #expect(p.contains(RuleProblem(rule: "hot", key: "select.points[1]", message: "unknown point 'DC-R1-A05-TH9/temperature'")))
        #expect(p.contains(RuleProblem(rule: "hot", key: "select.racks[0]", message: "unknown rack 'DC-R1-Z99'")))
    }

    @Test("needs_change compiles onto the rule; an empty summary, an empty checklist or a misspelt key is refused naming the rule and key")
    func needsChange() throws {
        let set = try Floor.compile(
            """
            rules:
              - id: hot
                kind: threshold
                warning: 27
                needs_change: { summary: "Restore the rack's cooling", checklist: cable-check }
              - id: cold
                kind: threshold
                direction: falling
                warning: 15
            """)
        #expect(set.rules.first { $0.id == "hot" }?.needsChange == ChangeNeed(summary: "Restore the rack's cooling", checklist: "cable-check"))
        #expect(set.rules.first { $0.id == "cold" }?.needsChange == nil)
        let p = try problems(
            """
            rules:
              - { id: a, kind: threshold, warning: 27, needs_change: { summary: "  " } }
              - { id: b, kind: threshold, warning: 27, needs_change: { summary: fix, checklist: "" } }
              - { id: c, kind: threshold, warning: 27, needs_change: { summary: fix, checklst: cable-check } }
            """)
        #expect(p.contains { $0.rule == "a" && $0.key == "needs_change.summary" })
        #expect(p.contains { $0.rule == "b" && $0.key == "needs_change.checklist" })
        #expect(p.contains { $0.rule == "c" && $0.key == "needs_change.checklst" && $0.message.contains("unknown key") })
        // The shipped rules ask for a change where the anomaly needs one.
        let shipped = try Floor.compile(try String(contentsOf: Floor.defaultRulesURL, encoding: .utf8))
        #expect(shipped.rules.first { $0.id == "rack-power-budget" }?.needsChange?.checklist == "cable-check")
        #expect(shipped.rules.first { $0.id == "corrosion" }?.needsChange != nil)
    }

    @Test("warning above critical on a rising threshold")
    func warningAboveCritical() throws {
        let p = try problems("rules: [{ id: hot, kind: threshold, warning: 35, critical: 30 }]")
        #expect(p.count == 1)
        #expect(p.first?.rule == "hot" && p.first?.key == "warning")
        #expect(p.first?.message.contains("above the critical level") == true)
        // Falling: warning below critical is the error.
        let q = try problems("rules: [{ id: cold, kind: threshold, direction: falling, warning: 10, critical: 15 }]")
        #expect(q.first?.key == "warning" && q.first?.message.contains("below the critical level") == true)
    }

    @Test("a clear level that can never be reached")
    func unreachableClear() throws {
        // Above the warning level of a rising threshold.
        let a = try problems("rules: [{ id: hot, kind: threshold, warning: 27, critical: 32, clear: 28 }]")
        #expect(a.map(\.key) == ["clear"] && a.first?.rule == "hot")
        // Below 0 % RH.
        let b = try problems("rules: [{ id: dry, kind: threshold, select: { quantity: relative_humidity }, warning: 70, clear: -5 }]")
        #expect(b.map(\.key) == ["clear"] && b.first?.message.contains("values lie in 0") == true)
    }

    @Test("every problem is reported, not only the first")
    func allProblems() throws {
        let p = try problems(
            """
            rules:
              - { id: a, kind: threshold, warning: 35, critical: 30 }
              - { id: a, kind: stale, interval: soon }
              - { id: c, kind: nonsense }
              - { id: d, kind: frozen, polls: 5, windw: 3m, warning: 3 }
              - { kind: offline }
            """)
        #expect(p.contains { $0.rule == "a" && $0.key == "warning" })
        #expect(p.contains { $0.rule == "a" && $0.key == "id" && $0.message == "duplicate rule id" })
        #expect(p.contains { $0.rule == "a" && $0.key == "interval" })
        #expect(p.contains { $0.rule == "c" && $0.key == "kind" })
        #expect(p.contains { $0.rule == "d" && $0.key == "windw" && $0.message == "unknown key" })
        #expect(p.contains { $0.rule == "d" && $0.key == "warning" && $0.message.contains("does not apply") })
        #expect(p.contains { $0.rule == "#5" && $0.key == "id" })
        let error = RuleConfigError.invalidRules(p, source: "x.yaml")
        #expect(error.description.hasPrefix("x.yaml: \(p.count) problem(s)"))
        #expect(error.description.contains("rule 'd', key 'windw': unknown key"))
    }

    @Test("a misspelt key inside a selector, a flapping or room section, or at the top is refused, not ignored")
    func nestedUnknownKeys() throws {
        // `point:` for `points:` would otherwise narrow nothing and select every point.
        let p = try problems(
            """
            flaping: { transitions: 4 }
            flapping: { transitons: 4 }
            room_defaults: { ashrae: A2 }
            rules:
              - { id: hot, kind: threshold, select: { point: DC-R1-A05-TH1/temperature }, warning: 30 }
              - { id: st, kind: stale, interval: 1m, flapping: { windw: 3m } }
            """)
        #expect(p.contains(RuleProblem(rule: "(file)", key: "flaping", message: "unknown key (expected version, flapping, room_defaults, rooms, rules)")))
        #expect(p.contains { $0.rule == "(file)" && $0.key == "flapping.transitons" && $0.message.hasPrefix("unknown key") })
        #expect(p.contains { $0.rule == "room_defaults" && $0.key == "ashrae" && $0.message.hasPrefix("unknown key") })
        #expect(p.contains { $0.rule == "hot" && $0.key == "select.point" && $0.message.hasPrefix("unknown key") })
        #expect(p.contains { $0.rule == "st" && $0.key == "flapping.windw" && $0.message.hasPrefix("unknown key") })
        #expect(p.count == 5)
    }

    @Test("state names resolve against the point's state map")
    func stateNames() throws {
        let set = try Floor.compile(
            "rules: [{ id: load, kind: state, select: { name: load_state }, warning_states: [nearOverload], critical_states: [overload] }]")
        guard case .state(let map) = set.rules[0].kind else { throw CancellationError() }
        #expect(map[Floor.loadState] == [3: .warning, 4: .critical])
        let p = try problems("rules: [{ id: load, kind: state, select: { name: load_state }, critical_states: [meltdown] }]")
        #expect(p.first?.key == "critical_states[0]" && p.first?.message.contains("no state named 'meltdown'") == true)
    }

    @Test("room policy errors name the room")
    func rooms() throws {
        let p = try problems(
            """
            rooms:
              DC-R1: { ashrae_class: A7 }
              DC-R9: { tape_drives: true }
            rules: []
            """)
        #expect(p.contains { $0.rule == "rooms.DC-R1" && $0.key == "ashrae_class" })
        #expect(p.contains { $0.rule == "rooms" && $0.key == "rooms.DC-R9" })
    }

    @Test("a value of the wrong type names the rule by its position")
    func decodingErrors() throws {
        do {
            _ = try Floor.decode("rules:\n  - { id: ok, kind: stale }\n  - { id: hot, kind: threshold, warning: hot }")
            Issue.record("decoded a text as a number")
        } catch let error as DecodingError {
            let p = RuleProblem(decodingError: error)
            #expect(p.rule == "#2" && p.key == "warning")
            #expect(p.message.hasPrefix("expected a number"))
        }
    }
}
