import AgentStore
import ContaminationRules
import Foundation
import GRDB
import Telemetry
import Testing

@Suite("Events, engine state and obligation records in the store", .timeLimit(.minutes(1)))
struct EventStoreTests {
    struct Opened {
        let db: AgentDatabase
        let samples: SampleStore
        let events: EventStore
        let records: RecordsRepository
        let audit: AuditTrail
    }

    func open(_ dir: TempDir) throws -> Opened {
        let db = try AgentDatabase(path: dir.file("e.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let samples = SampleStore(database: db)
        return Opened(
            db: db, samples: samples, events: EventStore(database: db, samples: samples), records: RecordsRepository(database: db, audit: audit),
            audit: audit)
    }

    static let probe: CIID = "DC-R01-TH1"
    static let temp = PointID(ci: probe, name: "temperature")!

    func event(_ state: EventState, _ severity: Severity, at ms: Int64, count: Int = 1, message: String = "hot") -> Event {
        Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: Self.probe, point: Self.temp), ruleID: "inlet-hot", kind: .threshold,
            severity: severity, state: state, scope: Self.probe, room: "DC-H1", point: Self.temp, firstSeen: Timestamp(milliseconds: hour0),
            lastSeen: Timestamp(milliseconds: ms), count: count, message: message,
            evidence: [Reading(point: Self.temp, time: Timestamp(milliseconds: ms), value: .nan, quality: .bad(reason: "timeout"))],
            suppressed: false, flapping: false)
    }

    func change(_ c: EventChange.Change, _ e: Event, at ms: Int64, notify: Bool = true) -> EventChange {
        EventChange(change: c, event: e, at: Timestamp(milliseconds: ms), notify: notify)
    }

    func checkpoint(_ changes: [EventChange], derived: [Reading] = [], state: String = "{}", at ms: Int64) -> RuleCheckpoint {
        RuleCheckpoint(changes: changes, derived: derived, state: Data(state.utf8), rulesDigest: "d1", at: Timestamp(milliseconds: ms))
    }

    @Test("open, escalate, resolve: one row per opening, every change in the log, NaN evidence survives")
    func lifecycle() throws {
        let dir = TempDir()
        let s = try open(dir)
        try s.events.commit(checkpoint([change(.opened, event(.firing, .warning, at: hour0), at: hour0)], at: hour0))
        try s.events.commit(checkpoint([change(.severityChanged, event(.firing, .critical, at: hour0 + 60_000), at: hour0 + 60_000)], at: hour0 + 60_000))
        try s.events.commit(checkpoint([change(.resolved, event(.resolved, .critical, at: hour0 + 120_000), at: hour0 + 120_000)], at: hour0 + 120_000))
        let all = try s.events.events()
        #expect(all.count == 1)
        #expect(all[0].event.state == .resolved && all[0].event.severity == .critical)
        #expect(all[0].resolvedAt == Timestamp(milliseconds: hour0 + 120_000))
        #expect(all[0].event.evidence.first?.value.isNaN == true)
        #expect(try s.events.events(firingOnly: true).isEmpty)
        // The next breach opens a new row (a new ticket), the old one stays.
        try s.events.commit(checkpoint([change(.opened, event(.firing, .warning, at: hour0 + 600_000), at: hour0 + 600_000)], at: hour0 + 600_000))
        #expect(try s.events.events().count == 2)
        #expect(try s.events.events(firingOnly: true).count == 1)
        let log = try s.events.changes(after: 0)
        #expect(log.map(\.change.change) == [.opened, .severityChanged, .resolved, .opened])
        #expect(log.map(\.seq) == [1, 2, 3, 4])
        #expect(try s.events.changes(after: 2).map(\.seq) == [3, 4])
        let (first, history) = try #require(try s.events.event(id: all[0].id))
        #expect(first.id == all[0].id && history.count == 3)
    }

    @Test("filters: severity, rule, CI (itself or its points), rack, room; every given filter must match")
    func filters() throws {
        let dir = TempDir()
        let s = try open(dir)
        func make(_ rule: String, _ scope: CIID, point: String?, rack: CIID?, room: CIID, _ severity: Severity, _ state: EventState) -> Event {
            let p = point.flatMap { PointID(ci: scope, name: $0) }
            return Event(
                dedupKey: Event.dedupKey(rule: rule, scope: scope, point: p), ruleID: rule, kind: .threshold, severity: severity, state: state,
                scope: scope, room: room, rack: rack, point: p, firstSeen: Timestamp(milliseconds: hour0), lastSeen: Timestamp(milliseconds: hour0),
                count: 1, message: rule, evidence: [], suppressed: false, flapping: false)
        }
        let probe = make("inlet-hot", "DC-R01-TH1", point: "temperature", rack: "DC-R01", room: "DC-H1", .critical, .firing)
        let pdu = make("pdu-load", "DC-R01-PDU-A", point: "active_power", rack: "DC-R01", room: "DC-H1", .warning, .firing)
        let budget = make("rack-budget", "DC-R01", point: nil, rack: "DC-R01", room: "DC-H1", .warning, .resolved)
        let other = make("inlet-hot", "DC-R02-TH1", point: "temperature", rack: "DC-R02", room: "DC-H1", .warning, .firing)
        let tape = make("envelope", "DC-H2", point: nil, rack: nil, room: "DC-H2", .info, .firing)
        try s.events.commit(checkpoint([probe, pdu, budget, other, tape].map { change(.opened, $0, at: hour0) }, at: hour0))
        func rules(_ q: EventQuery) throws -> [String] { try s.events.events(q).map { "\($0.event.ruleID)@\($0.event.scope)" }.sorted() }

        #expect(try rules(EventQuery(rack: "DC-R01")) == ["inlet-hot@DC-R01-TH1", "pdu-load@DC-R01-PDU-A", "rack-budget@DC-R01"])
        #expect(try rules(EventQuery(firingOnly: true, rack: "DC-R01")) == ["inlet-hot@DC-R01-TH1", "pdu-load@DC-R01-PDU-A"])
        #expect(try rules(EventQuery(severities: [.critical, .info])) == ["envelope@DC-H2", "inlet-hot@DC-R01-TH1"])
        #expect(try rules(EventQuery(rule: "inlet-hot")) == ["inlet-hot@DC-R01-TH1", "inlet-hot@DC-R02-TH1"])
        #expect(try rules(EventQuery(room: "DC-H2")) == ["envelope@DC-H2"])
        #expect(try rules(EventQuery(ci: "DC-R01-TH1")) == ["inlet-hot@DC-R01-TH1"])
        // A CI is matched whole: DC-R01 is not a prefix match for DC-R01-TH1's points.
        #expect(try rules(EventQuery(ci: "DC-R01")) == ["rack-budget@DC-R01"])
        #expect(try rules(EventQuery(severities: [.warning], rule: "inlet-hot", room: "DC-H1")) == ["inlet-hot@DC-R02-TH1"])
        #expect(try rules(EventQuery(rack: "DC-R09")).isEmpty)
        #expect(try s.events.events(EventQuery(limit: 2)).count == 2)
    }

    @Test("an opening while the key already fires continues that row: never two firing rows of one condition")
    func noDuplicateFiring() throws {
        let dir = TempDir()
        let s = try open(dir)
        try s.events.commit(checkpoint([change(.opened, event(.firing, .warning, at: hour0), at: hour0)], at: hour0))
        try s.events.commit(checkpoint([change(.opened, event(.firing, .warning, at: hour0 + 1000), at: hour0 + 1000)], at: hour0 + 1000))
        #expect(try s.events.events().count == 1)
        // And the schema itself refuses a second firing row.
        #expect(throws: DatabaseError.self) {
            try s.db.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events(dedup_key, rule, kind, severity, state, scope, first_ms, last_ms, json)
                        SELECT dedup_key, rule, kind, severity, state, scope, first_ms, last_ms, json FROM events
                        """)
            }
        }
    }

    @Test("changes, derived readings and state commit together: a failure leaves none of them")
    func atomic() throws {
        let dir = TempDir()
        let s = try open(dir)
        let derived = PointID(ci: "DC-H1", name: "ashrae_class")!
        try s.samples.register([PointDescriptor(id: derived, quantity: .classification, unit: .none, derived: true)])
        try s.events.commit(
            checkpoint(
                [change(.opened, event(.firing, .warning, at: hour0), at: hour0)],
                derived: [Reading(point: derived, time: Timestamp(milliseconds: hour0), value: 1)], state: "{\"v\":1}", at: hour0))
        #expect(try s.samples.samples(derived, from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 1)).map(\.value) == [1])
        #expect(try s.samples.rollups(derived, from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 1)).first?.count == 1)
        #expect(try s.events.savedState().map { String(decoding: $0.state, as: UTF8.self) } == "{\"v\":1}")

        // A change log row cannot be written (the table is made read-only by a trigger for this
        // test): the new event, the derived reading and the state must all stay out.
        try s.db.writer.write { db in
            try db.execute(sql: "CREATE TRIGGER fail_changes BEFORE INSERT ON event_changes BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        var other = event(.firing, .critical, at: hour0 + 5000)
        other.dedupKey = "door|DC-H1-DI1|"
        #expect(throws: DatabaseError.self) {
            try s.events.commit(
                checkpoint(
                    [change(.opened, other, at: hour0 + 5000)], derived: [Reading(point: derived, time: Timestamp(milliseconds: hour0 + 5000), value: 2)],
                    state: "{\"v\":2}", at: hour0 + 5000))
        }
        #expect(try s.events.events().count == 1)
        #expect(try s.samples.samples(derived, from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 10_000)).count == 1)
        #expect(try s.events.savedState().map { String(decoding: $0.state, as: UTF8.self) } == "{\"v\":1}")
    }

    @Test("measured samples since a time, derived points left out (the replay after a restart)")
    func replaySource() throws {
        let dir = TempDir()
        let s = try open(dir)
        try s.samples.register([PointDescriptor(id: PointID("DC-H1/ashrae_class")!, quantity: .classification, unit: .none, derived: true)])
        try s.samples.write([
            reading("DC-R01-TH1/temperature", hour0, 22), reading("DC-R01-TH1/temperature", hour0 + 10_000, 23),
            reading("DC-R02-TH1/temperature", hour0 + 20_000, 24), reading("DC-H1/ashrae_class", hour0 + 20_000, 0),
        ])
        let since = try s.samples.measuredSamples(since: Timestamp(milliseconds: hour0 + 5000))
        #expect(Set(since.map { "\($0.point)@\($0.time.milliseconds - hour0)" }) == ["DC-R01-TH1/temperature@10000", "DC-R02-TH1/temperature@20000"])
    }

    @Test("obligation records: escort refused for a sensitive room, audited, append-only")
    func records() throws {
        let dir = TempDir()
        let s = try open(dir)
        let cleaning = ObligationRecord(
            room: "DC-H1", kind: .cleaning, doneAt: Timestamp(milliseconds: hour0), doneBy: "PT Bersih", thirdParty: "PT Bersih")
        let e = #expect(throws: StoreError.self) { try s.records.add(cleaning, roomIsSensitive: true, actor: "ana") }
        #expect(e?.message.contains("needs an escort") == true)
        #expect(try s.records.records().isEmpty)
        #expect(try s.audit.entries().isEmpty)
        // Not sensitive: no escort needed. Sensitive with an escort: fine.
        try s.records.add(cleaning, roomIsSensitive: false, actor: "ana")
        var escorted = cleaning
        escorted.escort = "Budi"
        escorted.room = "DRC-H1"
        try s.records.add(escorted, roomIsSensitive: true, actor: "ana")
        #expect(try s.records.records().map(\.room) == ["DC-H1", "DRC-H1"])
        #expect(try s.audit.entries().map(\.action) == ["obligation.record", "obligation.record"])
        #expect(try s.audit.verify().intact)
        // A record in the future is refused.
        var future = escorted
        future.doneAt = Timestamp.now.adding(seconds: 86_400)
        #expect(throws: StoreError.self) { try s.records.add(future, roomIsSensitive: false, actor: "ana") }
        #expect(throws: DatabaseError.self) { try s.db.writer.write { db in try db.execute(sql: "UPDATE obligation_records SET done_by = 'x'") } }
        #expect(throws: DatabaseError.self) { try s.db.writer.write { db in try db.execute(sql: "DELETE FROM obligation_records") } }
    }

    @Test("maintenance windows: open, list, end early; a window that ends before it starts is refused")
    func windows() throws {
        let dir = TempDir()
        let s = try open(dir)
        let now = Timestamp.now
        let id = try s.records.addWindow(MaintenanceWindow(ci: "DC-R05", start: now, end: now.adding(seconds: 3600), reason: "CHG-1"), actor: "op")
        #expect(try s.records.windows(endingAfter: now).map(\.id) == [id])
        #expect(throws: StoreError.self) {
            try s.records.addWindow(MaintenanceWindow(ci: "DC-R05", start: now, end: now, reason: "x"), actor: "op")
        }
        try s.records.endWindow(id: id, actor: "op", at: now.adding(seconds: 60))
        #expect(try s.records.windows(endingAfter: now.adding(seconds: 61)).isEmpty)
        #expect(try s.records.windows().first?.window.end == now.adding(seconds: 60))
        #expect(throws: StoreError.self) { try s.records.endWindow(id: 99, actor: "op") }
        #expect(try s.audit.entries().map(\.action) == ["maintenance.open", "maintenance.end"])
    }
}
