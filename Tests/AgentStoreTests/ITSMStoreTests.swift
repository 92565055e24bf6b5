import AgentStore
import ContaminationRules
import Foundation
import GRDB
import Logging
import Telemetry
import Testing

/// The ITSM seam in the store (DESIGN decision 15): the change log read after a cursor, the
/// outbox filled and the cursor moved in one transaction, delivery in order per opening,
/// retries and dead letters; built-in tickets opened once per opening.
@Suite("ITSM store: cursor, outbox, links, built-in tickets", .timeLimit(.minutes(1)))
struct ITSMStoreTests {
    let helper = EventStoreTests()

    func open(_ dir: TempDir) throws -> SiteStore {
        try SiteStore(
            path: dir.file("i.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"), logger: Logger(label: "t"))
    }

    /// A stand-in policy: one `open`/`update`/`resolve` entry per change, keyed by the change's seq.
    static let decide: @Sendable ([StoredEventChange], [String: TicketLink]) throws -> (items: [OutboxItem], links: [TicketLink]) = {
        changes, _ in
        var items: [OutboxItem] = []
        var links: [TicketLink] = []
        for c in changes {
            let o = OpeningKey(dedupKey: c.change.event.dedupKey, firstSeen: c.change.event.firstSeen)
            let action = c.change.change == .opened ? "open" : c.change.change == .resolved ? "resolve" : "update"
            items.append(
                OutboxItem(target: "builtin", idempotencyKey: "builtin|\(o)|\(c.seq)", opening: o, eventID: c.eventID, action: action, payload: Data("{}".utf8)))
            links.append(TicketLink(target: "builtin", opening: o, eventID: c.eventID, ticket: nil, state: action, reason: "test", updated: c.change.at))
        }
        return (items, links)
    }

    @Test("a step queues what the policy decides and moves the cursor in one transaction; a failing step moves nothing; a key queues once")
    func advance() async throws {
        let dir = TempDir()
        let store = try open(dir)
        try await store.events.commit(helper.checkpoint([helper.change(.opened, helper.event(.firing, .warning, at: hour0), at: hour0)], at: hour0))
        try await store.events.commit(
            helper.checkpoint([helper.change(.severityChanged, helper.event(.firing, .critical, at: hour0 + 1000), at: hour0 + 1000)], at: hour0 + 1000))
        // A policy that fails: nothing queued, the cursor stays.
        await #expect(throws: (any Error).self) {
            try await store.itsm.advance(consumer: "itsm", target: "builtin") { _, _ in throw StoreError.invalid("policy broke") }
        }
        #expect(try await store.itsm.cursor("itsm") == 0)
        #expect(try await store.itsm.entries().isEmpty)
        let first = try await store.itsm.advance(consumer: "itsm", target: "builtin", decide: Self.decide)
        #expect(first.handled == 2 && first.queued == 2)
        #expect(try await store.itsm.cursor("itsm") == 2)
        #expect(try await store.itsm.advance(consumer: "itsm", target: "builtin", decide: Self.decide).handled == 0)
        // Another consumer deciding the same keys queues nothing twice.
        let again = try await store.itsm.advance(consumer: "replay", target: "builtin", decide: Self.decide)
        #expect(again.handled == 2 && again.queued == 0)
        // Operator actions are changes too: the next step sees them.
        _ = try store.users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        let id = try #require(try store.events.events().first?.id)
        try store.eventActions.acknowledge(id, actor: "ana")
        #expect(try await store.itsm.advance(consumer: "itsm", target: "builtin", decide: Self.decide) == (1, 1))
    }

    @Test("delivery: the oldest entry of each opening first; a retry waits for its time; a dead letter stops nothing else and can be retried")
    func delivery() async throws {
        let dir = TempDir()
        let store = try open(dir)
        try await store.events.commit(helper.checkpoint([helper.change(.opened, helper.event(.firing, .warning, at: hour0), at: hour0)], at: hour0))
        try await store.events.commit(
            helper.checkpoint([helper.change(.resolved, helper.event(.resolved, .warning, at: hour0 + 1000), at: hour0 + 1000)], at: hour0 + 1000))
        try await store.itsm.advance(consumer: "itsm", target: "builtin", now: Timestamp(milliseconds: hour0 + 2000), decide: Self.decide)
        let t0 = Timestamp(milliseconds: hour0 + 5000)
        var due = try await store.itsm.due(target: "builtin", now: t0)
        #expect(due.map(\.item.action) == ["open"], "the resolve waits for its open")
        // The open fails: retried in a minute; until then nothing of that opening is due.
        try await store.itsm.markFailed(due[0].id, error: "connection refused", class: "unreachable", retryAt: t0.adding(seconds: 60), now: t0)
        #expect(try await store.itsm.due(target: "builtin", now: t0.adding(seconds: 30)).isEmpty)
        due = try await store.itsm.due(target: "builtin", now: t0.adding(seconds: 61))
        #expect(due.map(\.item.action) == ["open"] && due[0].attempts == 1 && due[0].errorClass == "unreachable")
        try await store.itsm.markSent(due[0].id, ticket: "INC-000001", now: t0.adding(seconds: 61))
        let links = try await store.itsm.links(of: due[0].item.opening)
        #expect(links.map(\.ticket) == ["INC-000001"])
        #expect(try await store.itsm.activeLinks(target: "builtin").isEmpty, "the test policy's last state is 'resolve', not active")
        #expect(try await store.itsm.links(ofEvents: [due[0].item.eventID!]).values.first?.first?.ticket == "INC-000001")
        due = try await store.itsm.due(target: "builtin", now: t0.adding(seconds: 62))
        #expect(due.map(\.item.action) == ["resolve"])
        // Rejected for good: a dead letter, counted by class; retried by hand.
        try await store.itsm.markFailed(due[0].id, error: "400 bad queue", class: "rejected", retryAt: nil, now: t0.adding(seconds: 62))
        var status = try await store.itsm.status()
        #expect(status.pending == 0 && status.sent == 1 && status.dead == 1 && status.failuresByClass == ["rejected": 1])
        #expect(try await store.itsm.retryDead(now: t0.adding(seconds: 70)) == 1)
        status = try await store.itsm.status()
        #expect(status.pending == 1 && status.oldestPending != nil && status.dead == 0)
        await #expect(throws: StoreError.self) {
            try await store.itsm.markFailed(due[0].id + 100, error: "x", class: "x", retryAt: nil)
        }
    }

    @Test("built-in tickets: opened once per opening (a retry answers the same number), resolved and reopened with their history")
    func builtinTickets() async throws {
        let dir = TempDir()
        let store = try open(dir)
        let o = OpeningKey(dedupKey: "inlet-hot|DC-R01-TH1|temperature", firstSeen: Timestamp(milliseconds: hour0))
        let t = try await store.tickets.open(o, subject: "DC-R01 inlet hot", body: "31 °C above 27 °C", priority: "P2", ci: "DC-R01-TH1", severity: "critical")
        let again = try await store.tickets.open(o, subject: "other", body: "other", priority: nil, ci: nil, severity: nil)
        #expect(t.number == "INC-000001" && again.number == t.number && again.subject == "DC-R01 inlet hot")
        let other = try await store.tickets.open(
            OpeningKey(dedupKey: o.dedupKey, firstSeen: Timestamp(milliseconds: hour0 + 3_600_000)), subject: "again", body: "b", priority: nil,
            ci: nil, severity: nil)
        #expect(other.number == "INC-000002", "a new opening is a new ticket")
        _ = try await store.tickets.record(t.number, what: "updated", text: "now critical")
        let resolved = try await store.tickets.record(t.number, what: "resolved", text: "cleared for 10 min")
        #expect(resolved.state == "resolved" && resolved.history.map(\.what) == ["opened", "updated", "resolved"])
        #expect(try await store.tickets.record(t.number, what: "reopened", text: "fired again").state == "open")
        #expect(try await store.tickets.list(openOnly: true).map(\.number) == ["INC-000002", "INC-000001"])
        #expect(try await store.tickets.find(o)?.number == t.number)
        await #expect(throws: StoreError.self) { try await store.tickets.record("INC-999999", what: "updated", text: "x") }
        #expect(throws: (any Error).self) {
            try store.database.writer.write { db in try db.execute(sql: "DELETE FROM itsm_ticket_history") }
        }
    }
}
