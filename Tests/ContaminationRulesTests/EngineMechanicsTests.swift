import ContaminationRules
import Foundation
import Telemetry
import Testing

@Suite("Rule mechanics: sustain, hysteresis, flapping, bad data, restart, maintenance", .timeLimit(.minutes(1)))
struct EngineMechanicsTests {
    let temp = Floor.temp

    static let hot = """
        rules:
          - id: hot
            kind: threshold
            select: { points: [DC-R1-A05-TH1/temperature] }
            warning: 27
            critical: 32
            clear: 26
            for: 2m
        """

    @Test("sustain: fires only after the condition held for `for`, and a dip restarts the timer")
    func sustain() throws {
        var e = try Floor.engine(Self.hot)
        #expect(e.feed(Floor.reading(temp, 0, 28)).isEmpty)
        #expect(e.feed(Floor.reading(temp, 60, 28)).isEmpty)
        let fired = e.feed(Floor.reading(temp, 120, 28))
        #expect(fired.map(\.change) == [.opened])
        #expect(fired.first?.event.severity == .warning)
        #expect(fired.first?.event.dedupKey == "hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature")
        #expect(fired.first?.event.message.contains("DC-R1-A05-TH1/temperature is 28 °C") == true)
        #expect(fired.first?.event.message.contains("rack DC-R1-A05, room DC-R1") == true)
        #expect(fired.first?.event.rack == Floor.rack && fired.first?.event.room == Floor.room)
        // A probe standing in a room, on no rack: the event has a room and no rack.
        var free = try Floor.engine(Self.hot.replacingOccurrences(of: "DC-R1-A05-TH1/temperature", with: "DC-R2-TH1/temperature"))
        _ = free.feed(Floor.reading(Floor.temp2, 0, 33))
        let roomOnly = free.feed(Floor.reading(Floor.temp2, 120, 33))
        #expect(roomOnly.first?.event.rack == nil && roomOnly.first?.event.room == Floor.tapeRoom, "\(roomOnly)")

        var d = try Floor.engine(Self.hot)
        _ = d.feed(Floor.reading(temp, 0, 28))
        #expect(d.feed(Floor.reading(temp, 60, 26.9)).isEmpty)  // below warning: timer resets
        #expect(d.feed(Floor.reading(temp, 120, 28)).isEmpty)
        #expect(d.feed(Floor.reading(temp, 180, 28)).isEmpty)
        #expect(d.feed(Floor.reading(temp, 240, 28)).map(\.change) == [.opened])
    }

    @Test("sustain expiry is seen by tick without a new reading")
    func sustainByTick() throws {
        var e = try Floor.engine(Self.hot)
        _ = e.feed(Floor.reading(temp, 0, 28))
        #expect(e.tick(now: Floor.at(119)).changes.isEmpty)
        #expect(e.tick(now: Floor.at(120)).changes.map(\.change) == [.opened])
        #expect(e.tick(now: Floor.at(180)).changes.isEmpty)  // fires once
        #expect(e.openEvents.first?.lastSeen == Floor.at(120))  // a tick observes nothing new
        _ = e.feed(Floor.reading(temp, 200, 28.2))
        #expect(e.openEvents.first?.lastSeen == Floor.at(200))
        #expect(e.openEvents.first?.evidence.last?.value == 28.2)
    }

    @Test("hysteresis: resolves only at the clear level; severity follows the levels")
    func hysteresis() throws {
        var e = try Floor.engine(Self.hot.replacingOccurrences(of: "for: 2m", with: "for: 0s"))
        #expect(e.feed(Floor.reading(temp, 0, 28)).map(\.change) == [.opened])
        #expect(e.feed(Floor.reading(temp, 60, 26.5)).isEmpty)  // between clear and warning: holds
        #expect(e.openEvents.count == 1)
        let cleared = e.feed(Floor.reading(temp, 120, 26))
        #expect(cleared.map(\.change) == [.resolved])
        #expect(cleared.first?.event.state == .resolved)
        #expect(e.feed(Floor.reading(temp, 180, 33)).map { "\($0.change) \($0.event.severity)" } == ["opened critical"])
        #expect(e.feed(Floor.reading(temp, 240, 30)).map { "\($0.change) \($0.event.severity)" } == ["severityChanged warning"])
        #expect(e.feed(Floor.reading(temp, 300, 26.8)).isEmpty)
    }

    @Test("flapping: N transitions in the window become one flapping event, not a storm")
    func flapping() throws {
        var e = try Floor.engine(
            """
            flapping: { transitions: 4, window: 10m }
            rules:
              - { id: hot, kind: threshold, select: { points: [DC-R1-A05-TH1/temperature] }, warning: 27, clear: 26 }
            """)
        var changes: [EventChange] = []
        for i in 0..<20 { changes += e.feed(Floor.reading(temp, Double(i) * 30, i % 2 == 0 ? 28 : 25)) }
        #expect(changes.map(\.change) == [.opened, .resolved, .opened, .flappingStarted])
        let flapping = try #require(e.openEvents.first)
        #expect(flapping.flapping && flapping.state == .firing)
        #expect(flapping.count >= 8)  // later fires counted on the one event
        // Calm: steady normal readings; the flapping event resolves once the window passes.
        for i in 20..<30 { changes += e.feed(Floor.reading(temp, Double(i) * 30, 25)) }
        #expect(changes.count == 4)  // still one flapping event
        let last = Double(19 * 30)
        #expect(e.tick(now: Floor.at(last + 599)).changes.isEmpty)
        let calm = e.tick(now: Floor.at(last + 600)).changes
        #expect(calm.map(\.change) == [.resolved])
        #expect(calm.first?.event.flapping == false)
        #expect(e.openEvents.isEmpty)
    }

    @Test("NaN, infinite and bad-quality readings never trip thresholds; they feed stale and quality")
    func badData() throws {
        var e = try Floor.engine(
            """
            rules:
              - { id: hot, kind: threshold, select: { points: [DC-R1-A05-TH1/temperature] }, warning: 27 }
              - { id: quality, kind: quality, select: { points: [DC-R1-A05-TH1/temperature] }, polls: 3 }
              - { id: stale, kind: stale, select: { points: [DC-R1-A05-TH1/temperature] }, interval: 1m, intervals: 3 }
            """)
        var changes = e.feed(Floor.reading(temp, 0, 22))
        changes += e.feed(Floor.reading(temp, 60, .infinity))
        changes += e.feed(Floor.reading(temp, 70, .nan))
        changes += e.feed(Floor.reading(temp, 80, 99, .bad(reason: "timeout")))
        changes += e.feed(Reading.missing(temp, at: Floor.at(90), .bad(reason: "timeout")))
        #expect(!changes.contains { $0.event.ruleID == "hot" })
        changes += e.feed(Reading.missing(temp, at: Floor.at(100), .bad(reason: "exception 2")))
        #expect(changes.map { "\($0.event.ruleID) \($0.change)" } == ["quality opened"])
        let stale = e.tick(now: Floor.at(180)).changes
        #expect(stale.map { "\($0.event.ruleID) \($0.change)" } == ["stale opened"])
        #expect(stale.first?.event.message.contains("no usable reading for 3m") == true)
        #expect(stale.first?.event.message.contains("last usable reading at 2026-01-01T00:00:00.000Z, latest bad(exception 2)") == true)
        let back = e.feed(Floor.reading(temp, 200, 22))
        #expect(Set(back.map { "\($0.event.ruleID) \($0.change)" }) == ["quality resolved", "stale resolved"])
    }

    @Test("an absent probe is neither stale nor bad quality")
    func absent() throws {
        var e = try Floor.engine(
            """
            rules:
              - { id: quality, kind: quality, select: { points: [DC-R1-A05-TH1/temperature] }, polls: 1 }
              - { id: stale, kind: stale, select: { points: [DC-R1-A05-TH1/temperature] }, interval: 1m, intervals: 1 }
            """)
        #expect(e.feed(Reading.missing(temp, at: Floor.at(0), .absent)).isEmpty)
        #expect(e.tick(now: Floor.at(600)).changes.isEmpty)
    }

    @Test("frozen: the same raw value for N polls")
    func frozen() throws {
        var e = try Floor.engine("rules: [{ id: stuck, kind: frozen, select: { points: [DC-R1-A05-TH1/temperature] }, polls: 3 }]")
        #expect(e.feed(Floor.reading(temp, 0, 21)).isEmpty)
        #expect(e.feed(Floor.reading(temp, 60, 21)).isEmpty)
        let stuck = e.feed(Floor.reading(temp, 120, 21))
        #expect(stuck.map(\.change) == [.opened])
        #expect(stuck.first?.event.message.contains("same value 21 °C for 3 polls") == true)
        #expect(e.feed(Floor.reading(temp, 180, 21.1)).map(\.change) == [.resolved])
    }

    @Test("a duplicate sample is counted once")
    func duplicates() throws {
        var e = try Floor.engine("rules: [{ id: stuck, kind: frozen, select: { points: [DC-R1-A05-TH1/temperature] }, polls: 2 }]")
        _ = e.feed(Floor.reading(temp, 0, 21))
        #expect(e.feed(Floor.reading(temp, 0, 21)).isEmpty)  // same sample read again
        #expect(e.feed(Floor.reading(temp, 60, 21)).map(\.change) == [.opened])
    }

    @Test("restart with a firing event: it neither disappears nor fires twice")
    func restart() throws {
        var first = try Floor.engine(Self.hot)
        _ = first.feed(Floor.reading(temp, 0, 28))
        _ = first.feed(Floor.reading(temp, 60, Double.nan, .bad(reason: "timeout")))
        #expect(first.feed(Floor.reading(temp, 120, 28.5)).map(\.change) == [.opened])
        let data = try first.state.encoded()

        var second = RuleEngine(rules: try Floor.compile(Self.hot), state: try RuleEngineState(encoded: data))
        #expect(second.openEvents.map(\.dedupKey) == first.openEvents.map(\.dedupKey))
        #expect(second.openEvents.first?.firstSeen == Floor.at(120))
        #expect(second.feed(Floor.reading(temp, 180, 29)).isEmpty)  // still firing: not opened again
        #expect(second.tick(now: Floor.at(240)).changes.isEmpty)
        let resolved = second.feed(Floor.reading(temp, 300, 25))
        #expect(resolved.map(\.change) == [.resolved])
        #expect(resolved.first?.event.firstSeen == Floor.at(120))
        #expect(second.openEvents.isEmpty)
    }

    @Test("the checkpoint's point memories spliced in one by one decode to what encoding the whole state at once gives")
    func splicedCheckpoint() throws {
        var e = try Floor.engine(Self.hot)
        _ = e.feed(Floor.reading(temp, 0, 28))
        _ = e.feed(Floor.reading(temp, 60, Double.nan, .bad(reason: "timeout \"points\":[] in a reason")))
        _ = e.feed(Floor.reading(temp, 120, 28.5))
        for i in 0..<50 {
            let p = PointID(ci: "DC-R1-A05-TH1", name: "extra\(i)")!
            _ = e.feed(Reading(point: p, time: Floor.at(Double(i)), value: i % 7 == 0 ? .infinity : Double(i)))
        }
        #expect(!e.openEvents.isEmpty && e.state.points.count == 51)
        let spliced = try e.state.encoded()
        let whole = try RuleJSON.encode(e.state)
        #expect(try RuleEngineState(encoded: spliced) == RuleEngineState(encoded: whole))
        #expect(spliced.count == whole.count)
        #expect(try RuleEngineState(encoded: RuleEngineState().encoded()) == RuleEngineState())
    }

    @Test("the checkpoint leaves rate-window history and evidence to the store; warmed from the stored readings, the state is exactly what it was")
    func stateRoundTrip() throws {
        var e = try Floor.engine("rules: [{ id: rate, kind: rate, select: { points: [DC-R1-A05-TH1/temperature] }, window: 15m }]")
        var stored: [Reading] = []
        for i in 0..<40 {
            let r = Floor.reading(Floor.temp, Double(i) * 10, 22 + Double(i) / 7, i == 17 ? .uncertain : .good)
            stored.append(r)
            _ = e.feed(r)
        }
        #expect(e.state.points[Floor.temp]?.history.count == 40)
        let data = try e.state.encoded()
        // Small: the 40 history readings and the evidence are not in it (the event's own
        // evidence, in its alert state, is).
        #expect(data.count < 2_000, "\(data.count) bytes")
        let back = try RuleEngineState(encoded: data)
        #expect(back.points[Floor.temp]?.history.isEmpty == true && back.points[Floor.temp]?.recent.isEmpty == true)
        #expect(back.alerts == e.state.alerts)

        var second = RuleEngine(rules: e.rules, state: back)
        // It asks for the 15-minute window up to the latest reading it had seen.
        #expect(second.warmUpRanges == [Floor.temp: Floor.at(390 - 900)...Floor.at(390)])
        // A reading after that one (committed after the checkpoint) is left for replay.
        second.warm(stored + [Floor.reading(Floor.temp, 400, 30)])
        #expect(second.state == e.state)
        #expect(second.state.points[Floor.temp]?.history[17].quality == .uncertain)
        #expect(second.warmUpRanges.isEmpty)
    }

    @Test("after a restart the rate rule sees its whole window at once (warmed from the store), as if there had been no restart")
    func rateWindowAcrossRestart() throws {
        let rules = "rules: [{ id: rate, kind: rate, select: { points: [DC-R1-A05-TH1/temperature] }, window: 15m }]"
        var straight = try Floor.engine(rules)
        var stored: [Reading] = []
        // 25 °C/h (limit 20) for 6.5 minutes: under half the window, too soon to judge.
        for i in 0..<40 {
            let r = Floor.reading(Floor.temp, Double(i) * 10, 22 + Double(i) * 10 * 25 / 3600)
            stored.append(r)
            #expect(straight.feed(r).isEmpty)
        }
        let saved = try straight.state.encoded()
        var warmed = RuleEngine(rules: straight.rules, state: try RuleEngineState(encoded: saved))
        warmed.warm(stored)
        var cold = RuleEngine(rules: straight.rules, state: try RuleEngineState(encoded: saved))
        // Readings on to 7.5 minutes: the uninterrupted engine fires; the warmed one fires the
        // same way at the same reading; one without the stored history would still be blind.
        var fired: [EventChange] = []
        for i in 40...45 {
            let r = Floor.reading(Floor.temp, Double(i) * 10, 22 + Double(i) * 10 * 25 / 3600)
            let a = straight.feed(r)
            #expect(warmed.feed(r) == a, "reading \(i)")
            #expect(cold.feed(r).isEmpty)
            fired += a
        }
        #expect(fired.map(\.change) == [.opened], "\(fired)")
        #expect(fired.first?.event.message.contains("(46 readings)") == true, "\(fired)")
    }

    @Test("reloaded rules: a condition whose rule is gone, or whose point or device it no longer selects, resolves saying why; the rest go on")
    func retiredConditions() throws {
        let rules = """
            rules:
              - { id: stale, kind: stale, select: { quantity: temperature }, interval: 10s, intervals: 3 }
              - { id: down, kind: offline, select: { devices: [DC-R1-A05-TH1, DC-R2-TH1] } }
              - { id: hot, kind: threshold, select: { quantity: temperature }, warning: 30 }
            """
        var e = try Floor.engine(rules)
        _ = e.feed(Floor.reading(Floor.temp, 0, 22), Floor.reading(Floor.temp2, 0, 31))
        let down = e.deviceHealth([DeviceHealth(device: Floor.probe2, online: false, reason: "timeout")], now: Floor.at(1))
        let stale = e.tick(now: Floor.at(60))
        #expect(Set((down.changes + stale.changes).map { "\($0.event.ruleID) \($0.event.scope) \($0.change)" }) == [
            "down DC-R2-TH1 opened", "stale DC-R1-A05-TH1 opened", "stale DC-R2-TH1 opened",
            // The probe fell silent while "hot" fired on it: that event stays, marked.
            "hot DC-R2-TH1 dataMissing",
        ])
        #expect(e.openEvents.count == 4, "hot on DC-R2-TH1 too: \(e.openEvents.map(\.dedupKey))")

        // The probe DC-R2-TH1 leaves the topology (its sensor was removed), and the rule "hot" leaves the file.
        var fewer = Floor.topology
        fewer.points[Floor.temp2] = nil
        fewer.points[Floor.rh2] = nil
        fewer.devices[Floor.probe2] = nil
        let reduced = try RuleCompiler.compile(
            try Floor.decode(rules.replacingOccurrences(of: ", DC-R2-TH1]", with: "]").components(separatedBy: "\n  - { id: hot").first!),
            topology: fewer, source: "test.yaml")
        var after = RuleEngine(rules: reduced, state: e.state)
        let retired = after.tick(now: Floor.at(61)).changes
        #expect(retired.allSatisfy { $0.change == .resolved })
        let messages = Dictionary(retired.map { ("\($0.event.ruleID) \($0.event.scope)", $0.event.message) }, uniquingKeysWith: { a, _ in a })
        #expect(messages["stale DC-R2-TH1"] == "resolved: rule 'stale' no longer watches DC-R2-TH1/temperature (its sensor left the configuration or the floor)")
        #expect(messages["down DC-R2-TH1"] == "resolved: rule 'down' no longer watches DC-R2-TH1 (its sensor left the configuration or the floor)")
        #expect(messages["hot DC-R2-TH1"] == "resolved: rule 'hot' was removed from the configuration")
        #expect(retired.count == 3, "\(retired.map(\.event.dedupKey))")
        // The probe still watched keeps its stale event.
        #expect(after.openEvents.map(\.dedupKey) == ["stale|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature"])
    }

    @Test("a device no longer polled: its offline event resolves saying so; another device's stays")
    func retiredDevice() throws {
        var e = try Floor.engine("rules: [{ id: down, kind: offline }]")
        let down = e.deviceHealth(
            [DeviceHealth(device: Floor.probe2, online: false, reason: "timeout"), DeviceHealth(device: Floor.pdu, online: false, reason: "timeout")],
            now: Floor.at(0))
        #expect(down.changes.map(\.change) == [.opened, .opened])
        let retired = e.devicesRetired([Floor.probe2], now: Floor.at(10)).changes
        #expect(retired.map(\.change) == [.resolved])
        #expect(retired.first?.event.message == "resolved: device DC-R2-TH1 is no longer polled (removed from the configuration)")
        #expect(e.openEvents.map(\.scope) == [Floor.pdu])
        #expect(e.state.devices[Floor.probe2] == nil)
    }

    @Test("a sensor added by a reload is stale only `after` its addition, not since the engine started")
    func staleAfterAddition() throws {
        let rules = "rules: [{ id: stale, kind: stale, select: { quantity: temperature }, interval: 10s, intervals: 3 }]"
        var without = Floor.topology
        without.points[Floor.temp2] = nil
        without.points[Floor.rh2] = nil
        var e = RuleEngine(rules: try RuleCompiler.compile(try Floor.decode(rules), topology: without, source: "test.yaml"))
        for t in stride(from: 0.0, through: 1000, by: 10) { _ = e.feed(Floor.reading(Floor.temp, t, 22)) }
        #expect(e.openEvents.isEmpty)

        // The second probe's sensor is added at t = 1000 (a reload): not stale at once…
        var after = RuleEngine(rules: try Floor.compile(rules), state: e.state)
        _ = after.feed(Floor.reading(Floor.temp, 1001, 22))
        #expect(after.tick(now: Floor.at(1002)).changes.isEmpty)
        _ = after.feed(Floor.reading(Floor.temp, 1025, 22))
        #expect(after.tick(now: Floor.at(1030)).changes.isEmpty)
        // …but 30 s after it was added, never having reported, it is.
        let stale = after.tick(now: Floor.at(1031)).changes
        #expect(stale.map { "\($0.change) \($0.event.point?.description ?? "")" } == ["opened DC-R2-TH1/temperature"], "\(stale)")
        #expect(stale.first?.event.message.contains("never read") == true, "\(stale)")
        // When it began to be watched survives a checkpoint.
        let back = try RuleEngineState(encoded: try after.state.encoded())
        #expect(back.staleSince == [Floor.temp2: Floor.at(1001)])
        // Its first reading resolves it and forgets when it began to be watched.
        #expect(after.feed(Floor.reading(Floor.temp2, 1040, 21)).map(\.change) == [.resolved])
        _ = after.tick(now: Floor.at(1041))
        #expect(after.state.staleSince.isEmpty)
        // A state saved before `staleSince` existed still decodes.
        #expect(try RuleEngineState(encoded: Data(#"{"alerts": {}, "points": [], "corrosion": [], "particleSamples": [], "devices": []}"#.utf8)).staleSince.isEmpty)
    }

    @Test("restart during a sustain timer keeps the timer")
    func restartPending() throws {
        var first = try Floor.engine(Self.hot)
        _ = first.feed(Floor.reading(temp, 0, 28))
        var second = RuleEngine(rules: first.rules, state: try RuleEngineState(encoded: try first.state.encoded()))
        #expect(second.feed(Floor.reading(temp, 120, 28)).map(\.change) == [.opened])
    }

    @Test("maintenance windows suppress notification but still record")
    func maintenance() throws {
        var e = try Floor.engine(Self.hot.replacingOccurrences(of: "for: 2m", with: "for: 0s"))
        e.maintenance = [MaintenanceWindow(ci: Floor.room, start: Floor.at(0), end: Floor.at(3600), reason: "CRAC service")]
        let during = e.feed(Floor.reading(temp, 60, 29))
        #expect(during.map(\.change) == [.opened])
        #expect(during.first?.notify == false && during.first?.event.suppressed == true)
        _ = e.feed(Floor.reading(temp, 120, 25))
        let after = e.feed(Floor.reading(temp, 4000, 29))
        #expect(after.first?.notify == true && after.first?.event.suppressed == false)
    }

    @Test("a window on the rack silences the sensors mounted in it")
    func rackWindow() throws {
        var e = try Floor.engine(Self.hot.replacingOccurrences(of: "for: 2m", with: "for: 0s"))
        e.maintenance = [MaintenanceWindow(ci: Floor.rack, start: Floor.at(0), end: Floor.at(3600), reason: "re-cabling")]
        let during = e.feed(Floor.reading(temp, 60, 29))
        #expect(during.first?.notify == false && during.first?.event.suppressed == true)
        // A window on another rack does not.
        var other = try Floor.engine(Self.hot.replacingOccurrences(of: "for: 2m", with: "for: 0s"))
        other.maintenance = [MaintenanceWindow(ci: "DC-R1-A06", start: Floor.at(0), end: Floor.at(3600))]
        #expect(other.feed(Floor.reading(temp, 60, 29)).first?.notify == true)
    }

    @Test("after a restart, stale timers count from the resume: the daemon's downtime is not the sensor's silence")
    func staleAfterResume() throws {
        let rules = "rules: [{ id: stale, kind: stale, select: { points: [DC-R1-A05-TH1/temperature] }, interval: 1m, intervals: 3 }]"
        var first = try Floor.engine(rules)
        _ = first.feed(Floor.reading(temp, 0, 22))
        // Down from 30 s to 10 min; resumed at 600 s.
        var state = try RuleEngineState(encoded: try first.state.encoded())
        state.resume(at: Floor.at(600))
        var second = RuleEngine(rules: first.rules, state: state)
        #expect(second.tick(now: Floor.at(601)).changes.isEmpty)
        #expect(second.tick(now: Floor.at(779)).changes.isEmpty)
        // Still silent three intervals after the resume: stale, naming the last reading.
        let stale = second.tick(now: Floor.at(780)).changes
        #expect(stale.map(\.change) == [.opened])
        #expect(stale.first?.event.message.contains("last usable reading at \(Floor.at(0))") == true, "\(stale)")
        // Without the resume the same tick would have fired at once.
        var unresumed = RuleEngine(rules: first.rules, state: try RuleEngineState(encoded: try first.state.encoded()))
        #expect(unresumed.tick(now: Floor.at(601)).changes.map(\.change) == [.opened])
    }

    @Test("a rule removed from the configuration resolves its open event")
    func removedRule() throws {
        var first = try Floor.engine(Self.hot.replacingOccurrences(of: "for: 2m", with: "for: 0s"))
        _ = first.feed(Floor.reading(temp, 0, 29))
        var second = RuleEngine(rules: try Floor.compile("rules: []"), state: first.state)
        let changes = second.tick(now: Floor.at(60)).changes
        #expect(changes.map(\.change) == [.resolved])
        #expect(changes.first?.event.message.contains("removed") == true)
    }
}

@Suite("The agent's own data loss (DESIGN decision 7)", .timeLimit(.minutes(1)))
struct DataLossTests {
    @Test("dropped readings open one warning event that counts further drops and resolves after a quiet time, across a restart")
    func droppedReadings() throws {
        var e = try Floor.engine("rules: []")
        #expect(e.storeDropped(0, agent: "dcagent-dc", now: Floor.at(0)).changes.isEmpty)
        let opened = e.storeDropped(120, agent: "dcagent-dc", now: Floor.at(10)).changes
        #expect(opened.map(\.change) == [.opened])
        #expect(opened.first?.event.kind == .agent && opened.first?.event.severity == .warning)
        #expect(opened.first?.event.message.contains("dropped 120 readings") == true)
        #expect(opened.first?.event.dedupKey == RuleEngine.dataLossKey(agent: "dcagent-dc"))
        // More drops: the same event, no new change.
        #expect(e.storeDropped(30, agent: "dcagent-dc", now: Floor.at(20)).changes.isEmpty)
        #expect(e.state.dataLoss?.event?.message.contains("dropped 150 readings") == true)
        // Survives a restart; still open before the quiet time has passed since the last drop.
        var after = RuleEngine(rules: e.rules, state: try RuleEngineState(encoded: try e.state.encoded()))
        #expect(after.storeDropped(0, agent: "dcagent-dc", now: Floor.at(619)).changes.isEmpty)
        let resolved = after.storeDropped(0, agent: "dcagent-dc", now: Floor.at(620)).changes
        #expect(resolved.map(\.change) == [.resolved])
        #expect(resolved.first?.event.message.contains("150 were lost") == true)
        #expect(after.state.dataLoss == nil)
    }

    @Test("kind: agent is built in, not a rule-file kind")
    func notConfigurable() throws {
        let error = #expect(throws: RuleConfigError.self) { try Floor.compile("rules: [{ id: x, kind: agent }]") }
        #expect(error?.problems.first?.key == "kind")
        #expect(error?.problems.first?.message.contains("unknown kind 'agent'") == true)
    }
}
