import ContaminationRules
import GRDB
import Telemetry

/// A row of `obligation_records`: the record itself as JSON (the single records model, DESIGN
/// decision 10), with the columns the queries filter and order by. Append-only: the schema
/// refuses UPDATE and DELETE.
struct ObligationRecordRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "obligation_records"

    var id: Int64?
    var room: String
    var kind: String
    var doneMs: Int64
    var json: String
    var recordedBy: String
    var recordedMs: Int64
    var site: String?

    enum CodingKeys: String, CodingKey {
        case id, room, kind, json, site
        case doneMs = "done_ms", recordedBy = "recorded_by", recordedMs = "recorded_ms"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let doneMs = Column(CodingKeys.doneMs)
    }

    init(_ record: ObligationRecord, actor: String, at now: Timestamp, site: String?) throws {
        room = record.room.rawValue
        kind = record.kind.rawValue
        doneMs = record.doneAt.milliseconds
        json = try FloorRows.json(record)
        recordedBy = actor
        recordedMs = now.milliseconds
        self.site = site
    }

    var record: ObligationRecord { get throws { try FloorRows.decode(ObligationRecord.self, json, "obligation record") } }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `maintenance_windows`.
struct MaintenanceWindowRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "maintenance_windows"

    var id: Int64?
    var ci: String
    var startMs: Int64
    var endMs: Int64
    var reason: String
    var createdBy: String
    var createdMs: Int64
    var site: String?

    enum CodingKeys: String, CodingKey {
        case id, ci, reason, site
        case startMs = "start_ms", endMs = "end_ms", createdBy = "created_by", createdMs = "created_ms"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let startMs = Column(CodingKeys.startMs)
        static let endMs = Column(CodingKeys.endMs)
    }

    init(_ w: MaintenanceWindow, actor: String, at now: Timestamp, site: String?) {
        ci = w.ci.rawValue
        startMs = w.start.milliseconds
        endMs = w.end.milliseconds
        reason = w.reason
        createdBy = actor
        createdMs = now.milliseconds
        self.site = site
    }

    /// The stored window; nil when its CI id no longer reads as one.
    var stored: StoredMaintenanceWindow? {
        guard let id, let ci = CIID(validating: ci) else { return nil }
        return StoredMaintenanceWindow(
            id: id,
            window: MaintenanceWindow(ci: ci, start: Timestamp(milliseconds: startMs), end: Timestamp(milliseconds: endMs), reason: reason),
            createdBy: createdBy, site: site.map(CIID.init(unchecked:)))
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
