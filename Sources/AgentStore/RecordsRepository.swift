public import ContaminationRules
public import Telemetry
import Foundation
import GRDB

/// A maintenance window as stored.
public struct StoredMaintenanceWindow: Hashable, Sendable {
    /// Row id (`dcagent maintenance end ID`).
    public var id: Int64
    /// The window.
    public var window: MaintenanceWindow
    /// Who opened it.
    public var createdBy: String
    /// The site of its CI; nil when agent-wide (a CI on no stored floor, several sites stored).
    public var site: CIID?
}

/// Obligation records (DESIGN decision 10: the single records model; Lampiran II I.2.b.1,
/// I.2.b.4, B.2.f.h) and maintenance windows. Every write names its actor and appends an audit
/// row in the same transaction; records are append-only (the schema refuses UPDATE and DELETE).
public struct RecordsRepository: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail

    /// Creates the repository.
    public init(database: AgentDatabase, audit: AuditTrail) {
        self.database = database
        self.audit = audit
    }

    // MARK: Obligation records

    /// Adds a record after checking it (who did it; the escort of a third party's cleaning in a
    /// sensitive room, I.2.b.4.b). Returns its row id.
    @discardableResult
    public func add(_ record: ObligationRecord, roomIsSensitive: Bool, actor: String, at now: Timestamp = .now) throws -> Int64 {
        let problems = record.problems(roomIsSensitive: roomIsSensitive)
        guard problems.isEmpty else {
            throw StoreError.invalid(problems.keys.sorted().map { "\($0): \(problems[$0]!)" }.joined(separator: "; "))
        }
        guard record.doneAt <= now else { throw StoreError.invalid("doneAt: \(record.doneAt) is in the future") }
        var id: Int64 = 0
        var details = ["room": record.room.rawValue, "kind": record.kind.rawValue, "done_at": record.doneAt.description, "done_by": record.doneBy]
        if let p = record.thirdParty { details["third_party"] = p }
        if let e = record.escort { details["escort"] = e }
        if let d = record.documentReference { details["document"] = d }
        try audit.append(actor: actor, action: "obligation.record", object: "room/\(record.room)", details: details) { db in
            var row = try ObligationRecordRow(record, actor: actor, at: now, site: try SiteResolver.site(of: [record.room.rawValue], db))
            try row.insert(db)
            id = row.id ?? 0
        }
        return id
    }

    /// Adds several records at once — a site's past records entered from its own files — all or
    /// none, in one transaction with one audit row (`obligation.import`) naming the source and
    /// counting the records. Every record is checked as ``add(_:roomIsSensitive:actor:at:)``
    /// checks one; the first problem names the record's line (1-based, as given).
    @discardableResult
    public func importRecords(
        _ records: [(line: Int, record: ObligationRecord, roomIsSensitive: Bool)], source: String, actor: String, at now: Timestamp = .now
    ) throws -> Int {
        for (line, record, sensitive) in records {
            let problems = record.problems(roomIsSensitive: sensitive)
            if !problems.isEmpty {
                throw StoreError.invalid("\(source):\(line): " + problems.keys.sorted().map { "\($0): \(problems[$0]!)" }.joined(separator: "; "))
            }
            guard record.doneAt <= now else { throw StoreError.invalid("\(source):\(line): doneAt: \(record.doneAt) is in the future") }
        }
        let rooms = Set(records.map(\.record.room.rawValue)).sorted().joined(separator: ",")
        let details = ["source": source, "records": "\(records.count)", "rooms": rooms]
        try audit.append(actor: actor, action: "obligation.import", object: "records", details: details) { db in
            var siteOf: [String: String?] = [:]
            for (_, record, _) in records {
                let room = record.room.rawValue
                if siteOf[room] == nil { siteOf[room] = .some(try SiteResolver.site(of: [room], db)) }
                var row = try ObligationRecordRow(record, actor: actor, at: now, site: siteOf[room] ?? nil)
                try row.insert(db)
            }
        }
        return records.count
    }

    /// Every record, oldest first.
    public func records() throws -> [ObligationRecord] {
        try database.writer.read { try Self.records($0) }
    }

    public func records() async throws -> [ObligationRecord] {
        try await database.writer.read { try Self.records($0) }
    }

    static func records(_ db: Database) throws -> [ObligationRecord] {
        try ObligationRecordRow.order(ObligationRecordRow.Columns.doneMs, ObligationRecordRow.Columns.id).fetchAll(db).map { try $0.record }
    }

    // MARK: Maintenance windows

    /// Opens a window on a CI or room; events under it are recorded but not notified.
    @discardableResult
    public func addWindow(_ w: MaintenanceWindow, actor: String) throws -> Int64 {
        guard w.start < w.end else { throw StoreError.invalid("the window must end after it starts (\(w.start) … \(w.end))") }
        var id: Int64 = 0
        let details = ["start": w.start.description, "end": w.end.description, "reason": w.reason]
        try audit.append(actor: actor, action: "maintenance.open", object: "ci/\(w.ci)", details: details) { db in
            var row = MaintenanceWindowRow(w, actor: actor, at: .now, site: try SiteResolver.site(of: [w.ci.rawValue], db))
            try row.insert(db)
            id = row.id ?? 0
        }
        return id
    }

    /// Ends a window early (at `now`, or keeps it if it already ended).
    public func endWindow(id: Int64, actor: String, at now: Timestamp = .now) throws {
        try audit.append(actor: actor, action: "maintenance.end", object: "maintenance/\(id)", details: ["at": now.description]) { db in
            guard try MaintenanceWindowRow.exists(db, key: id) else { throw StoreError.invalid("no maintenance window \(id)") }
            try db.execute(
                sql: "UPDATE maintenance_windows SET end_ms = min(end_ms, max(start_ms, ?)) WHERE id = ?", arguments: [now.milliseconds, id])
        }
    }

    /// Windows that end after `since` (all by default), by start.
    public func windows(endingAfter since: Timestamp = Timestamp(milliseconds: 0)) throws -> [StoredMaintenanceWindow] {
        try database.writer.read { try Self.windows(endingAfter: since, $0) }
    }

    public func windows(endingAfter since: Timestamp = Timestamp(milliseconds: 0)) async throws -> [StoredMaintenanceWindow] {
        try await database.writer.read { try Self.windows(endingAfter: since, $0) }
    }

    static func windows(endingAfter since: Timestamp, _ db: Database) throws -> [StoredMaintenanceWindow] {
        try MaintenanceWindowRow.filter(MaintenanceWindowRow.Columns.endMs > since.milliseconds)
            .order(MaintenanceWindowRow.Columns.startMs, MaintenanceWindowRow.Columns.id)
            .fetchAll(db).compactMap(\.stored)
    }
}
