public import ContaminationRules
import Foundation
import GRDB
public import Telemetry

/// What an operator did to an event, beside the change it is logged as.
public struct OperatorAction: Hashable, Sendable, Codable {
    /// Who acted (a registered person).
    public var actor: String
    /// A note's text (an acknowledgement or a silence may carry one too).
    public var text: String?
    /// Who it was assigned to (`assigned`); nil: the assignment was taken away.
    public var assignee: String?
    /// Until when it is silenced (`silenced`).
    public var until: Timestamp?

    public init(actor: String, text: String? = nil, assignee: String? = nil, until: Timestamp? = nil) {
        self.actor = actor
        self.text = text
        self.assignee = assignee
        self.until = until
    }
}

/// An event's operator state, folded from its actions in order.
public struct OperatorState: Hashable, Sendable {
    /// Who acknowledged it first, and when.
    public var acknowledgedBy: String?
    public var acknowledgedAt: Timestamp?
    /// Who it is assigned to now.
    public var assignee: String?
    /// Until when it is silenced (kept after the time passes: compare with now).
    public var silencedUntil: Timestamp?
    /// How many notes it has (acknowledgements and silences with a text count too).
    public var notes: Int = 0

    public init() {}

    /// True while a silence holds at `now`.
    public func isSilenced(at now: Timestamp) -> Bool { silencedUntil.map { $0 > now } ?? false }

    mutating func apply(_ change: EventChange.Change, _ a: OperatorAction, at: Timestamp) {
        if a.text != nil { notes += 1 }
        switch change {
        case .acknowledged where acknowledgedBy == nil: (acknowledgedBy, acknowledgedAt) = (a.actor, at)
        case .assigned: assignee = a.assignee
        case .silenced: silencedUntil = a.until
        case .unsilenced: silencedUntil = nil
        default: break
        }
    }
}

/// Operator actions on events (issue 12; Lampiran II H.1–H.2: every anomaly is followed up by a
/// named person): acknowledge, annotate, assign, silence and unsilence. Each is appended to the
/// change log as its own change (so the history, the live stream and the ITSM service see it
/// in order) with its details in `event_actions`, and audited with its actor, in one transaction.
public struct EventActionRepository: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail
    let feed: (any CommitObserver)?

    public init(database: AgentDatabase, audit: AuditTrail, feed: (any CommitObserver)? = nil) {
        self.database = database
        self.audit = audit
        self.feed = feed
    }

    /// The longest silence.
    public static let longestSilence: Double = 30 * 86_400
    /// The longest note.
    public static let longestNote = 4000

    /// Acknowledges a firing event; `note` is optional. Acknowledging twice is refused.
    @discardableResult
    public func acknowledge(_ eventID: Int64, note: String? = nil, actor: String, now: Timestamp = .now) throws -> StoredEventChange {
        try act(.acknowledged, eventID, OperatorAction(actor: actor, text: note), action: "event.ack", now: now) { state, event in
            guard event.state == .firing else { throw StoreError.conflict("event \(eventID) is resolved: only a firing event is acknowledged") }
            if let by = state.acknowledgedBy { throw StoreError.conflict("event \(eventID) was acknowledged already by \(by)") }
        }
    }

    /// Writes a note on an event (firing or resolved).
    @discardableResult
    public func annotate(_ eventID: Int64, text: String, actor: String, now: Timestamp = .now) throws -> StoredEventChange {
        try act(.annotated, eventID, OperatorAction(actor: actor, text: text), action: "event.note", now: now) { _, _ in }
    }

    /// Assigns an event to a registered, enabled person, or takes the assignment away (nil).
    @discardableResult
    public func assign(_ eventID: Int64, to assignee: String?, actor: String, now: Timestamp = .now) throws -> StoredEventChange {
        try act(.assigned, eventID, OperatorAction(actor: actor, assignee: assignee), action: "event.assign", now: now) { state, _ in
            if state.assignee == assignee {
                throw StoreError.conflict("event \(eventID) is \(assignee.map { "assigned to \($0)" } ?? "not assigned") already")
            }
        } check: { db in
            guard let assignee else { return }
            guard let user = try UserRepository.find(assignee, db), !user.builtIn else { throw StoreError.unknownUser(assignee) }
            if user.disabled { throw StoreError.userDisabled(assignee) }
        }
    }

    /// Silences a firing event until a time (at most ``longestSilence`` ahead); a later silence
    /// replaces an earlier one.
    @discardableResult
    public func silence(_ eventID: Int64, until: Timestamp, note: String? = nil, actor: String, now: Timestamp = .now) throws -> StoredEventChange {
        guard until > now else { throw StoreError.invalid("a silence must end in the future (\(until) is not after \(now))") }
        guard until.seconds(since: now) <= Self.longestSilence else {
            throw StoreError.invalid("a silence lasts at most 30 days (until \(until) is longer)")
        }
        return try act(.silenced, eventID, OperatorAction(actor: actor, text: note, until: until), action: "event.silence", now: now) { _, event in
            guard event.state == .firing else { throw StoreError.conflict("event \(eventID) is resolved: only a firing event is silenced") }
        }
    }

    /// Ends a silence early.
    @discardableResult
    public func unsilence(_ eventID: Int64, actor: String, now: Timestamp = .now) throws -> StoredEventChange {
        try act(.unsilenced, eventID, OperatorAction(actor: actor), action: "event.unsilence", now: now) { state, _ in
            guard state.isSilenced(at: now) else { throw StoreError.conflict("event \(eventID) is not silenced") }
        }
    }

    /// One action: the actor checked (a person with at least operator, by the one rule), the
    /// event found, `validate` given its operator state, then the change, its details and the
    /// audit row in one transaction; the change feed is told.
    private func act(
        _ change: EventChange.Change, _ eventID: Int64, _ action: OperatorAction, action name: String, now: Timestamp,
        validate: (OperatorState, Event) throws -> Void, check: (Database) throws -> Void = { _ in }
    ) throws -> StoredEventChange {
        if let text = action.text {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw StoreError.invalid("a note needs some text") }
            guard text.count <= Self.longestNote else { throw StoreError.invalid("a note has at most \(Self.longestNote) characters") }
        }
        var details = ["change": change.rawValue]
        details["assignee"] = action.assignee
        details["until"] = action.until?.description
        details["note"] = action.text
        var stored: StoredEventChange?
        try audit.append(actor: action.actor, action: name, object: "event/\(eventID)", details: details) { db in
            guard let user = try UserRepository.find(action.actor, db) else { throw StoreError.unknownUser(action.actor) }
            try UserRepository.authorize(user, needs: .operator_, action: "act on events")
            guard let row = try EventRow.fetchOne(db, key: eventID) else { throw StoreError.notFound("no event \(eventID)") }
            let event: Event = try EventJSON.decode(row.json)
            try validate(try Self.operatorState(of: [eventID], db)[eventID] ?? OperatorState(), event)
            try check(db)
            let logged = EventChange(change: change, event: event, at: now, notify: true)
            var changeRow = EventChangeRow(logged, eventID: eventID, json: row.json)
            try changeRow.insert(db)
            try db.execute(
                sql: "INSERT INTO event_actions(seq, event_id, actor, text, assignee, until_ms) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [changeRow.seq, eventID, action.actor, action.text, action.assignee, action.until?.milliseconds])
            stored = StoredEventChange(seq: changeRow.seq ?? 0, eventID: eventID, change: logged, action: action)
        }
        feed?.committed()
        return stored!
    }

    /// The actions of the given change rows, by seq.
    static func actions(of seqs: [Int64], _ db: Database) throws -> [Int64: OperatorAction] {
        guard !seqs.isEmpty else { return [:] }
        var out: [Int64: OperatorAction] = [:]
        for chunk in stride(from: 0, to: seqs.count, by: 500).map({ Array(seqs[$0..<min($0 + 500, seqs.count)]) }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: "SELECT seq, actor, text, assignee, until_ms FROM event_actions WHERE seq IN (\(marks))", arguments: StatementArguments(chunk))
            {
                out[row[0]] = OperatorAction(
                    actor: row[1], text: row[2], assignee: row[3], until: (row[4] as Int64?).map(Timestamp.init(milliseconds:)))
            }
        }
        return out
    }

    /// The operator state of each of the given events (those without actions are left out).
    static func operatorState(of eventIDs: [Int64], _ db: Database) throws -> [Int64: OperatorState] {
        guard !eventIDs.isEmpty else { return [:] }
        var out: [Int64: OperatorState] = [:]
        for chunk in stride(from: 0, to: eventIDs.count, by: 500).map({ Array(eventIDs[$0..<min($0 + 500, eventIDs.count)]) }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.event_id, c.change, c.t, a.actor, a.text, a.assignee, a.until_ms
                    FROM event_actions a JOIN event_changes c ON c.seq = a.seq
                    WHERE a.event_id IN (\(marks)) ORDER BY a.seq
                    """, arguments: StatementArguments(chunk))
            for row in rows {
                guard let change = EventChange.Change(rawValue: row[1]) else { continue }
                let action = OperatorAction(
                    actor: row[3], text: row[4], assignee: row[5], until: (row[6] as Int64?).map(Timestamp.init(milliseconds:)))
                out[row[0], default: OperatorState()].apply(change, action, at: Timestamp(milliseconds: row[2]))
            }
        }
        return out
    }
}
