public import ContaminationRules
public import Foundation
public import Telemetry
import GRDB

/// An event as stored: the engine's ``Event`` with its row id (one row per opening).
public struct StoredEvent: Hashable, Sendable {
    /// The row id: `dcagent events show ID`, the ticket reference ITSMLink keeps.
    public var id: Int64
    /// The event as of its latest change.
    public var event: Event
    /// When it resolved, if it has.
    public var resolvedAt: Timestamp?
    /// The site it belongs to; nil for an agent-wide event (the agent's own: clock, data loss;
    /// or a CI on no stored floor when the floor holds several sites).
    public var site: CIID?
    /// What operators did: acknowledged, assigned, silenced, notes.
    public var operatorState = OperatorState()

    /// Creates a stored event.
    public init(id: Int64, event: Event, resolvedAt: Timestamp?, site: CIID? = nil, operatorState: OperatorState = OperatorState()) {
        self.id = id
        self.event = event
        self.resolvedAt = resolvedAt
        self.site = site
        self.operatorState = operatorState
    }
}

/// Which events to list: every filter given must match (none given: all events).
public struct EventQuery: Hashable, Sendable {
    /// Only firing events.
    public var firingOnly: Bool
    /// Only these severities (empty: any).
    public var severities: [Severity]
    /// Only this rule's events.
    public var rule: String?
    /// Only events of this CI or of one of its points.
    public var ci: CIID?
    /// Only events of this rack and of what is mounted in it.
    public var rack: CIID?
    /// Only events in this room.
    public var room: CIID?
    /// Only events of this site (agent-wide events belong to none).
    public var site: CIID?
    /// At most this many, newest first.
    public var limit: Int

    public init(
        firingOnly: Bool = false, severities: [Severity] = [], rule: String? = nil, ci: CIID? = nil, rack: CIID? = nil,
        room: CIID? = nil, site: CIID? = nil, limit: Int = 200
    ) {
        self.site = site
        self.firingOnly = firingOnly
        self.severities = severities
        self.rule = rule
        self.ci = ci
        self.rack = rack
        self.room = room
        self.limit = limit
    }
}

/// One entry of the append-only change log: the outbox feed for ITSMLink and the UI.
public struct StoredEventChange: Hashable, Sendable {
    /// Position in the log; consumers remember the last one they handled.
    public var seq: Int64
    /// The event row it changed.
    public var eventID: Int64
    /// The change, with the event as it was right after it.
    public var change: EventChange
    /// An operator's action (`acknowledged`, `annotated`, `assigned`, `silenced`, `unsilenced`): who and what.
    public var action: OperatorAction? = nil
}

/// What one evaluation of the rules engine commits, in ONE transaction: the event changes, the
/// derived readings (DESIGN decision 8) and the engine state that produced them.
public struct RuleCheckpoint: Sendable {
    /// Event changes, in order.
    public var changes: [EventChange]
    /// Derived readings to store as samples (rolled up like any other point).
    public var derived: [Reading]
    /// The engine state after the evaluation (``RuleEngineState/encoded()``).
    public var state: Data
    /// A digest of the rule file in force (to tell, after a restart, that the rules changed).
    public var rulesDigest: String
    /// When it was taken.
    public var at: Timestamp

    /// Creates a checkpoint.
    public init(changes: [EventChange], derived: [Reading], state: Data, rulesDigest: String, at: Timestamp) {
        self.changes = changes
        self.derived = derived
        self.state = state
        self.rulesDigest = rulesDigest
        self.at = at
    }
}

/// The engine state found in the store at start.
public struct SavedRuleState: Sendable {
    /// The encoded ``RuleEngineState``.
    public var state: Data
    /// When it was committed.
    public var savedAt: Timestamp
    /// The digest of the rule file that produced it.
    public var rulesDigest: String
}

/// Events, their change log and the rules engine's state (issue 5, Lampiran II H.1: anomalies
/// recorded so they can be analysed and followed up).
///
/// ``commit(_:)`` writes an evaluation's event changes, derived readings and state together:
/// after a crash the store holds either all of an evaluation or none of it, and the engine
/// restarts from the state that matches the events — so a firing event is neither forgotten
/// nor opened twice.
public final class EventStore: Sendable {
    let database: AgentDatabase
    let samples: SampleStore
    let feed: (any CommitObserver)?

    /// Creates the repository; derived readings go through `samples` (same database). When a
    /// `feed` (a ``ChangeFeed``) is given, every commit that changed events is reported to it.
    public init(database: AgentDatabase, samples: SampleStore, feed: (any CommitObserver)? = nil) {
        self.database = database
        self.samples = samples
        self.feed = feed
    }

    // MARK: Writing

    /// Commits one evaluation; returns the change-log sequence numbers it appended.
    @discardableResult
    public func commit(_ checkpoint: RuleCheckpoint) throws -> [Int64] {
        let samples = self.samples
        return finish(try database.writer.write { try Self.commit(checkpoint, samples, $0) })
    }

    /// The same, through GRDB's async write (the rules service's path).
    @discardableResult
    public func commit(_ checkpoint: RuleCheckpoint) async throws -> [Int64] {
        let samples = self.samples
        return finish(try await database.writer.write { try Self.commit(checkpoint, samples, $0) })
    }

    /// After the transaction: the point ids learnt, and the feed told when events changed.
    private func finish(_ result: (seqs: [Int64], learnt: [PointID: Int64])) -> [Int64] {
        samples.remember(result.learnt)
        if !result.seqs.isEmpty { feed?.committed() }
        return result.seqs
    }

    static func commit(_ checkpoint: RuleCheckpoint, _ samples: SampleStore, _ db: Database) throws -> (seqs: [Int64], learnt: [PointID: Int64]) {
        var seqs: [Int64] = []
        for change in checkpoint.changes { seqs.append(try Self.apply(change, db)) }
        var learnt: [PointID: Int64] = [:]
        if !checkpoint.derived.isEmpty {
            (_, learnt) = try samples.insert(checkpoint.derived, descriptors: [:], db)
        }
        try db.execute(
            sql: """
                INSERT INTO rule_state(id, saved_ms, rules, state) VALUES (1, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET saved_ms = excluded.saved_ms, rules = excluded.rules, state = excluded.state
                """,
            arguments: [checkpoint.at.milliseconds, checkpoint.rulesDigest, checkpoint.state])
        return (seqs, learnt)
    }

    /// Applies one change to `events` and appends it to `event_changes`. An opening inserts a
    /// row; every other change updates the firing row of its dedup key.
    static func apply(_ change: EventChange, _ db: Database) throws -> Int64 {
        let e = change.event
        let json = try EventJSON.encode(e)
        let resolvedMs = e.state == .resolved ? change.at.milliseconds : nil
        let eventID: Int64
        if var row = try EventRow.filter(EventRow.Columns.dedupKey == e.dedupKey && EventRow.Columns.state == "firing").fetchOne(db) {
            // An opening while a row fires (a state older than the events) continues that row:
            // the partial unique index forbids two firing rows of one condition.
            row.update(to: e, resolvedMs: resolvedMs, json: json)
            try row.update(db)
            eventID = row.id ?? 0
        } else {
            let site = try SiteResolver.site(of: [e.rack?.rawValue, e.room?.rawValue, e.scope.rawValue, e.point?.ci.rawValue], db)
            var row = EventRow(e, resolvedMs: resolvedMs, json: json, site: site)
            try row.insert(db)
            eventID = row.id ?? 0
        }
        var logged = EventChangeRow(change, eventID: eventID, json: json)
        try logged.insert(db)
        return logged.seq ?? 0
    }

    // MARK: Reading

    /// The engine state committed last, if any.
    public func savedState() throws -> SavedRuleState? {
        try database.writer.read { try Self.savedState($0) }
    }

    public func savedState() async throws -> SavedRuleState? {
        try await database.writer.read { try Self.savedState($0) }
    }

    static func savedState(_ db: Database) throws -> SavedRuleState? {
        guard let row = try Row.fetchOne(db, sql: "SELECT saved_ms, rules, state FROM rule_state WHERE id = 1") else { return nil }
        return SavedRuleState(state: row[2], savedAt: Timestamp(milliseconds: row[0]), rulesDigest: row[1])
    }

    /// Events, newest first: only firing ones when `firingOnly`, at most `limit`.
    public func events(firingOnly: Bool = false, limit: Int = 200) throws -> [StoredEvent] {
        try events(EventQuery(firingOnly: firingOnly, limit: limit))
    }

    /// Events matching a query, newest first.
    public func events(_ q: EventQuery) throws -> [StoredEvent] { try database.writer.read { try Self.events(q, $0) } }

    /// One event and its changes, oldest first.
    public func event(id: Int64) throws -> (event: StoredEvent, changes: [StoredEventChange])? {
        try database.writer.read { try Self.event(id: id, $0) }
    }

    /// The sequence number of the latest change (0 when there is none).
    public func lastChangeSeq() throws -> Int64 { try database.writer.read(Self.lastChangeSeq) }

    /// The change log after `seq`, oldest first: what a consumer (ITSMLink, the UI) has not seen.
    public func changes(after seq: Int64, limit: Int = 500) throws -> [StoredEventChange] {
        try database.writer.read { try Self.changes(after: seq, limit: limit, $0) }
    }

    static func events(_ q: EventQuery, _ db: Database) throws -> [StoredEvent] {
        typealias C = EventRow.Columns
        var request = EventRow.all()
        // Site first, then state: the order of index `events_site_state`.
        if let site = q.site { request = request.filter(C.site == site.rawValue) }
        if q.firingOnly { request = request.filter(C.state == "firing") }
        if !q.severities.isEmpty { request = request.filter(q.severities.map(\.rawValue).contains(C.severity)) }
        if let rule = q.rule { request = request.filter(C.rule == rule) }
        if let rack = q.rack { request = request.filter(C.rack == rack.rawValue) }
        if let room = q.room { request = request.filter(C.room == room.rawValue) }
        if let ci = q.ci {
            // The CI itself, or one of its points (a point event's scope may be its device).
            let prefix = ci.rawValue + "/"
            request = request.filter(sql: "(scope = ? OR substr(point, 1, length(?)) = ?)", arguments: [ci.rawValue, prefix, prefix])
        }
        return try withOperatorState(try request.order(C.firstMs.desc, C.id.desc).limit(q.limit).fetchAll(db).map { try $0.stored }, db)
    }

    /// The events with what operators did to them.
    static func withOperatorState(_ events: [StoredEvent], _ db: Database) throws -> [StoredEvent] {
        let states = try EventActionRepository.operatorState(of: events.map(\.id), db)
        return events.map { e in
            var e = e
            if let s = states[e.id] { e.operatorState = s }
            return e
        }
    }

    /// The changes with their operators' actions.
    static func withActions(_ rows: [EventChangeRow], _ db: Database) throws -> [StoredEventChange] {
        let changes = try rows.map { try $0.stored }
        let actions = try EventActionRepository.actions(of: changes.filter { $0.change.change.isOperatorAction }.map(\.seq), db)
        return changes.map { c in
            var c = c
            c.action = actions[c.seq]
            return c
        }
    }

    static func event(id: Int64, _ db: Database) throws -> (event: StoredEvent, changes: [StoredEventChange])? {
        guard let row = try EventRow.fetchOne(db, key: id) else { return nil }
        let changes = try EventChangeRow.filter(EventChangeRow.Columns.eventID == id).order(EventChangeRow.Columns.seq).fetchAll(db)
        return (try withOperatorState([try row.stored], db)[0], try withActions(changes, db))
    }

    /// How many events there are of each state and severity (the metrics' `dcagent_events`):
    /// one grouped count over `events`, only the combinations that occur.
    public func counts() async throws -> [EventCount] {
        try await database.writer.read { db in
            typealias C = EventRow.Columns
            let request = EventRow.select(C.state, C.severity, count(C.id)).group(C.state, C.severity).asRequest(of: Row.self)
            return try request.fetchAll(db).map { EventCount(state: $0[0], severity: $0[1], count: $0[2]) }
        }
    }

    static func lastChangeSeq(_ db: Database) throws -> Int64 {
        try EventChangeRow.select(max(EventChangeRow.Columns.seq), as: Int64?.self).fetchOne(db)?.flatMap { $0 } ?? 0
    }

    static func changes(after seq: Int64, limit: Int, _ db: Database) throws -> [StoredEventChange] {
        try withActions(try EventChangeRow.filter(EventChangeRow.Columns.seq > seq).order(EventChangeRow.Columns.seq).limit(limit).fetchAll(db), db)
    }
}

/// The number of events of one state (`firing`, `resolved`) and severity.
public struct EventCount: Sendable, Equatable {
    public var state: String
    public var severity: String
    public var count: Int

    public init(state: String, severity: String, count: Int) {
        self.state = state
        self.severity = severity
        self.count = count
    }
}

/// Events as JSON that survives NaN evidence values (a bad reading carries NaN): ``RuleJSON``.
enum EventJSON {
    static func encode(_ e: Event) throws -> String { String(decoding: try RuleJSON.encode(e), as: UTF8.self) }

    static func decode(_ text: String) throws -> Event { try RuleJSON.decode(Event.self, from: Data(text.utf8)) }
}
