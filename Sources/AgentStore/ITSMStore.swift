public import ContaminationRules
public import Foundation
import GRDB
public import Telemetry

/// What a consumer of the change log wants sent: one action on one opening's ticket at one target.
public struct OutboxItem: Hashable, Sendable {
    /// Where it goes (`builtin`, `rt`, …).
    public var target: String
    /// Unique per (target, opening, action, change): the same change handled twice queues
    /// nothing twice.
    public var idempotencyKey: String
    public var opening: OpeningKey
    public var eventID: Int64?
    /// `open`, `update`, `resolve`, `reopen`, `annotate` (the policy's words).
    public var action: String
    /// The action's content for the adapter (the policy's JSON).
    public var payload: Data

    public init(target: String, idempotencyKey: String, opening: OpeningKey, eventID: Int64?, action: String, payload: Data) {
        self.target = target
        self.idempotencyKey = idempotencyKey
        self.opening = opening
        self.eventID = eventID
        self.action = action
        self.payload = payload
    }
}

/// How an opening stands with a target: its ticket (once the target has one), the state the
/// policy keeps, and why — so a person sees which ticket an event became, or why none.
public struct TicketLink: Hashable, Sendable {
    public var target: String
    public var opening: OpeningKey
    public var eventID: Int64?
    /// The target's ticket reference (`INC-000012`, RT's `1234`), nil until created.
    public var ticket: String?
    /// The policy's state of the opening (`none`, `open`, `resolving`, `resolved`, …).
    public var state: String
    /// Why, in words (`suppressed by maintenance: no incident opened`).
    public var reason: String
    public var updated: Timestamp
    /// The policy's own state of the link (its JSON), kept for the next decision.
    public var policy: Data?

    public init(
        target: String, opening: OpeningKey, eventID: Int64?, ticket: String?, state: String, reason: String, updated: Timestamp,
        policy: Data? = nil
    ) {
        self.target = target
        self.opening = opening
        self.eventID = eventID
        self.ticket = ticket
        self.state = state
        self.reason = reason
        self.updated = updated
        self.policy = policy
    }

    /// The states of a link the policy still acts on (a later change or a tick may move it).
    public static let activeStates = ["withheld", "open", "clearing"]
}

/// One row of the outbox.
public struct OutboxEntry: Hashable, Sendable {
    public enum State: String, Sendable { case pending, sent, dead }
    public var id: Int64
    public var item: OutboxItem
    public var created: Timestamp
    public var state: State
    public var attempts: Int
    public var nextAttempt: Timestamp
    public var lastError: String?
    /// The failure's class (`unreachable`, `server`, `credentials`, `rejected`, …).
    public var errorClass: String?
    public var done: Timestamp?
}

/// The outbox at a glance (`dcagent itsm status`, `/healthz`).
public struct OutboxStatus: Hashable, Sendable {
    public var pending = 0
    public var oldestPending: Timestamp?
    public var sent = 0
    public var dead = 0
    /// Failures of pending and dead entries by class.
    public var failuresByClass: [String: Int] = [:]
    public init() {}
}

/// The ITSM seam in the store (DESIGN decision 15): a consumer reads the change log after its
/// cursor and, in ONE transaction, queues what must be sent, records each opening's link and
/// advances its cursor — so a crash neither loses a change nor queues it twice. A dispatcher
/// takes the due entries, the oldest of each opening first (an update never overtakes its open),
/// and marks each sent, to be retried at a time, or dead.
public struct ITSMStore: Sendable {
    let database: AgentDatabase

    public init(database: AgentDatabase) { self.database = database }

    /// Where `consumer` stands in the change log (0 before its first step).
    public func cursor(_ consumer: String) async throws -> Int64 {
        try await database.writer.read { db in try Self.cursor(consumer, db) }
    }

    static func cursor(_ consumer: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM itsm_cursors WHERE consumer = ?", arguments: [consumer]) ?? 0
    }

    /// One step of `consumer` for `target`: up to `limit` changes after its cursor, handed to
    /// `decide` with the latest link of each of their dedup keys at that target, and of every
    /// other dedup key whose latest link the policy still acts on (the open tickets a change may
    /// be correlated with, issue 15); what it returns
    /// is queued (an idempotency key seen before is skipped) and linked, and the cursor moves
    /// past the changes, all in one transaction. Returns how many changes were handled and how
    /// many entries queued.
    @discardableResult
    public func advance(
        consumer: String, target: String, limit: Int = 200, now: Timestamp = .now,
        decide: @Sendable ([StoredEventChange], [String: TicketLink]) throws -> (items: [OutboxItem], links: [TicketLink])
    ) async throws -> (handled: Int, queued: Int) {
        try await database.writer.write { db in
            let after = try Self.cursor(consumer, db)
            let changes = try EventStore.changes(after: after, limit: limit, db)
            guard let last = changes.last else { return (0, 0) }
            var latest: [String: TicketLink] = [:]
            for key in Set(changes.map(\.change.event.dedupKey)) {
                latest[key] = try Self.latestLink(target: target, dedupKey: key, db)
            }
            for link in try Self.activeLinks(target: target, db) where latest[link.opening.dedupKey] == nil {
                latest[link.opening.dedupKey] = link
            }
            let (items, updated) = try decide(changes, latest)
            let queued = try Self.store(items, updated, now: now, db)
            try db.execute(
                sql: "INSERT INTO itsm_cursors(consumer, seq) VALUES (?, ?) ON CONFLICT(consumer) DO UPDATE SET seq = excluded.seq",
                arguments: [consumer, last.seq])
            return (changes.count, queued)
        }
    }

    /// Queues and links what a decision outside the change log made (a tick: a hold-off or a
    /// silence that ended), in one transaction. Returns how many entries were queued.
    @discardableResult
    public func apply(_ items: [OutboxItem], links: [TicketLink], now: Timestamp = .now) async throws -> Int {
        try await database.writer.write { db in try Self.store(items, links, now: now, db) }
    }

    static func store(_ items: [OutboxItem], _ links: [TicketLink], now: Timestamp, _ db: Database) throws -> Int {
        var queued = 0
        for item in items {
            try db.execute(
                sql: """
                    INSERT INTO itsm_outbox(target, idempotency_key, dedup_key, first_seen_ms, event_id, action, payload, created_ms, next_attempt_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING
                    """,
                arguments: [
                    item.target, item.idempotencyKey, item.opening.dedupKey, item.opening.firstSeen.milliseconds, item.eventID,
                    item.action, String(decoding: item.payload, as: UTF8.self), now.milliseconds, now.milliseconds,
                ])
            queued += db.changesCount
        }
        for link in links { try upsert(link, db) }
        return queued
    }

    static func latestLink(target: String, dedupKey: String, _ db: Database) throws -> TicketLink? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM itsm_links WHERE target = ? AND dedup_key = ? ORDER BY first_seen_ms DESC LIMIT 1",
            arguments: [target, dedupKey]
        ).map(link)
    }

    /// The latest link of each dedup key at `target` that the policy still acts on.
    public func activeLinks(target: String) async throws -> [TicketLink] {
        try await database.writer.read { db in try Self.activeLinks(target: target, db) }
    }

    static func activeLinks(target: String, _ db: Database) throws -> [TicketLink] {
        let marks = TicketLink.activeStates.map { _ in "?" }.joined(separator: ",")
        return try Row.fetchAll(
            db,
            sql: """
                SELECT l.* FROM itsm_links l
                WHERE l.target = ? AND l.state IN (\(marks))
                  AND l.first_seen_ms = (SELECT max(m.first_seen_ms) FROM itsm_links m WHERE m.target = l.target AND m.dedup_key = l.dedup_key)
                ORDER BY l.dedup_key
                """, arguments: StatementArguments([target] + TicketLink.activeStates)
        ).map(Self.link)
    }

    /// Records a link. A correlation member's (its policy state names a `parent` opening) takes
    /// its parent's ticket, once the parent has one: the event shows which ticket it became.
    static func upsert(_ link: TicketLink, _ db: Database) throws {
        let policy = link.policy.map { String(decoding: $0, as: UTF8.self) }
        try db.execute(
            sql: """
                INSERT INTO itsm_links(target, dedup_key, first_seen_ms, event_id, ticket, state, reason, policy, updated_ms)
                VALUES (?, ?, ?, ?, coalesce(?, (
                  SELECT p.ticket FROM itsm_links p
                  WHERE p.target = ? AND (p.dedup_key, p.first_seen_ms) = (
                    SELECT json_extract(j, '$.parent.dedupKey'), json_extract(j, '$.parent.firstSeen.milliseconds')
                    FROM (SELECT ? AS j) WHERE json_valid(j)))), ?, ?, ?, ?)
                ON CONFLICT(target, dedup_key, first_seen_ms) DO UPDATE SET
                  event_id = coalesce(excluded.event_id, event_id), ticket = coalesce(excluded.ticket, ticket),
                  state = excluded.state, reason = excluded.reason, policy = coalesce(excluded.policy, policy),
                  updated_ms = excluded.updated_ms
                """,
            arguments: [
                link.target, link.opening.dedupKey, link.opening.firstSeen.milliseconds, link.eventID, link.ticket, link.target, policy,
                link.state, link.reason, policy, link.updated.milliseconds,
            ])
    }

    static func link(_ row: Row) -> TicketLink {
        TicketLink(
            target: row["target"], opening: OpeningKey(dedupKey: row["dedup_key"], firstSeen: Timestamp(milliseconds: row["first_seen_ms"])),
            eventID: row["event_id"], ticket: row["ticket"], state: row["state"], reason: row["reason"],
            updated: Timestamp(milliseconds: row["updated_ms"]), policy: (row["policy"] as String?).map { Data($0.utf8) })
    }

    static func links(_ o: OpeningKey, _ db: Database) throws -> [TicketLink] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM itsm_links WHERE dedup_key = ? AND first_seen_ms = ? ORDER BY target",
            arguments: [o.dedupKey, o.firstSeen.milliseconds]
        ).map(link)
    }

    /// The links of an event's opening (which ticket it became at each target, and why). An
    /// opening the policy joined to an earlier opening's ticket (a re-fire within the hold-off)
    /// has no link of its own: the earlier link whose policy state names its first-seen time
    /// answers for it.
    public func links(of opening: OpeningKey) async throws -> [TicketLink] {
        try await database.writer.read { db in
            let own = try Self.links(opening, db)
            if !own.isEmpty { return own }
            let ms = opening.firstSeen.milliseconds
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM itsm_links WHERE dedup_key = ? AND first_seen_ms < ? AND instr(policy, ?) > 0
                    ORDER BY first_seen_ms DESC, target
                    """, arguments: [opening.dedupKey, ms, "\"milliseconds\":\(ms)"]
            ).map(Self.link)
        }
    }

    /// The links of the given events, by event id.
    public func links(ofEvents ids: [Int64]) async throws -> [Int64: [TicketLink]] {
        guard !ids.isEmpty else { return [:] }
        return try await database.writer.read { db in
            let marks = ids.map { _ in "?" }.joined(separator: ",")
            var out: [Int64: [TicketLink]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM itsm_links WHERE event_id IN (\(marks)) ORDER BY target", arguments: StatementArguments(ids))
            {
                let l = Self.link(row)
                out[l.eventID ?? 0, default: []].append(l)
            }
            return out
        }
    }

    static func entry(_ row: Row) -> OutboxEntry {
        OutboxEntry(
            id: row["id"],
            item: OutboxItem(
                target: row["target"], idempotencyKey: row["idempotency_key"],
                opening: OpeningKey(dedupKey: row["dedup_key"], firstSeen: Timestamp(milliseconds: row["first_seen_ms"])),
                eventID: row["event_id"], action: row["action"], payload: Data((row["payload"] as String).utf8)),
            created: Timestamp(milliseconds: row["created_ms"]), state: OutboxEntry.State(rawValue: row["state"]) ?? .pending,
            attempts: row["attempts"], nextAttempt: Timestamp(milliseconds: row["next_attempt_ms"]), lastError: row["last_error"],
            errorClass: row["error_class"], done: (row["done_ms"] as Int64?).map(Timestamp.init(milliseconds:)))
    }

    /// The entries for `target` due at `now`: of each opening only its oldest pending entry, so
    /// the actions of one ticket go out in the order they were queued; oldest first.
    public func due(target: String, now: Timestamp = .now, limit: Int = 50) async throws -> [OutboxEntry] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM itsm_outbox o
                    WHERE o.state = 'pending' AND o.target = ? AND o.next_attempt_ms <= ?
                      AND o.id = (SELECT min(p.id) FROM itsm_outbox p
                                  WHERE p.target = o.target AND p.dedup_key = o.dedup_key AND p.first_seen_ms = o.first_seen_ms
                                    AND p.state = 'pending')
                    ORDER BY o.id LIMIT ?
                    """, arguments: [target, now.milliseconds, limit]
            ).map(Self.entry)
        }
    }

    /// Every entry, newest first, optionally of one state.
    public func entries(state: OutboxEntry.State? = nil, limit: Int = 200) async throws -> [OutboxEntry] {
        try await database.writer.read { db in
            if let state {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM itsm_outbox WHERE state = ? ORDER BY id DESC LIMIT ?", arguments: [state.rawValue, limit]
                ).map(Self.entry)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM itsm_outbox ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.entry)
        }
    }

    /// An entry was delivered; when it made the ticket, `ticket` is recorded on the opening's
    /// link — in the same transaction, so a restart never forgets a ticket it made — and on the
    /// links of the correlation members that joined it before it was made.
    public func markSent(_ id: Int64, ticket: String? = nil, now: Timestamp = .now) async throws {
        try await database.writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM itsm_outbox WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound("no outbox entry \(id)")
            }
            try db.execute(
                sql: "UPDATE itsm_outbox SET state = 'sent', attempts = attempts + 1, done_ms = ?, last_error = NULL WHERE id = ?",
                arguments: [now.milliseconds, id])
            if let ticket {
                let e = Self.entry(row)
                try db.execute(
                    sql: "UPDATE itsm_links SET ticket = ?, updated_ms = ? WHERE target = ? AND dedup_key = ? AND first_seen_ms = ?",
                    arguments: [ticket, now.milliseconds, e.item.target, e.item.opening.dedupKey, e.item.opening.firstSeen.milliseconds])
                if db.changesCount == 0 {
                    try Self.upsert(
                        TicketLink(
                            target: e.item.target, opening: e.item.opening, eventID: e.item.eventID, ticket: ticket, state: "open",
                            reason: "ticket \(ticket) made", updated: now), db)
                }
                try db.execute(
                    sql: """
                        UPDATE itsm_links SET ticket = ?, updated_ms = ?
                        WHERE target = ? AND CASE WHEN json_valid(policy) THEN
                          json_extract(policy, '$.parent.dedupKey') = ? AND json_extract(policy, '$.parent.firstSeen.milliseconds') = ? END
                        """,
                    arguments: [ticket, now.milliseconds, e.item.target, e.item.opening.dedupKey, e.item.opening.firstSeen.milliseconds])
            }
        }
    }

    /// An attempt failed: retried at `retryAt`, or dead (a dead letter) when nil.
    public func markFailed(_ id: Int64, error: String, class errorClass: String, retryAt: Timestamp?, now: Timestamp = .now) async throws {
        try await database.writer.write { db in
            if let retryAt {
                try db.execute(
                    sql: "UPDATE itsm_outbox SET attempts = attempts + 1, next_attempt_ms = ?, last_error = ?, error_class = ? WHERE id = ? AND state = 'pending'",
                    arguments: [retryAt.milliseconds, error, errorClass, id])
            } else {
                try db.execute(
                    sql: "UPDATE itsm_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, error_class = ?, done_ms = ? WHERE id = ? AND state = 'pending'",
                    arguments: [error, errorClass, now.milliseconds, id])
            }
            if db.changesCount == 0 { throw StoreError.conflict("outbox entry \(id) is not pending") }
        }
    }

    /// Puts dead letters back in the queue, due now (`dcagent itsm retry`); all when `ids` is
    /// empty. Returns how many.
    @discardableResult
    public func retryDead(_ ids: [Int64] = [], now: Timestamp = .now) async throws -> Int {
        try await database.writer.write { db in
            if ids.isEmpty {
                try db.execute(
                    sql: "UPDATE itsm_outbox SET state = 'pending', next_attempt_ms = ?, done_ms = NULL WHERE state = 'dead'",
                    arguments: [now.milliseconds])
            } else {
                let marks = ids.map { _ in "?" }.joined(separator: ",")
                try db.execute(
                    sql: "UPDATE itsm_outbox SET state = 'pending', next_attempt_ms = ?, done_ms = NULL WHERE state = 'dead' AND id IN (\(marks))",
                    arguments: StatementArguments([now.milliseconds] + ids))
            }
            return db.changesCount
        }
    }

    /// Queue depth, the oldest pending entry, dead letters and failures by class.
    public func status(target: String? = nil) async throws -> OutboxStatus {
        try await database.writer.read { db in
            var s = OutboxStatus()
            let filter = target == nil ? "" : " AND target = ?"
            let args: StatementArguments = target.map { [$0] } ?? []
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*), min(created_ms) FROM itsm_outbox WHERE 1\(filter) GROUP BY state", arguments: args) {
                switch row[0] as String {
                case "pending": (s.pending, s.oldestPending) = (row[1], (row[2] as Int64?).map(Timestamp.init(milliseconds:)))
                case "sent": s.sent = row[1]
                default: s.dead = row[1]
                }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT error_class, count(*) FROM itsm_outbox WHERE state != 'sent' AND error_class IS NOT NULL\(filter) GROUP BY error_class",
                arguments: args)
            {
                s.failuresByClass[row[0]] = row[1]
            }
            return s
        }
    }
}
