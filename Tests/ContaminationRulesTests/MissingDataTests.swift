import ContaminationRules
import Telemetry
import Testing

/// Missing data never clears an alarm (Zabbix's rule: a problem stays open when its item stops
/// sending; "no data" is its own trigger). Per rule kind: the inputs that made an event fire go
/// stale, bad or absent — or, for corrosion, restart their series — and the event stays firing,
/// marked `dataMissing` with the inputs named, until fresh good readings clear it.
@Suite("Missing data never clears an alarm", .timeLimit(.minutes(1)))
struct MissingDataTests {
    /// A second probe in room DC-R1, so that a room has a quiet member and a reporting one.
    static let probeB: CIID = "DC-R1-A06-TH1"
    static let tempB = PointID(ci: probeB, name: "temperature")!
    static let rhB = PointID(ci: probeB, name: "relative_humidity")!

    static var topology: RuleTopology {
        var t = Floor.topology
        t.devices[probeB] = .init(id: probeB, rack: Floor.rack, room: Floor.room)
        t.points[tempB] = PointDescriptor(id: tempB, quantity: .temperature, unit: .celsius)
        t.points[rhB] = PointDescriptor(id: rhB, quantity: .relativeHumidity, unit: .percentRH)
        return t
    }

    /// An engine for `rules`, with a stale rule (3 × 1 minute) that sets when a point is silent.
    static func engine(_ rules: String) throws -> RuleEngine {
        let yaml = "rules:\n  - { id: stale, kind: stale, interval: 1m, intervals: 3 }\n" + rules
        return RuleEngine(rules: try RuleCompiler.compile(try Floor.decode(yaml), topology: topology))
    }

    static func r(_ p: PointID, _ s: Double, _ v: Double, _ q: Quality = .good) -> Reading { Floor.reading(p, s, v, q) }

    /// The changes of `rule`, as `change severity`.
    static func of(_ rule: String, _ out: RuleOutput) -> [String] {
        out.changes.filter { $0.event.ruleID == rule }.map { "\($0.change) \($0.event.severity)" }
    }

    static func open(_ e: RuleEngine, _ rule: String) -> Event? { e.openEvents.first { $0.ruleID == rule } }

    @Test("threshold: a bad, absent or uncertain reading, or silence, never clears it; a good one below clear does")
    func threshold() throws {
        var e = try Self.engine("  - { id: hot, kind: threshold, select: { quantity: temperature }, warning: 27, critical: 32, clear: 26.5 }\n")
        #expect(Self.of("hot", e.ingest([Self.r(Floor.temp, 0, 33)], now: Floor.at(0))) == ["opened critical"])
        for (t, q) in [(10.0, Quality.bad(reason: "timeout")), (20, .absent)] {
            let out = e.ingest([Reading.missing(Floor.temp, at: Floor.at(t), q)], now: Floor.at(t))
            #expect(Self.of("hot", out) == (t == 10 ? ["dataMissing critical"] : []), "\(q)")
            #expect(Self.open(e, "hot")?.dataMissing == ["DC-R1-A05-TH1/temperature"])
        }
        #expect(Self.open(e, "hot")?.message.contains("no fresh good reading shows it cleared: DC-R1-A05-TH1/temperature reads absent") == true)
        // An uncertain reading below the clear level is no all-clear either.
        #expect(Self.of("hot", e.ingest([Self.r(Floor.temp, 30, 22, .uncertain)], now: Floor.at(30))).isEmpty)
        #expect(Self.open(e, "hot")?.state == .firing)
        // Silence: the tick past the stale limit keeps it, marked; then a good hot reading is
        // evidence it still holds, and a good cool one that it cleared.
        #expect(Self.of("hot", e.ingest([Self.r(Floor.temp, 40, 33)], now: Floor.at(40))) == ["dataReturned critical"])
        #expect(Self.of("hot", e.tick(now: Floor.at(300))) == ["dataMissing critical"])
        #expect(Self.open(e, "hot")?.message.contains("DC-R1-A05-TH1/temperature has not reported for 260s; last seen 33 °C at") == true,
            "\(Self.open(e, "hot")?.message ?? "")")
        #expect(Self.of("hot", e.tick(now: Floor.at(3600))).isEmpty, "still firing, still marked, no repeat")
        let back = e.ingest([Self.r(Floor.temp, 3610, 22)], now: Floor.at(3610))
        #expect(Self.of("hot", back) == ["resolved critical"])
        #expect(back.changes.first { $0.event.ruleID == "hot" }?.event.dataMissing == nil)
    }

    @Test("envelope: the hot probe going quiet does not resolve the room on the remaining probes")
    func envelope() throws {
        var e = try Self.engine("  - { id: envelope, kind: envelope }\n")
        // Probe A in A2 (30 °C, 50 % RH: dew point 18.4 °C), probe B recommended.
        let hot = e.ingest([Self.r(Floor.temp, 0, 30), Self.r(Floor.rh, 0, 50), Self.r(Self.tempB, 0, 22), Self.r(Self.rhB, 0, 45)], now: Floor.at(0))
        #expect(Self.of("envelope", hot) == ["opened warning"])
        // A falls silent; B goes on reporting. After max_age (10m) the room's class comes from B
        // alone — recommended — which used to resolve the event.
        var all: [String] = []
        for minute in 1...15 {
            let t = Double(minute) * 60
            all += Self.of("envelope", e.ingest([Self.r(Self.tempB, t, 22), Self.r(Self.rhB, t, 45)], now: Floor.at(t)))
            all += Self.of("envelope", e.tick(now: Floor.at(t + 1)))
        }
        #expect(all == ["dataMissing warning"], "\(all)")
        let ev = try #require(Self.open(e, "envelope"))
        #expect(ev.dataMissing == ["DC-R1-A05-TH1/relative_humidity", "DC-R1-A05-TH1/temperature"])
        #expect(ev.message.contains("DC-R1-A05-TH1/temperature has not reported for"), "\(ev.message)")
        #expect(ev.message.contains("last seen 30 °C"), "\(ev.message)")
        // A reports again, in range: now the room is evidenced clear.
        let t = 16.0 * 60
        #expect(Self.of("envelope", e.ingest([Self.r(Floor.temp, t, 23), Self.r(Floor.rh, t, 45)], now: Floor.at(t))) == ["resolved warning"])
    }

    @Test("rate: a slope event stays while its probe is silent; flat good readings clear it")
    func rate() throws {
        var e = try Self.engine("  - { id: rate, kind: rate, select: { points: [DC-R1-A05-TH1/temperature] }, window: 15m, limit_no_tape: 20 }\n")
        var fired: [String] = []
        for i in 0...10 { fired += Self.of("rate", e.ingest([Self.r(Floor.temp, Double(i) * 60, 20 + Double(i) * 0.5)], now: Floor.at(Double(i) * 60))) }
        #expect(fired == ["opened warning"])  // 30 °C/h
        #expect(Self.of("rate", e.tick(now: Floor.at(1000))) == ["dataMissing warning"])
        var later: [String] = []
        for i in 0...20 {
            let t = 1100 + Double(i) * 60
            later += Self.of("rate", e.ingest([Self.r(Floor.temp, t, 25)], now: Floor.at(t)))
        }
        // The first fresh reading gives a slope from good readings in the window (22 → 25 °C
        // over 14 minutes, under the limit): evidence it cleared.
        #expect(later == ["resolved warning"], "\(later)")
    }

    @Test("state: an overload seen, then the PDU's state unreadable: stays; normal read again: resolves")
    func state() throws {
        var e = try Self.engine("  - { id: load, kind: state, select: { name: load_state }, warning_states: [3], critical_states: [4] }\n")
        #expect(Self.of("load", e.ingest([Self.r(Floor.loadState, 0, 4)], now: Floor.at(0))) == ["opened critical"])
        #expect(Self.of("load", e.ingest([.missing(Floor.loadState, at: Floor.at(30), .bad(reason: "noSuchInstance"))], now: Floor.at(30))) == ["dataMissing critical"])
        // A state number the profile does not name is uncertain: no all-clear.
        #expect(Self.of("load", e.ingest([Self.r(Floor.loadState, 60, 9, .uncertain)], now: Floor.at(60))).isEmpty)
        #expect(Self.of("load", e.ingest([Self.r(Floor.loadState, 90, 2)], now: Floor.at(90))) == ["resolved critical"])
    }

    @Test("capacity and allocation: a PDU gone silent while over budget stays over budget, marked")
    func capacity() throws {
        var e = try Self.engine(
            """
              - { id: pdu, kind: capacity, scope: device, warning: 0.8, critical: 1.0, clear: 0.75 }
              - { id: rack, kind: capacity, scope: rack, warning: 0.8, critical: 1.0, clear: 0.75 }
              - { id: gap, kind: allocation, over: 1.0 }

            """)
        let over = e.ingest([Self.r(Floor.power, 0, 6000)], now: Floor.at(0))
        #expect(Set(over.changes.map { "\($0.event.ruleID) \($0.change)" }) == ["pdu opened", "rack opened", "gap opened"])
        // The PDU stops answering: its power reads bad. Nothing resolves; all three are marked.
        let down = e.ingest([.missing(Floor.power, at: Floor.at(30), .bad(reason: "timeout"))], now: Floor.at(30))
        #expect(Set(down.changes.map { "\($0.event.ruleID) \($0.change)" }) == ["pdu dataMissing", "rack dataMissing", "gap dataMissing"])
        #expect(e.openEvents.filter { ["pdu", "rack", "gap"].contains($0.ruleID) }.allSatisfy { $0.dataMissing == ["DC-R1-A05-PDU-A/active_power"] })
        // Hours of silence: no tick resolves them.
        #expect(e.tick(now: Floor.at(7200)).changes.filter { $0.change == .resolved }.isEmpty)
        // Power read again, low: the evidence clears all three.
        let low = e.ingest([Self.r(Floor.power, 7210, 3000)], now: Floor.at(7210))
        #expect(Set(low.changes.filter { $0.event.ruleID != "stale" }.map { "\($0.event.ruleID) \($0.change)" }) == ["pdu resolved", "rack resolved", "gap resolved"])
    }

    @Test("corrosion: a replaced copper sensor does not resolve a G2 event on silver alone")
    func corrosion() throws {
        var e = try Self.engine("  - { id: corrosion, kind: corrosion, target: G1, min_span: 1d }\n")
        let day = 86_400.0
        var changes: [String] = []
        // Copper 600 Å/30 d (G2), silver 100 Å/30 d (G1), one sample per hour for 2 days.
        for h in 0...48 {
            let t = Double(h) * 3600
            changes += Self.of("corrosion", e.ingest([Self.r(Floor.copper, t, 1000 + 20 * t / day), Self.r(Floor.silver, t, 500 + 10.0 / 3 * t / day)], now: Floor.at(t)))
        }
        #expect(changes == ["opened warning"])
        // The copper sensor is replaced: its cumulative value drops, a new series starts. For the
        // next day the class comes from silver alone (G1): it used to resolve "G1 (silver …)".
        var after: [String] = []
        for h in 49...72 {
            let t = Double(h) * 3600
            after += Self.of("corrosion", e.ingest([Self.r(Floor.copper, t, 5 * (t - 49 * 3600) / day), Self.r(Floor.silver, t, 500 + 10.0 / 3 * t / day)], now: Floor.at(t)))
        }
        #expect(after == ["dataMissing warning"], "\(after)")
        let ev = try #require(Self.open(e, "corrosion"))
        #expect(ev.dataMissing == ["DC-R1-CM1/copper.thickness"])
        #expect(ev.message.contains("DC-R1-CM1/copper.thickness restarted (sensor replaced); the new series covers"), "\(ev.message)")
        // Once the new copper series covers min_span its rate (150 Å/30 d, G1) is evidence: resolved.
        var cleared: [String] = []
        for h in 73...80 {
            let t = Double(h) * 3600
            cleared += Self.of("corrosion", e.ingest([Self.r(Floor.copper, t, 5 * (t - 49 * 3600) / day), Self.r(Floor.silver, t, 500 + 10.0 / 3 * t / day)], now: Floor.at(t)))
        }
        #expect(cleared == ["resolved warning"], "\(cleared)")
    }

    @Test("particles: an absent channel or a laser fault is no all-clear; a good clean sample is")
    func particles() throws {
        var e = try Self.engine("  - { id: particles, kind: particles, channels: { count.0.5um: 0.5, count.5.0um: 5 }, flow: 28.3, duration: sample.duration, target: 8 }\n")
        // 28.3 L per minute-long sample: ISO 8 at 0.5 µm allows 99 616 counts.
        func sample(_ t: Double, c05: Reading?, c5: Double, _ q: Quality = .good) -> RuleOutput {
            var rs = [Self.r(Floor.ch5, t, c5, q), Self.r(Floor.duration, t, 60)]
            if let c05 { rs.append(c05) }
            return e.ingest(rs, now: Floor.at(t))
        }
        #expect(Self.of("particles", sample(0, c05: Self.r(Floor.ch05, 0, 400_000), c5: 500)) == ["opened warning"])
        // The 0.5 µm channel absent: the class from 5 µm alone would be fine.
        #expect(Self.of("particles", sample(60, c05: .missing(Floor.ch05, at: Floor.at(60), .absent), c5: 100)) == ["dataMissing warning"])
        // A laser fault: counts uncertain, low — still no all-clear.
        #expect(Self.of("particles", sample(120, c05: Self.r(Floor.ch05, 120, 1000, .uncertain), c5: 10, .uncertain)).isEmpty)
        // 5 µm was seen within limits in the last good sample: only 0.5 µm is still owed.
        #expect(Self.open(e, "particles")?.dataMissing == ["DC-R1-PC1/count.0.5um"])
        #expect(Self.open(e, "particles")?.message.contains("DC-R1-PC1/count.0.5um is uncertain (1000 count at") == true,
            "\(Self.open(e, "particles")?.message ?? "")")
        #expect(Self.of("particles", sample(180, c05: Self.r(Floor.ch05, 180, 1000), c5: 10)) == ["resolved warning"])
    }

    @Test("clock: a device that stops sending records keeps its drift event, marked")
    func clock() throws {
        let stamp = PointID(ci: Floor.counter, name: "sample.time")!
        // The fixture floor's counter has no timestamp point: add one for this test.
        var topology = Self.topology
        topology.points[stamp] = PointDescriptor(id: stamp, quantity: .timestamp, unit: .second)
        let yaml = "rules:\n  - { id: stale, kind: stale, interval: 1m, intervals: 3 }\n  - { id: clock, kind: clock, select: { points: [DC-R1-PC1/sample.time] }, max_drift: 2m }\n"
        var e = RuleEngine(rules: try RuleCompiler.compile(try Floor.decode(yaml), topology: topology))
        let t0 = Double(Floor.t0.milliseconds) / 1000
        #expect(Self.of("clock", e.ingest([Reading(point: stamp, time: Floor.at(0), value: t0 - 600)], now: Floor.at(0))) == ["opened warning"])
        #expect(Self.of("clock", e.tick(now: Floor.at(600))) == ["dataMissing warning"])
        #expect(Self.of("clock", e.ingest([Reading(point: stamp, time: Floor.at(660), value: t0 + 650)], now: Floor.at(660))) == ["resolved warning"])
    }

    @Test("restart: a firing event is not resolved by the first evaluations after a restart, before its inputs report again")
    func restart() throws {
        var e = try Self.engine(
            """
              - { id: hot, kind: threshold, select: { quantity: temperature }, warning: 27, clear: 26.5 }
              - { id: envelope, kind: envelope }

            """)
        _ = e.ingest([Self.r(Floor.temp, 0, 30), Self.r(Floor.rh, 0, 50), Self.r(Self.tempB, 0, 22), Self.r(Self.rhB, 0, 45)], now: Floor.at(0))
        #expect(Set(e.openEvents.map(\.ruleID)) == ["hot", "envelope"])
        // The daemon is down for an hour; it restarts from its checkpoint.
        var state = try RuleEngineState(encoded: e.state.encoded())
        state.resume(at: Floor.at(3600))
        var r = RuleEngine(rules: e.rules, state: state)
        r.warm([])
        // Ticks and probe B's readings right after the restart: nothing resolves, nothing is
        // marked yet (the agent's own downtime is not the probe's silence).
        var after = r.tick(now: Floor.at(3601)).changes
        after += r.ingest([Self.r(Self.tempB, 3610, 22), Self.r(Self.rhB, 3610, 45)], now: Floor.at(3610)).changes
        #expect(after.filter { ["hot", "envelope"].contains($0.event.ruleID) }.isEmpty, "\(after)")
        // Probe A stays silent past the stale limit after the restart: marked, still firing.
        let marked = r.tick(now: Floor.at(3600 + 181)).changes.filter { ["hot", "envelope"].contains($0.event.ruleID) }
        #expect(Set(marked.map { "\($0.event.ruleID) \($0.change)" }) == ["hot dataMissing", "envelope dataMissing"])
        // A reports again, cool: both resolve on that evidence.
        let back = r.ingest([Self.r(Floor.temp, 3800, 22), Self.r(Floor.rh, 3800, 45)], now: Floor.at(3800)).changes
        #expect(Set(back.filter { $0.event.ruleID != "stale" }.map { "\($0.event.ruleID) \($0.change)" }) == ["hot resolved", "envelope resolved"])
    }
}
