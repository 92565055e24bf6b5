import ContaminationRules
import Foundation
import Telemetry
import Testing

@Suite("config/rules/default.yaml in action", .timeLimit(.minutes(1)))
struct DefaultRulesTests {
    func defaults() throws -> CompiledRuleSet {
        let yaml = try String(contentsOf: Floor.defaultRulesURL, encoding: .utf8)
        return try RuleCompiler.compile(try Floor.decode(yaml), topology: Floor.topology, source: "default.yaml")
    }

    @Test("a hot, humid aisle: recommended exceeded after 2 minutes, room outside A1, PDU at 80 %")
    func hotAisle() throws {
        var readings: [Reading] = []
        for m in 0...6 {
            let t = Double(m) * 60
            readings += [
                Floor.reading(Floor.temp, t, m == 0 ? 24 : 30 + 0.01 * Double(m)), Floor.reading(Floor.rh, t, 50 - 0.01 * Double(m)),
                Floor.reading(Floor.temp2, t, 22 + 0.01 * Double(m)), Floor.reading(Floor.rh2, t, 45 + 0.01 * Double(m)),
                Floor.reading(Floor.power, t, 6000 + Double(m)), Floor.reading(Floor.loadState, t, 3),
                Floor.reading(Floor.doorState, t, 0),
            ]
        }
        let result = RuleReplay.run(rules: try defaults(), readings: readings, tickEvery: 60)
        let fired = result.changes.filter { $0.change == .opened }.map { "\($0.event.ruleID) \($0.event.severity) \($0.event.scope)" }
        #expect(fired.contains("temperature-high warning DC-R1-A05-TH1"))
        #expect(fired.contains("ashrae-envelope warning DC-R1"))  // 30 °C, 50 % RH: dew point 18.4 °C → A2
        #expect(fired.contains("pdu-load warning DC-R1-A05-PDU-A"))  // 6 kW of 7.4 kW = 81 %
        #expect(fired.contains("rack-power-budget critical DC-R1-A05"))  // 6 kW of a 5 kW budget
        #expect(fired.contains("pdu-load-state warning DC-R1-A05-PDU-A"))
        #expect(!fired.contains { $0.hasPrefix("temperature-high") && $0.hasSuffix("DC-R2-TH1") })
        let hot = try #require(result.changes.first { $0.event.ruleID == "temperature-high" })
        #expect(hot.at == Floor.at(180))  // first hot reading at 1 min + for: 2m
        // Points never read (particle counter, corrosion monitor) are stale after 3 intervals.
        #expect(fired.contains("sensor-stale warning DC-R1-PC1"))
        // Obligations never recorded: overdue for every room and kind.
        #expect(fired.filter { $0.hasPrefix("yearly-obligations critical") }.count == 8)
        #expect(result.derived.contains { $0.point.description == "DC-R1/ashrae_class" && $0.value == 2 })
        #expect(result.derived.contains { $0.point.description == "DC-R2/ashrae_class" && $0.value == 0 })
    }

    @Test("error texts quoted in docs/rules.md")
    func errorTexts() throws {
        func messages(_ yaml: String) throws -> [String] {
            do {
                _ = try Floor.compile(yaml)
                return []
            } catch let e as RuleConfigError {
                return e.problems.map(\.description)
            }
        }
        #expect(
            try messages("rules: [{ id: hot, kind: threshold, warning: 35, critical: 30 }]") == [
                "rule 'hot', key 'warning': warning level 35.0 is above the critical level 30.0 on a rising threshold"
            ])
        #expect(
            try messages("rules: [{ id: hot, kind: threshold, warning: 27, critical: 32, clear: 28 }]") == [
                "rule 'hot', key 'clear': clear level 28.0 can never be reached: it is above the first firing level 27.0"
            ])
        #expect(
            try messages("rules: [{ id: d, kind: frozen, warning: 3 }]") == ["rule 'd', key 'warning': does not apply to a frozen rule"])
    }

    @Test("derived points are declared for the store, and every derived reading is one of them")
    func derivedPoints() throws {
        let set = try defaults()
        let declared = Dictionary(uniqueKeysWithValues: set.derivedPoints.map { ($0.id.description, $0) })
        #expect(declared["DC-R1/ashrae_class"]?.states[2] == "A2")
        #expect(declared["DC-R1/ashrae_class"]?.derived == true)
        #expect(declared["DC-R1-A05-TH1/dew_point"]?.unit == .celsius)
        #expect(declared["DC-R1-CM1/copper.rate30"]?.unit == .angstromPer30Days)
        #expect(declared["DC-R1-CM1/isa_level"]?.states[4] == "GX")
        #expect(declared["DC-R1-PC1/count.0.5um.per_m3"]?.quantity == .particleConcentration)
        #expect(declared["DC-R1-PC1/iso_class"] != nil)
        let readings = [
            Floor.reading(Floor.temp, 0, 25), Floor.reading(Floor.rh, 0, 50), Floor.reading(Floor.ch05, 0, 1000),
            Floor.reading(Floor.duration, 0, 60), Floor.reading(Floor.copper, 0, 10), Floor.reading(Floor.copper, 2 * 86_400, 20),
        ]
        let result = RuleReplay.run(rules: set, readings: readings, tickEvery: 3600)
        #expect(!result.derived.isEmpty)
        for r in result.derived { #expect(declared[r.point.description] != nil, "\(r.point) is not declared") }
    }
}
