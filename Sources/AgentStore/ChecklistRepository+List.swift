public import FloorModel
import GRDB
public import Telemetry

/// One stored run as a list shows it: the run, its site and when it last changed.
public struct ChecklistRunSummary: Sendable, Hashable {
    /// The run (template, target, executor, answers, state).
    public var run: ChecklistRun
    /// The site whose floor holds its target.
    public var site: String
    /// When it last changed (start, answer, submission, decision).
    public var updatedAt: Timestamp
}

extension ChecklistRepository {
    /// Runs newest first (by start), at most `limit`; `state` nil for every state.
    public func recentRuns(state: ChecklistRun.State?, limit: Int) async throws -> [ChecklistRunSummary] {
        try await database.writer.read { db in
            var sql = "SELECT json, site, updated_ms FROM checklist_runs"
            var arguments: StatementArguments = []
            if let state {
                sql += " WHERE state = ?"
                arguments += [state.rawValue]
            }
            sql += " ORDER BY seq DESC LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let json: String = row["json"]
                let site: String = row["site"]
                let updated: Int64 = row["updated_ms"]
                return ChecklistRunSummary(
                    run: try FloorRows.decode(ChecklistRun.self, json, "checklist run"), site: site, updatedAt: Timestamp(milliseconds: updated))
            }
        }
    }
}
