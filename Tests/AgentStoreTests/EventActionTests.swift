import AgentStore
import ContaminationRules
import Foundation
import GRDB
import Logging
import Telemetry
import Testing

/// Operators' actions on events (issue 12): each a change of the log with its details, audited
/// with its actor, refused when it does not fit the event or the person.
@Suite("Event actions: acknowledge, note, assign, silence", .timeLimit(.minutes(1)))
struct EventActionTests {
    let helper = EventStoreTests()

    func open(_ dir: TempDir) throws -> (SiteStore, Int64) {
        let store = try SiteStore(
            path: dir.file("a.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"), logger: Logger(label: "t"))
        _ = try store.users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        _ = try store.users.add(name: "ops", role: .operator_, fullName: nil, actor: "ana")
        _ = try store.users.add(name: "vic", role: .viewer, fullName: nil, actor: "ana")
        _ = try store.users.add(name: "gone", role: .operator_, fullName: nil, actor: "ana")
        try store.users.setDisabled("gone", true, actor: "ana")
        try store.events.commit(helper.checkpoint([helper.change(.opened, helper.event(.firing, .warning, at: hour0), at: hour0)], at: hour0))
        return (store, try #require(try store.events.events().first?.id))
    }

    @Test("acknowledge, note, assign, silence, unsilence: logged in order with their details, folded into the event, audited")
    func lifecycle() throws {
        let dir = TempDir()
        let (store, id) = try open(dir)
        let a = store.eventActions
        let t0 = Timestamp(milliseconds: hour0 + 60_000)
        try a.acknowledge(id, note: "on my way", actor: "ops", now: t0)
        try a.annotate(id, text: "CRAC-2 filter clogged", actor: "ops", now: t0.adding(seconds: 60))
        try a.assign(id, to: "ana", actor: "ops", now: t0.adding(seconds: 120))
        let until = t0.adding(seconds: 7200)
        try a.silence(id, until: until, note: "waiting for the vendor", actor: "ops", now: t0.adding(seconds: 180))
        let (event, changes) = try #require(try store.events.event(id: id))
        #expect(changes.map(\.change.change) == [.opened, .acknowledged, .annotated, .assigned, .silenced])
        #expect(changes.map { $0.action?.actor } == [nil, "ops", "ops", "ops", "ops"])
        #expect(changes[1].action?.text == "on my way" && changes[3].action?.assignee == "ana" && changes[4].action?.until == until)
        let o = event.operatorState
        #expect(o.acknowledgedBy == "ops" && o.acknowledgedAt == t0 && o.assignee == "ana" && o.silencedUntil == until && o.notes == 3)
        #expect(o.isSilenced(at: t0.adding(seconds: 200)) && !o.isSilenced(at: until))
        // The list carries the same state; the change log (the feed of every consumer) the same changes.
        #expect(try store.events.events().first?.operatorState == o)
        #expect(try store.events.changes(after: 1).map(\.action?.actor) == ["ops", "ops", "ops", "ops"])
        try a.unsilence(id, actor: "ops", now: t0.adding(seconds: 240))
        #expect(try store.events.event(id: id)?.event.operatorState.silencedUntil == nil)
        try a.assign(id, to: nil, actor: "ops", now: t0.adding(seconds: 300))
        #expect(try store.events.event(id: id)?.event.operatorState.assignee == nil)
        let audited = try store.audit.entries(limit: 20).filter { $0.action.hasPrefix("event.") }
        #expect(audited.map(\.action) == ["event.ack", "event.note", "event.assign", "event.silence", "event.unsilence", "event.assign"])
        #expect(audited.allSatisfy { $0.actor == "ops" && $0.object == "event/\(id)" })
        #expect(audited[3].details["until"] == "\(until)" && audited[1].details["note"] == "CRAC-2 filter clogged")
        #expect(try store.audit.verify().intact)
    }

    @Test("refused: a viewer, an unknown or resolved event, a second acknowledgement, an unknown or disabled assignee, a silence in the past or over 30 days, nothing to unsilence, an empty note")
    func refusals() throws {
        let dir = TempDir()
        let (store, id) = try open(dir)
        let a = store.eventActions
        let now = Timestamp(milliseconds: hour0 + 60_000)
        func code(_ body: () throws -> Void) -> StoreErrorCode? {
            do { try body(); return nil } catch let e as StoreError { return e.code } catch { return nil }
        }
        #expect(code { try a.acknowledge(id, actor: "vic", now: now) } == .notAllowed)
        #expect(code { try a.acknowledge(999, actor: "ops", now: now) } == .notFound)
        #expect(code { try a.annotate(id, text: "  ", actor: "ops", now: now) } == .invalid)
        #expect(code { try a.annotate(id, text: String(repeating: "x", count: 4001), actor: "ops", now: now) } == .invalid)
        #expect(code { try a.assign(id, to: "nobody", actor: "ops", now: now) } == .unknownUser)
        #expect(code { try a.assign(id, to: "gone", actor: "ops", now: now) } == .userDisabled)
        #expect(code { try a.assign(id, to: "system", actor: "ops", now: now) } == .unknownUser)
        #expect(code { try a.silence(id, until: now, actor: "ops", now: now) } == .invalid)
        #expect(code { try a.silence(id, until: now.adding(seconds: 31 * 86_400), actor: "ops", now: now) } == .invalid)
        #expect(code { try a.unsilence(id, actor: "ops", now: now) } == .conflict)
        #expect(code { try a.assign(id, to: nil, actor: "ops", now: now) } == .conflict)
        try a.acknowledge(id, actor: "ops", now: now)
        #expect(code { try a.acknowledge(id, actor: "ana", now: now) } == .conflict)
        // Resolved: no acknowledgement or silence; a note still.
        try store.events.commit(
            helper.checkpoint([helper.change(.resolved, helper.event(.resolved, .warning, at: hour0 + 120_000), at: hour0 + 120_000)], at: hour0 + 120_000))
        #expect(code { try a.silence(id, until: now.adding(seconds: 3600), actor: "ops", now: now) } == .conflict)
        try a.annotate(id, text: "root cause: filter", actor: "ops", now: now)
        // Refused actions leave no change and no audit row of their own.
        #expect(try store.events.event(id: id)?.changes.map(\.change.change) == [.opened, .acknowledged, .resolved, .annotated])
        #expect(try store.audit.entries(limit: 50).filter { $0.action.hasPrefix("event.") }.count == 2)
        // The details are append-only.
        #expect(throws: (any Error).self) {
            try store.database.writer.write { db in try db.execute(sql: "UPDATE event_actions SET actor = 'x'") }
        }
    }
}
