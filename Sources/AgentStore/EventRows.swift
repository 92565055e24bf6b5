import ContaminationRules
import GRDB
import Telemetry

/// A row of `events`: one opening of a condition (DESIGN decision 15: a ticket belongs to one
/// opening), the event as JSON with the columns the queries filter and order by.
struct EventRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "events"

    var id: Int64?
    var dedupKey: String
    var rule: String
    var kind: String
    var severity: String
    var state: String
    var scope: String
    var room: String?
    var rack: String?
    var point: String?
    var firstMs: Int64
    var lastMs: Int64
    var resolvedMs: Int64?
    var json: String
    var site: String?

    enum CodingKeys: String, CodingKey {
        case id, rule, kind, severity, state, scope, room, rack, point, json, site
        case dedupKey = "dedup_key", firstMs = "first_ms", lastMs = "last_ms", resolvedMs = "resolved_ms"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let dedupKey = Column(CodingKeys.dedupKey)
        static let rule = Column(CodingKeys.rule)
        static let severity = Column(CodingKeys.severity)
        static let state = Column(CodingKeys.state)
        static let room = Column(CodingKeys.room)
        static let rack = Column(CodingKeys.rack)
        static let firstMs = Column(CodingKeys.firstMs)
        static let site = Column(CodingKeys.site)
    }

    /// A new row for an event's opening.
    init(_ e: Event, resolvedMs: Int64?, json: String, site: String?) {
        dedupKey = e.dedupKey
        rule = e.ruleID
        kind = e.kind.rawValue
        severity = e.severity.rawValue
        state = e.state.rawValue
        scope = e.scope.rawValue
        room = e.room?.rawValue
        rack = e.rack?.rawValue
        point = e.point?.description
        firstMs = e.firstSeen.milliseconds
        lastMs = e.lastSeen.milliseconds
        self.resolvedMs = resolvedMs
        self.json = json
        self.site = site
    }

    /// The row after a later change of its event: what changes as an event lives.
    mutating func update(to e: Event, resolvedMs: Int64?, json: String) {
        severity = e.severity.rawValue
        state = e.state.rawValue
        lastMs = e.lastSeen.milliseconds
        self.resolvedMs = resolvedMs
        self.json = json
    }

    var stored: StoredEvent {
        get throws {
            StoredEvent(
                id: id ?? 0, event: try EventJSON.decode(json), resolvedAt: resolvedMs.map(Timestamp.init(milliseconds:)),
                site: site.map(CIID.init(unchecked:)))
        }
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `event_changes`: the append-only change log, the feed of every consumer.
struct EventChangeRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "event_changes"

    var seq: Int64?
    var eventID: Int64
    var t: Int64
    var change: String
    var severity: String
    var notify: Bool
    var json: String

    enum CodingKeys: String, CodingKey {
        case seq, t, change, severity, notify, json
        case eventID = "event_id"
    }

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let eventID = Column(CodingKeys.eventID)
    }

    init(_ c: EventChange, eventID: Int64, json: String) {
        self.eventID = eventID
        t = c.at.milliseconds
        change = c.change.rawValue
        severity = c.event.severity.rawValue
        notify = c.notify
        self.json = json
    }

    var stored: StoredEventChange {
        get throws {
            guard let kind = EventChange.Change(rawValue: change) else {
                throw StoreError.invalid("event change \(seq ?? 0): unknown change '\(change)'")
            }
            return StoredEventChange(
                seq: seq ?? 0, eventID: eventID,
                change: EventChange(change: kind, event: try EventJSON.decode(json), at: Timestamp(milliseconds: t), notify: notify))
        }
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}
