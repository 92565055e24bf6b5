import ContaminationRules
import Telemetry
import Testing

/// The capacity rules read a device's power counted once (DESIGN decision 18), and the engine
/// writes `CI/power_total` and `RACK/power_total`. The demo's APC PDU read 4.72 kW on its own
/// total while the capacity event said 14.16 kW: the total, its three phases and its outlets,
/// added up.
@Suite("Power totals: each device counted once", .timeLimit(.minutes(1)))
struct PowerTotalTests {
    static let rack: CIID = "DC-R05"
    static let apc: CIID = "DC-R05-PDU-A"
    static let raritan: CIID = "DC-R05-PDU-B"

    static func p(_ ci: CIID, _ name: String) -> PointID { PointID(ci: ci, name: name)! }

    static var points: [PointDescriptor] {
        var out = [PointDescriptor(id: p(apc, "power"), quantity: .activePower, unit: .kilowatt, powerRole: .total)]
        for i in 1...3 { out.append(PointDescriptor(id: p(apc, "phase.\(i).power"), quantity: .activePower, unit: .kilowatt, powerRole: .phase)) }
        for i in 1...6 { out.append(PointDescriptor(id: p(apc, "outlet.\(i).power"), quantity: .activePower, unit: .watt, powerRole: .outlet)) }
        for i in 1...2 {
            out.append(PointDescriptor(id: p(raritan, "inlet.\(i).active_power"), quantity: .activePower, unit: .watt, powerRole: .inlet))
        }
        out.append(PointDescriptor(id: p(apc, "apparent_power"), quantity: .apparentPower, unit: .kiloVoltAmpere))
        return out
    }

    static let topology = RuleTopology(
        rooms: [.init(id: "DC-H1")], racks: [.init(id: rack, room: "DC-H1", powerBudgetWatts: 8000, allocatedWatts: 6000)],
        devices: [
            .init(id: apc, rack: rack, room: "DC-H1", powerRatingWatts: 5000),
            .init(id: raritan, rack: rack, room: "DC-H1", powerRatingWatts: 5000),
        ],
        points: points)

    static let rules = """
        rules:
          - { id: pdu-load, kind: capacity, scope: device, warning: 0.8, critical: 1.0, clear: 0.75 }
          - { id: rack-power-budget, kind: capacity, scope: rack, warning: 0.8, critical: 1.0, clear: 0.75 }
        """

    static func engine() throws -> RuleEngine {
        RuleEngine(rules: try RuleCompiler.compile(try Floor.decode(rules), topology: topology))
    }

    /// One poll of the APC as the demo's simulator serves it: total 4.72 kW, phases and outlets
    /// that each add up to it.
    static func apcPoll(_ t: Timestamp, total: Double = 4.72) -> [Reading] {
        var r = [Reading(point: p(apc, "power"), time: t, value: total)]
        let phases = [1.5, 1.62, total - 3.12]
        for (i, v) in phases.enumerated() { r.append(Reading(point: p(apc, "phase.\(i + 1).power"), time: t, value: v)) }
        for i in 1...6 { r.append(Reading(point: p(apc, "outlet.\(i).power"), time: t, value: total * 1000 / 6)) }
        r.append(Reading(point: p(apc, "apparent_power"), time: t, value: total * 1.05))
        return r
    }

    @Test("a PDU at 4.72 kW of 5 kW is at 94.4 %, not 283 %; the rack adds each PDU once")
    func demoPDU() throws {
        var e = try Self.engine()
        let t = Floor.at(0)
        let out = e.ingest(Self.apcPoll(t), now: t)
        let pdu = try #require(out.changes.first { $0.event.ruleID == "pdu-load" })
        #expect(pdu.event.severity == .warning)
        #expect(pdu.event.message.hasPrefix("DC-R05-PDU-A draws 4.72 kW (total point), 94.4 % of its 5 kW rating"), "\(pdu.event.message)")
        #expect(pdu.event.evidence.map(\.point.name) == ["power"])
        let totals = Dictionary(uniqueKeysWithValues: out.derived.filter { $0.point.name == "power_total" }.map { ($0.point.ci, $0) })
        #expect(totals[Self.apc]?.value == 4720)
        // The rack's other PDU has not reported yet: the rack's total is unknown, not 4.72 kW.
        #expect(totals[Self.rack]?.quality == .bad(reason: "no fresh usable reading of DC-R05-PDU-B/inlet.1.active_power, DC-R05-PDU-B/inlet.2.active_power"))
        #expect(!out.changes.contains { $0.event.ruleID == "rack-power-budget" })

        // The Raritan reports two inlets: its total is their sum, and the rack's is both PDUs.
        let t2 = Floor.at(10)
        let r = e.ingest(
            [Reading(point: Self.p(Self.raritan, "inlet.1.active_power"), time: t2, value: 921),
             Reading(point: Self.p(Self.raritan, "inlet.2.active_power"), time: t2, value: 330)], now: t2)
        let rackTotal = try #require(r.derived.first { $0.point == Self.p(Self.rack, "power_total") })
        #expect(rackTotal.value == 5971)
        #expect(r.derived.first { $0.point == Self.p(Self.raritan, "power_total") }?.value == 1251)
        // 5.971 kW of 8 kW = 74.6 %: no rack event.
        #expect(!r.changes.contains { $0.event.ruleID == "rack-power-budget" })
    }

    @Test("a missing phase leaves the total unknown: written bad, naming the point, never a partial sum")
    func unknownTotal() throws {
        var e = try Self.engine()
        let t = Floor.at(0)
        var poll = Self.apcPoll(t)
        poll[0] = .missing(poll[0].point, at: t, .absent)  // -1: a model that cannot measure its total
        poll[2] = .missing(poll[2].point, at: t, .bad(reason: "noSuchInstance"))  // phase.2
        let out = e.ingest(poll, now: t)
        let total = try #require(out.derived.first { $0.point == Self.p(Self.apc, "power_total") })
        #expect(total.quality == .bad(reason: "no fresh usable reading of DC-R05-PDU-A/phase.2.power"))
        #expect(!out.changes.contains { $0.event.ruleID == "pdu-load" })
    }

    @Test("derived power totals are declared for the store, in watts")
    func declared() throws {
        let rules = try RuleCompiler.compile(try Floor.decode(Self.rules), topology: Self.topology)
        let totals = rules.derivedPoints.filter { $0.id.name == "power_total" }
        #expect(totals.map(\.id.description) == ["DC-R05/power_total", "DC-R05-PDU-A/power_total", "DC-R05-PDU-B/power_total"])
        #expect(totals.allSatisfy { $0.unit == .watt && $0.quantity == .activePower && $0.derived })
    }
}

/// A derived point must never take the id of a measured one: the generic T/H probe reports its
/// own dew point, and the envelope's derived `PROBE/dew_point` used to share its id — the store
/// marked the device's point derived (so no rule saw it) and the two writers raced.
@Suite("Derived points never shadow measured ones", .timeLimit(.minutes(1)))
struct DerivedShadowTests {
    @Test("a probe that measures its dew point keeps it; one that does not gets the derived one")
    func dewPoint() throws {
        var topology = Floor.topology
        let measured = PointID(ci: Floor.probe, name: "dew_point")!
        topology.points[measured] = PointDescriptor(id: measured, quantity: .dewPoint, unit: .celsius)
        let rules = try RuleCompiler.compile(try Floor.decode("rules: [{ id: envelope, kind: envelope }]"), topology: topology)
        #expect(!rules.derivedPoints.contains { $0.id == measured })
        #expect(rules.derivedPoints.contains { $0.id.description == "DC-R2-TH1/dew_point" })
        var e = RuleEngine(rules: rules)
        let out = e.ingest(
            [Floor.reading(Floor.temp, 0, 24), Floor.reading(Floor.rh, 0, 50), Floor.reading(Floor.temp2, 0, 24), Floor.reading(Floor.rh2, 0, 50)],
            now: Floor.at(0))
        #expect(out.derived.filter { $0.point.name == "dew_point" }.map(\.point.description) == ["DC-R2-TH1/dew_point"])
    }
}

/// A rack whose B-side PDU is on the floor but not polled: its measured sum is a lower bound.
@Suite("Racks with an unmetered PDU", .timeLimit(.minutes(1)))
struct UnmeteredPDUTests {
    @Test("the rack total is uncertain, the message says which PDU is not metered, and a lower bound never clears the event")
    func lowerBound() throws {
        let rack: CIID = "DC-R07"
        let a = PointID(ci: "DC-R07-PDU-A", name: "power")!
        let topology = RuleTopology(
            rooms: [.init(id: "DC-H1")], racks: [.init(id: rack, room: "DC-H1", powerBudgetWatts: 4000)],
            devices: [
                .init(id: "DC-R07-PDU-A", rack: rack, room: "DC-H1", powerRatingWatts: 5000),
                .init(id: "DC-R07-PDU-B", rack: rack, room: "DC-H1", powerRatingWatts: 5000),
            ],
            points: [PointDescriptor(id: a, quantity: .activePower, unit: .kilowatt, powerRole: .total)])
        let rules = try RuleCompiler.compile(
            try Floor.decode("rules: [{ id: rack, kind: capacity, scope: rack, warning: 0.8, critical: 1.0, clear: 0.75 }]"), topology: topology)
        #expect(rules.power.unmetered == [rack: ["DC-R07-PDU-B"]])
        var e = RuleEngine(rules: rules)
        let high = e.ingest([Reading(point: a, time: Floor.at(0), value: 3.4)], now: Floor.at(0))
        #expect(high.changes.map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
        #expect(high.changes.first?.event.message.hasPrefix("DC-R07 draws 3.4 kW (total point; a lower bound: DC-R07-PDU-B not metered), 85 % of its 4 kW budget") == true,
            "\(high.changes.first?.event.message ?? "")")
        #expect(high.derived.first { $0.point.description == "DC-R07/power_total" }?.quality == .uncertain)
        // A-side alone falls to 1 kW: the B side may carry the rest — no all-clear from a lower bound.
        let low = e.ingest([Reading(point: a, time: Floor.at(60), value: 1.0)], now: Floor.at(60))
        #expect(low.changes.isEmpty)
        #expect(e.openEvents.first?.state == .firing)
    }
}
