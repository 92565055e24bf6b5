import GRDB
public import Telemetry

/// What the store knows of how one opening of an event was followed up: when it was first seen,
/// first acknowledged, resolved, and the tickets it made — the inputs of the follow-up figures
/// (issue 15 item 6; ITSMLink's `FollowUpFigures`).
public struct OpeningFollowUp: Hashable, Sendable {
    /// The event row.
    public var eventID: Int64
    /// The condition (the event's dedup key).
    public var dedupKey: String
    /// The rule that raised it.
    public var rule: String
    /// The CI it is about.
    public var scope: CIID
    /// Its rack, if any.
    public var rack: CIID?
    /// Its room, if any.
    public var room: CIID?
    /// When it was first seen (`events.first_ms`).
    public var firstSeen: Timestamp
    /// The earliest `acknowledged` change of the row (an operator's acknowledgement), if any.
    public var acknowledgedAt: Timestamp?
    /// When the event resolved (`events.resolved_ms`), if it has.
    public var resolvedAt: Timestamp?
    /// The tickets the opening's own links name, by target.
    public var tickets: [Ticket]

    /// A ticket of the opening at one target.
    public struct Ticket: Hashable, Sendable {
        /// The ITSM target (`builtin`, `rt`).
        public var target: String
        /// The target's ticket reference.
        public var reference: String
        /// When it was resolved, when the store knows: a built-in ticket's last `resolved` entry
        /// while the ticket is resolved; for another target, when the policy resolved it (the
        /// link's state `resolved`). Nil while open, left open for a person, or reopened.
        public var resolvedAt: Timestamp?

        /// Creates one from its parts.
        public init(target: String, reference: String, resolvedAt: Timestamp?) {
            self.target = target
            self.reference = reference
            self.resolvedAt = resolvedAt
        }
    }

    /// Creates one from its parts.
    public init(
        eventID: Int64, dedupKey: String, rule: String, scope: CIID, rack: CIID?, room: CIID?, firstSeen: Timestamp,
        acknowledgedAt: Timestamp?, resolvedAt: Timestamp?, tickets: [Ticket]
    ) {
        self.eventID = eventID
        self.dedupKey = dedupKey
        self.rule = rule
        self.scope = scope
        self.rack = rack
        self.room = room
        self.firstSeen = firstSeen
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
        self.tickets = tickets
    }
}

extension EventStore {
    /// The openings of `site` first seen in `[from, to)`, oldest first, with their first
    /// acknowledgement, resolve and tickets.
    public func followUps(site: CIID, from: Timestamp, to: Timestamp) async throws -> [OpeningFollowUp] {
        try await database.writer.read { try Self.followUps(site: site, from: from, to: to, $0) }
    }

    /// Two reads in one transaction: the openings with their first acknowledgement (a
    /// correlated `min` over the row's `acknowledged` changes, by index `event_changes_event`),
    /// then the tickets of their own links — an opening that joined an earlier opening's ticket
    /// has no link of its own, so a ticket is counted once, at the opening that made it.
    static func followUps(site: CIID, from: Timestamp, to: Timestamp, _ db: Database) throws -> [OpeningFollowUp] {
        let window: StatementArguments = [site.rawValue, from.milliseconds, to.milliseconds]
        var openings = try Row.fetchAll(
            db,
            sql: """
                SELECT e.id, e.dedup_key, e.rule, e.scope, e.rack, e.room, e.first_ms, e.resolved_ms,
                       (SELECT min(c.t) FROM event_changes c WHERE c.event_id = e.id AND c.change = 'acknowledged') AS ack_ms
                FROM events e
                WHERE e.site = ? AND e.first_ms >= ? AND e.first_ms < ?
                ORDER BY e.first_ms, e.id
                """, arguments: window
        ).map { r in
            OpeningFollowUp(
                eventID: r["id"], dedupKey: r["dedup_key"], rule: r["rule"], scope: CIID(unchecked: r["scope"]),
                rack: (r["rack"] as String?).map(CIID.init(unchecked:)), room: (r["room"] as String?).map(CIID.init(unchecked:)),
                firstSeen: Timestamp(milliseconds: r["first_ms"]),
                acknowledgedAt: (r["ack_ms"] as Int64?).map(Timestamp.init(milliseconds:)),
                resolvedAt: (r["resolved_ms"] as Int64?).map(Timestamp.init(milliseconds:)), tickets: [])
        }
        guard !openings.isEmpty else { return [] }
        let index = Dictionary(uniqueKeysWithValues: openings.enumerated().map { ($1.eventID, $0) })
        let tickets = try Row.fetchAll(
            db,
            sql: """
                SELECT e.id, l.target, l.ticket, l.state, l.updated_ms, t.state AS ticket_state,
                       (SELECT max(h.at_ms) FROM itsm_ticket_history h WHERE h.ticket_id = t.id AND h.what = 'resolved') AS ticket_resolved_ms
                FROM events e
                JOIN itsm_links l ON l.dedup_key = e.dedup_key AND l.first_seen_ms = e.first_ms
                LEFT JOIN itsm_tickets t ON l.target = 'builtin' AND t.number = l.ticket
                WHERE e.site = ? AND e.first_ms >= ? AND e.first_ms < ? AND l.ticket IS NOT NULL
                ORDER BY e.id, l.target
                """, arguments: window)
        for r in tickets {
            guard let i = index[r["id"]] else { continue }
            let target: String = r["target"]
            var resolvedMs: Int64?
            if target == "builtin" {
                if (r["ticket_state"] as String?) == "resolved" { resolvedMs = r["ticket_resolved_ms"] }
            } else if (r["state"] as String) == "resolved" {
                resolvedMs = r["updated_ms"]
            }
            openings[i].tickets.append(
                OpeningFollowUp.Ticket(target: target, reference: r["ticket"], resolvedAt: resolvedMs.map(Timestamp.init(milliseconds:))))
        }
        return openings
    }
}
