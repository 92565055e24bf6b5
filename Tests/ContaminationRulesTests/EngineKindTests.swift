import ContaminationRules
import Foundation
import Telemetry
import Testing

@Suite("Rule kinds", .timeLimit(.minutes(1)))
struct EngineKindTests {
    @Test("rate of change is the slope over the window, never two consecutive readings")
    func rateStep() throws {
        var e = try Floor.engine("rules: [{ id: rate, kind: rate, select: { quantity: temperature }, window: 15m }]")
        var changes: [EventChange] = []
        // 22.0 for 15 minutes then one step of 0.5 °C in a minute (30 °C/h between two readings).
        for m in 0...15 { changes += e.feed(Floor.reading(Floor.temp, Double(m) * 60, 22)) }
        for m in 16...20 { changes += e.feed(Floor.reading(Floor.temp, Double(m) * 60, 22.5)) }
        #expect(changes.isEmpty)
    }

    @Test("a steady rise above the room's limit fires; the tape room's limit is 5 °C/h")
    func rateRise() throws {
        var e = try Floor.engine(
            """
            rooms:
              DC-R2: { tape_drives: true }
            rules: [{ id: rate, kind: rate, select: { quantity: temperature }, window: 15m }]
            """)
        var changes: [EventChange] = []
        for m in 0...15 {
            let t = Double(m) * 60
            // Both rise 6 °C/h: above 5 (tape room DC-R2), below 20 (DC-R1).
            changes += e.feed(Floor.reading(Floor.temp, t, 20 + 0.1 * Double(m)), Floor.reading(Floor.temp2, t, 20 + 0.1 * Double(m)))
        }
        #expect(changes.map { "\($0.change) \($0.event.point!)" } == ["opened DC-R2-TH1/temperature"])
        // Fires once the window holds half its span (7.5 minutes → at minute 8).
        #expect(changes.first?.at == Floor.at(480))
        #expect(changes.first?.event.message.contains("changes at 6 °C/h") == true)
        #expect(changes.first?.event.message.contains("limit 5 °C/h") == true)

        var fast = try Floor.engine("rules: [{ id: rate, kind: rate, select: { quantity: temperature }, window: 15m }]")
        var f: [EventChange] = []
        for m in 0...10 { f += fast.feed(Floor.reading(Floor.temp, Double(m) * 60, 20 + 0.5 * Double(m))) }
        #expect(f.map(\.change) == [.opened])  // 30 °C/h > 20
    }

    @Test("state match with a sustain: door open beyond 10 minutes")
    func doorOpen() throws {
        var e = try Floor.engine(
            "rules: [{ id: door, kind: state, select: { name: door }, warning_states: [open], for: 10m }]")
        #expect(e.feed(Floor.reading(Floor.doorState, 0, 1)).isEmpty)
        #expect(e.feed(Floor.reading(Floor.doorState, 300, 1)).isEmpty)
        let open = e.tick(now: Floor.at(600)).changes
        #expect(open.map(\.change) == [.opened])
        #expect(open.first?.event.message.contains("is in state open (1) for over 10m") == true)
        #expect(e.feed(Floor.reading(Floor.doorState, 700, 0)).map(\.change) == [.resolved])
    }

    @Test("PDU load state nearOverload / overload")
    func loadState() throws {
        var e = try Floor.engine(
            "rules: [{ id: load, kind: state, select: { name: load_state }, warning_states: [nearOverload], critical_states: [overload] }]")
        #expect(e.feed(Floor.reading(Floor.loadState, 0, 2)).isEmpty)
        #expect(e.feed(Floor.reading(Floor.loadState, 60, 3)).map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
        #expect(e.feed(Floor.reading(Floor.loadState, 120, 4)).map { "\($0.change) \($0.event.severity)" } == ["severityChanged critical"])
        #expect(e.feed(Floor.reading(Floor.loadState, 180, 2)).map(\.change) == [.resolved])
    }

    @Test("device offline from the drivers' health, after its sustain time")
    func offline() throws {
        var e = try Floor.engine("rules: [{ id: offline, kind: offline, select: { devices: [DC-R1-A05-PDU-A] }, for: 2m }]")
        #expect(e.deviceHealth([DeviceHealth(device: Floor.pdu, online: false, reason: "timeout")], now: Floor.at(0)).changes.isEmpty)
        let down = e.tick(now: Floor.at(120)).changes
        #expect(down.map { "\($0.change) \($0.event.severity) \($0.event.scope)" } == ["opened critical DC-R1-A05-PDU-A"])
        #expect(down.first?.event.message == "device DC-R1-A05-PDU-A is offline (timeout) (rack DC-R1-A05, room DC-R1)")
        #expect(e.deviceHealth([DeviceHealth(device: Floor.pdu, online: true)], now: Floor.at(200)).changes.map(\.change) == [.resolved])
    }

    @Test("ASHRAE envelope per room, with the class written as a derived point")
    func envelope() throws {
        var e = try Floor.engine("rules: [{ id: envelope, kind: envelope }]")
        let hot = e.ingest([Floor.reading(Floor.temp, 0, 33), Floor.reading(Floor.rh, 0, 40)], now: Floor.at(0))
        #expect(hot.changes.map { "\($0.change) \($0.event.severity) \($0.event.scope)" } == ["opened warning DC-R1"])
        #expect(hot.changes.first?.event.message.contains("room DC-R1 is in ASHRAE A2") == true)
        #expect(hot.changes.first?.event.message.contains("the room's class is A1") == true)
        let cls = try #require(hot.derived.first { $0.point.description == "DC-R1/ashrae_class" })
        #expect(cls.value == 2)
        let dp = try #require(hot.derived.first { $0.point.description == "DC-R1-A05-TH1/dew_point" })
        #expect(abs(dp.value - 17.6) < 0.1)
        let ok = e.ingest([Floor.reading(Floor.temp, 60, 22), Floor.reading(Floor.rh, 60, 45)], now: Floor.at(60))
        #expect(ok.changes.map(\.change) == [.resolved])
        #expect(ok.derived.first { $0.point.description == "DC-R1/ashrae_class" }?.value == 0)
        let outside = e.ingest([Floor.reading(Floor.temp, 120, 46)], now: Floor.at(120))
        #expect(outside.changes.map { "\($0.change) \($0.event.severity)" } == ["opened critical"])
        #expect(outside.derived.first { $0.point.description == "DC-R1/ashrae_class" }?.value == 5)
        // A humidity reading older than max_age (10m) leaves the probe out: no class — and no
        // all-clear: the probe that made the room critical has no fresh humidity, so the event
        // stays firing, marked as missing its data (issue: missing data never clears an alarm).
        #expect(outside.derived.first { $0.point.description == "DC-R1-A05-TH1/dew_point" }?.time == Floor.at(120))
        let stale = e.ingest([Floor.reading(Floor.temp, 900, 22)], now: Floor.at(900))
        #expect(stale.changes.map { "\($0.change) \($0.event.severity) \($0.event.state)" } == ["dataMissing critical firing"])
        #expect(stale.changes.first?.event.dataMissing == ["DC-R1-A05-TH1/relative_humidity"])
        #expect(!stale.derived.contains { $0.point.description == "DC-R1/ashrae_class" })
    }

    @Test("a probe's dew point is written once per new reading of it, not at every evaluation of its room")
    func dewPointOncePerReading() throws {
        let a = PointID(ci: "H-TH1", name: "temperature")!, ah = PointID(ci: "H-TH1", name: "relative_humidity")!
        let b = PointID(ci: "H-TH2", name: "temperature")!, bh = PointID(ci: "H-TH2", name: "relative_humidity")!
        let topology = RuleTopology(
            rooms: [.init(id: "H", areaSquareMetres: 100)], racks: [], devices: [.init(id: "H-TH1", room: "H"), .init(id: "H-TH2", room: "H")],
            points: [
                PointDescriptor(id: a, quantity: .temperature, unit: .celsius), PointDescriptor(id: ah, quantity: .relativeHumidity, unit: .percentRH),
                PointDescriptor(id: b, quantity: .temperature, unit: .celsius), PointDescriptor(id: bh, quantity: .relativeHumidity, unit: .percentRH),
            ])
        var e = RuleEngine(rules: try RuleCompiler.compile(try Floor.decode("rules: [{ id: env, kind: envelope }]"), topology: topology))
        let first = e.ingest([Floor.reading(a, 0, 22), Floor.reading(ah, 0, 45)], now: Floor.at(1))
        #expect(first.derived.filter { $0.point.name == "dew_point" }.map(\.point) == [PointID(ci: "H-TH1", name: "dew_point")!])
        #expect(first.derived.first { $0.point.name == "dew_point" }?.time == Floor.at(0))
        // The second probe's batch re-evaluates the room (its class) but does not repeat H-TH1's dew point.
        let second = e.ingest([Floor.reading(b, 5, 23), Floor.reading(bh, 5, 50)], now: Floor.at(6))
        #expect(second.derived.filter { $0.point.name == "dew_point" }.map(\.point) == [PointID(ci: "H-TH2", name: "dew_point")!])
        #expect(second.derived.contains { $0.point.description == "H/ashrae_class" })
    }

    @Test("capacity: PDU against its rating (80 %), rack against its budget")
    func capacity() throws {
        var e = try Floor.engine(
            """
            rules:
              - { id: pdu, kind: capacity, scope: device, warning: 0.8, critical: 1.0, clear: 0.75 }
              - { id: rack, kind: capacity, scope: rack, warning: 0.8, critical: 1.0, clear: 0.75 }
            """)
        let high = e.feed(Floor.reading(Floor.power, 0, 6000))
        #expect(
            Set(high.map { "\($0.event.ruleID) \($0.change) \($0.event.severity) \($0.event.scope)" }) == [
                "pdu opened warning DC-R1-A05-PDU-A", "rack opened critical DC-R1-A05",
            ])
        let pdu = try #require(high.first { $0.event.ruleID == "pdu" })
        // Both carry the rack: the PDU is mounted in it, the rack is itself.
        #expect(high.map(\.event.rack) == [Floor.rack, Floor.rack])
        #expect(high.map(\.event.room) == [Floor.room, Floor.room])
        #expect(pdu.event.message.contains("draws 6 kW (total point), 81.08 % of its 7.4 kW rating") == true)
        // 5700 W: PDU 77 % — between clear (75 %) and warning: holds; rack 114 %: still critical.
        #expect(e.feed(Floor.reading(Floor.power, 60, 5700)).isEmpty)
        let low = e.feed(Floor.reading(Floor.power, 120, 3000))
        #expect(Set(low.map { "\($0.event.ruleID) \($0.change)" }) == ["pdu resolved", "rack resolved"])
    }

    @Test("allocation gap: measured above allocated, and stranded capacity")
    func allocation() throws {
        var e = try Floor.engine("rules: [{ id: gap, kind: allocation, over: 1.0, under: 0.25 }]")
        let over = e.feed(Floor.reading(Floor.power, 0, 4500))
        #expect(over.map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
        #expect(over.first?.event.message.contains("4.5 kW (total point) against 4 kW allocated") == true)
        #expect(e.feed(Floor.reading(Floor.power, 60, 2000)).map(\.change) == [.resolved])
        #expect(e.feed(Floor.reading(Floor.power, 120, 500)).map { "\($0.change) \($0.event.severity)" } == ["opened info"])
    }

    @Test("corrosion: 30-day rate from cumulative thickness, sensor replacement, ISA level")
    func corrosion() throws {
        var e = try Floor.engine("rules: [{ id: corrosion, kind: corrosion, target: G1 }]")
        let day = 86_400.0
        var changes: [EventChange] = []
        var derived: [Reading] = []
        for d in 0...30 {
            let out = e.ingest([Floor.reading(Floor.copper, Double(d) * day, 1000 + 5 * Double(d))], now: Floor.at(Double(d) * day))
            changes += out.changes
            derived += out.derived
        }
        #expect(changes.isEmpty)  // 150 Å/30 d: G1
        #expect(derived.last { $0.point.name == "copper.rate30" }?.value == 150)
        #expect(derived.last { $0.point.name == "isa_level" }?.value == 1)
        // New sensor: cumulative drops to 0, a new series starts (no negative rate, no event).
        let replaced = e.ingest([Floor.reading(Floor.copper, 31 * day, 0)], now: Floor.at(31 * day))
        #expect(replaced.changes.isEmpty && replaced.derived.isEmpty)
        #expect(e.state.corrosion[Floor.copper]?.replacements == 1)
        // One day later +20 Å: 600 Å/30 d extrapolated → G2, worse than the G1 target.
        let g2 = e.ingest([Floor.reading(Floor.copper, 32 * day, 20), Floor.reading(Floor.silver, 32 * day, 0)], now: Floor.at(32 * day))
        #expect(g2.changes.map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
        #expect(g2.changes.first?.event.message.contains("ISA-71.04 G2 (copper 600 Å/30d)") == true)
        #expect(g2.derived.first { $0.point.name == "isa_level" }?.value == 2)
    }

    @Test("particles: concentration per m³ from counts and volume, ISO class, each sample once")
    func particles() throws {
        var e = try Floor.engine(
            "rules: [{ id: particles, kind: particles, channels: { count.0.5um: 0.5, count.1.0um: 1, count.5.0um: 5 }, volume: sample.volume, target: 8 }]"
        )
        func sample(_ t: Double, _ c05: Double) -> [Reading] {
            [
                Floor.reading(Floor.ch05, t, c05), Floor.reading(Floor.ch1, t, 500_000), Floor.reading(Floor.ch5, t, 10_000),
                Floor.reading(Floor.volume, t, 1000),
            ]
        }
        let clean = e.ingest(sample(0, 3_000_000), now: Floor.at(0))
        #expect(clean.changes.isEmpty)
        #expect(clean.derived.first { $0.point.name == "iso_class" }?.value == 8)
        #expect(clean.derived.first { $0.point.name == "count.0.5um.per_m3" }?.value == 3_000_000)
        let dirty = e.ingest(sample(60, 4_000_000), now: Floor.at(60))
        #expect(dirty.changes.map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
        #expect(dirty.derived.first { $0.point.name == "iso_class" }?.value == 8.1)
        #expect(dirty.changes.first?.event.message.contains("measures ISO 8.1") == true)
        // The same sample read again on the next poll is not counted twice.
        let again = e.ingest(sample(60, 4_000_000), now: Floor.at(120))
        #expect(again.changes.isEmpty && again.derived.isEmpty)
        let filthy = e.ingest(sample(180, 40_000_000), now: Floor.at(180))
        #expect(filthy.changes.map { "\($0.change) \($0.event.severity)" } == ["severityChanged critical"])
        #expect(filthy.derived.first { $0.point.name == "iso_class" }?.value == 10)
    }

    @Test("differential counters are converted before classifying")
    func differential() throws {
        var e = try Floor.engine(
            "rules: [{ id: particles, kind: particles, channels: { count.0.5um: 0.5, count.5.0um: 5 }, volume: sample.volume, counts: differential }]"
        )
        let out = e.ingest(
            [Floor.reading(Floor.ch05, 0, 3_500_000), Floor.reading(Floor.ch5, 0, 29_300), Floor.reading(Floor.volume, 0, 1000)],
            now: Floor.at(0))
        // ≥0.5 µm = 3 500 000 + 29 300 = 3 529 300 > 3 520 000 → ISO 8.1.
        #expect(out.derived.first { $0.point.name == "count.0.5um.per_m3" }?.value == 3_529_300)
        #expect(out.derived.first { $0.point.name == "iso_class" }?.value == 8.1)
    }

    @Test("falling threshold: warning below 18, critical below 15, clears at 18.5")
    func falling() throws {
        var e = try Floor.engine(
            "rules: [{ id: cold, kind: threshold, select: { points: [DC-R1-A05-TH1/temperature] }, direction: falling, warning: 18, critical: 15, clear: 18.5 }]"
        )
        #expect(e.feed(Floor.reading(Floor.temp, 0, 19)).isEmpty)
        #expect(e.feed(Floor.reading(Floor.temp, 60, 17.5)).map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
        #expect(e.feed(Floor.reading(Floor.temp, 120, 15)).map { "\($0.change) \($0.event.severity)" } == ["severityChanged critical"])
        #expect(e.feed(Floor.reading(Floor.temp, 180, 18.2)).map { "\($0.change) \($0.event.severity)" } == ["severityChanged warning"])
        #expect(e.feed(Floor.reading(Floor.temp, 240, 18.3)).isEmpty)  // above warning, below clear: holds
        #expect(e.feed(Floor.reading(Floor.temp, 300, 18.5)).map(\.change) == [.resolved])
    }

    @Test("capacity sums a rack's power devices, each counted once, and converts kW to W")
    func kilowatts() throws {
        let rack: CIID = "DC-R3-B01"
        let feedA = PointID(ci: "DC-R3-B01-PDU-A", name: "active_power")!
        let feedB = PointID(ci: "DC-R3-B01-PDU-B", name: "active_power")!
        let topology = RuleTopology(
            rooms: [.init(id: "DC-R3")], racks: [.init(id: rack, room: "DC-R3", powerBudgetWatts: 4000)],
            devices: [
                .init(id: feedA.ci, rack: rack, room: "DC-R3", powerRatingWatts: 3700),
                .init(id: feedB.ci, rack: rack, room: "DC-R3", powerRatingWatts: 3700),
            ],
            points: [
                PointDescriptor(id: feedA, quantity: .activePower, unit: .kilowatt),
                PointDescriptor(id: feedB, quantity: .activePower, unit: .watt),
            ])
        let rules = try RuleCompiler.compile(
            try Floor.decode("rules: [{ id: rack, kind: capacity, scope: rack, warning: 0.8, critical: 1.0, clear: 0.75 }]"),
            topology: topology)
        var e = RuleEngine(rules: rules)
        let t = Floor.at(0)
        // 1.7 kW + 1500 W = 3.2 kW of 4 kW: exactly 80 % → warning.
        let out = e.ingest([Reading(point: feedA, time: t, value: 1.7), Reading(point: feedB, time: t, value: 1500)], now: t)
        #expect(out.changes.map { "\($0.change) \($0.event.severity) \($0.event.scope)" } == ["opened warning DC-R3-B01"])
        #expect(out.changes.first?.event.message.contains("draws 3.2 kW (DC-R3-B01-PDU-A: total point; DC-R3-B01-PDU-B: total point), 80 % of its 4 kW budget") == true)
        #expect(out.changes.first?.event.evidence.count == 2)
    }
}
