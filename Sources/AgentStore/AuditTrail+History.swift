import Foundation
import GRDB

// MARK: - Reading the trail: a viewer and a CI's history

extension AuditTrail {
    /// The object kinds of audit rows that name a CI by id (`device/DC-R05-SRV1`, `rack/…`,
    /// `room/…` of a record, `ci/…` of a maintenance window, `site/…` of an import). Other
    /// objects name users, tokens, runs, events or windows by their own ids.
    static let ciObjectKinds = ["site", "room", "aisle", "rack", "device", "pdu", "feed", "sensor", "cable", "service", "ci"]

    /// Audit rows newest first, at most `limit`, older than `beforeSeq` when given (to page on,
    /// pass the last row's ``Entry/seq``).
    ///
    /// `object` nil gives every row. An `object` with a `/` (`user/alice`, `checklist-run/CL-3`)
    /// gives the rows of exactly that object. An `object` without one is a CI id
    /// (`DC-R05-SRV1`), and gives its history — every row whose object is that CI:
    /// - `KIND/ID` for a CI kind (`device/ID`, `rack/ID`, `room/ID`, `ci/ID`, …);
    /// - `site/A,B` (a floor import) naming it among its sites;
    /// - `checklist-run/RUN` of a run whose target it is;
    /// - `event/N` of an event whose scope it is;
    /// - `maintenance/N` of a maintenance window on it;
    /// - `records` (an import of obligation records) listing it among its rooms.
    public func entries(object: String?, limit: Int, beforeSeq: Int64? = nil) throws -> [Entry] {
        try database.writer.read { try Self.entries(object: object, limit: limit, beforeSeq: beforeSeq, $0) }
    }

    /// ``entries(object:limit:beforeSeq:)`` through the database's async read.
    public func entries(object: String?, limit: Int, beforeSeq: Int64? = nil) async throws -> [Entry] {
        try await database.writer.read { try Self.entries(object: object, limit: limit, beforeSeq: beforeSeq, $0) }
    }

    /// ``verify()`` through the database's async read: the chain is recomputed in one read
    /// transaction on GRDB's reader, off the cooperative pool's blocking path.
    public func verify() async throws -> Verification {
        let anchor = readAnchor()
        let chain = try await database.writer.read { try self.chain($0) }
        return verification(chain, anchor: anchor)
    }

    static func entries(object: String?, limit: Int, beforeSeq: Int64?, _ db: Database) throws -> [Entry] {
        let columns = "seq, t, actor, action, object, details, prev_mac, mac"
        var filter = "(?1 IS NULL OR seq < ?1)"
        var arguments: [(any DatabaseValueConvertible)?] = [beforeSeq]
        if let object, object.contains("/") {
            filter += " AND object = ?2"
            arguments.append(object)
        } else if let ci = object {
            let kinds = ciObjectKinds.map { "'\($0)/' || ?2" }.joined(separator: ", ")
            filter += """
                 AND (object IN (\(kinds))
                  OR (substr(object, 1, 5) = 'site/' AND instr(',' || substr(object, 6) || ',', ',' || ?2 || ',') > 0)
                  OR (substr(object, 1, 14) = 'checklist-run/' AND substr(object, 15) IN (SELECT run_id FROM checklist_runs WHERE target = ?2))
                  OR (substr(object, 1, 6) = 'event/' AND substr(object, 7) IN (SELECT CAST(id AS TEXT) FROM events WHERE scope = ?2))
                  OR (substr(object, 1, 12) = 'maintenance/'
                      AND substr(object, 13) IN (SELECT CAST(id AS TEXT) FROM maintenance_windows WHERE ci = ?2))
                  OR (object = 'records' AND json_valid(details)
                      AND instr(',' || COALESCE(json_extract(details, '$.rooms'), '') || ',', ',' || ?2 || ',') > 0))
                """
            arguments.append(ci)
        }
        arguments.append(max(0, limit))
        let sql = "SELECT \(columns) FROM audit_log WHERE \(filter) ORDER BY seq DESC LIMIT ?\(arguments.count)"
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.entry)
    }
}
