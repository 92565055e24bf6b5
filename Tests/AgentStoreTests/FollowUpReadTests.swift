import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import Logging
import Telemetry
import Testing

/// The store's read behind the follow-up figures (issue 15 item 6): openings written by the rules'
/// commit, acknowledged by the operators' action, ticketed by the ITSM seam — read back with
/// their first acknowledgement, resolve and tickets.
@Suite("Follow-up read: openings with their first acknowledgement, resolve and tickets", .timeLimit(.minutes(1)))
struct FollowUpReadTests {
    static func t(_ iso: String) -> Timestamp { Timestamp(parsing: iso)! }

    /// A store with one site, DC (Asia/Jakarta), and its people.
    static func open(_ dir: TempDir) throws -> SiteStore {
        let store = try SiteStore(
            path: dir.file("f.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"),
            logger: Logger(label: "t"))
        _ = try store.users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        _ = try store.users.add(name: "ops", role: .operator_, fullName: nil, actor: "ana")
        let document = """
            {"version": 1,
             "device_types": [{"slug": "s1", "manufacturer": "A", "model": "S1", "u_height": 1, "weight_kg": 10}],
             "sites": [{"id": "DC", "name": "DC", "kind": "DC", "time_zone": "Asia/Jakarta",
               "rooms": [{"id": "DC-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4},
                 "racks": [{"id": "DC-R01", "tile": "B02", "facing": "south", "devices": [{"id": "DC-R01-S1", "type": "s1", "position": 10}]}]}]}]}
            """
        try store.floor.importFloors(
            try JSONDecoder().decode(FloorDocument.self, from: Data(document.utf8)).floors(), actor: "system", source: "test")
        return store
    }

    /// An event of `rule` on a CI, first seen at `first`.
    static func event(
        _ rule: String, _ scope: CIID, rack: CIID?, room: CIID?, first: Timestamp, state: EventState = .firing, at: Timestamp? = nil
    ) -> Event {
        Event(
            dedupKey: Event.dedupKey(rule: rule, scope: scope, point: nil), ruleID: rule, kind: .threshold, severity: .warning,
            state: state,
            scope: scope, room: room, rack: rack, point: nil, firstSeen: first, lastSeen: at ?? first, count: 1, message: rule,
            evidence: [],
            suppressed: false, flapping: false)
    }

    /// Commits one change as the rules service does; returns the event's row id.
    @discardableResult
    static func commit(_ store: SiteStore, _ change: EventChange.Change, _ e: Event, at: Timestamp) throws -> Int64 {
        try store.events.commit(
            RuleCheckpoint(
                changes: [EventChange(change: change, event: e, at: at, notify: true)], derived: [], state: Data("{}".utf8),
                rulesDigest: "d", at: at))
        return try #require(
            try store.events.events(EventQuery(rule: e.ruleID, limit: 10_000)).first { $0.event.firstSeen == e.firstSeen }?.id)
    }

    @Test(
        "each opening of the site in the window, oldest first: its first acknowledgement (not a later note), its resolve, its own tickets and when they were resolved"
    )
    func read() async throws {
        let dir = TempDir()
        let store = try Self.open(dir)
        // November 2026 in Jakarta: [2026-10-31T17:00Z, 2026-11-30T17:00Z).
        let (from, to) = (Self.t("2026-10-31T17:00:00Z"), Self.t("2026-11-30T17:00:00Z"))

        // A: 1 November 03:00 in Jakarta (still 31 October in UTC); acknowledged after 10 min,
        // a note after, resolved after 1 h; a built-in ticket, resolved after 2 h.
        let a0 = Self.t("2026-10-31T20:00:00Z")
        let a = Self.event("inlet-hot", "DC-R01-S1", rack: "DC-R01", room: "DC-H1", first: a0)
        let aID = try Self.commit(store, .opened, a, at: a0)
        try store.eventActions.acknowledge(aID, note: "looking", actor: "ops", now: a0.adding(seconds: 600))
        try store.eventActions.annotate(aID, text: "fan replaced", actor: "ops", now: a0.adding(seconds: 1200))
        var aResolved = a
        (aResolved.state, aResolved.lastSeen) = (.resolved, a0.adding(seconds: 3600))
        try Self.commit(store, .resolved, aResolved, at: a0.adding(seconds: 3600))
        let ticket = try await store.tickets.open(
            OpeningKey(a), subject: "inlet hot", body: "b", priority: "P3", ci: "DC-R01-S1", severity: "warning",
            now: a0.adding(seconds: 60))
        try await store.itsm.apply(
            [],
            links: [
                TicketLink(
                    target: "builtin", opening: OpeningKey(a), eventID: aID, ticket: ticket.number, state: "resolved", reason: "r",
                    updated: a0.adding(seconds: 4200))
            ])
        _ = try await store.tickets.record(ticket.number, what: "resolved", text: "cleared", now: a0.adding(seconds: 7200))

        // B: 10 November, room-level, resolved after 30 min, never acknowledged, no ticket.
        let b0 = Self.t("2026-11-10T00:00:00Z")
        let b = Self.event("humidity-low", "DC-H1", rack: nil, room: "DC-H1", first: b0)
        let bID = try Self.commit(store, .opened, b, at: b0)
        var bResolved = b
        (bResolved.state, bResolved.lastSeen) = (.resolved, b0.adding(seconds: 1800))
        try Self.commit(store, .resolved, bResolved, at: b0.adding(seconds: 1800))

        // C: A's condition again on 20 November: acknowledged after 20 min, still firing; an RT
        // ticket that is open, and one resolved by the policy (state `resolved`).
        let c0 = Self.t("2026-11-20T05:00:00Z")
        let c = Self.event("inlet-hot", "DC-R01-S1", rack: "DC-R01", room: "DC-H1", first: c0)
        let cID = try Self.commit(store, .opened, c, at: c0)
        try store.eventActions.acknowledge(cID, actor: "ops", now: c0.adding(seconds: 1200))
        try await store.itsm.apply(
            [],
            links: [
                TicketLink(
                    target: "rt", opening: OpeningKey(c), eventID: cID, ticket: "77", state: "open", reason: "r",
                    updated: c0.adding(seconds: 60)),
                TicketLink(
                    target: "webhook", opening: OpeningKey(c), eventID: cID, ticket: "W-9", state: "resolved", reason: "r",
                    updated: c0.adding(seconds: 900)),
                // A link without a ticket (withheld) is no ticket.
                TicketLink(target: "other", opening: OpeningKey(c), eventID: cID, ticket: nil, state: "withheld", reason: "r", updated: c0),
            ])

        // Outside the window: the last minute of October in Jakarta, and 1 December there.
        try Self.commit(
            store, .opened, Self.event("door-open", "DC-R01", rack: "DC-R01", room: "DC-H1", first: Self.t("2026-10-31T16:59:00Z")),
            at: Self.t("2026-10-31T16:59:00Z"))
        try Self.commit(store, .opened, Self.event("leak", "DC-H1", rack: nil, room: "DC-H1", first: to), at: to)

        let read = try await store.events.followUps(site: "DC", from: from, to: to)
        #expect(read.map(\.eventID) == [aID, bID, cID])
        #expect(read.map(\.dedupKey) == [a.dedupKey, b.dedupKey, c.dedupKey])
        #expect(read.map(\.acknowledgedAt) == [a0.adding(seconds: 600), nil, c0.adding(seconds: 1200)])
        #expect(read.map(\.resolvedAt) == [a0.adding(seconds: 3600), b0.adding(seconds: 1800), nil])
        #expect(read.map(\.rack) == ["DC-R01", nil, "DC-R01"] && read.map(\.room) == ["DC-H1", "DC-H1", "DC-H1"])
        #expect(
            read[0].tickets == [OpeningFollowUp.Ticket(target: "builtin", reference: ticket.number, resolvedAt: a0.adding(seconds: 7200))])
        #expect(read[1].tickets.isEmpty)
        #expect(
            read[2].tickets == [
                OpeningFollowUp.Ticket(target: "rt", reference: "77", resolvedAt: nil),
                OpeningFollowUp.Ticket(target: "webhook", reference: "W-9", resolvedAt: c0.adding(seconds: 900)),
            ])

        // A built-in ticket reopened is no longer resolved.
        _ = try await store.tickets.record(ticket.number, what: "reopened", text: "again", now: a0.adding(seconds: 9000))
        #expect(try await store.events.followUps(site: "DC", from: from, to: to)[0].tickets.first?.resolvedAt == nil)
        // Another site, or a window with nothing: nothing.
        #expect(try await store.events.followUps(site: "DRC", from: from, to: to).isEmpty)
        #expect(try await store.events.followUps(site: "DC", from: to.adding(seconds: 1), to: to.adding(seconds: 86_400)).isEmpty)
        // Through the read protocol, as the web serves it.
        let reading: any FollowUpReading = store.events
        #expect(try await reading.followUps(site: "DC", from: from, to: to).count == 3)
    }
}
