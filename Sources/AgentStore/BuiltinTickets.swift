public import ContaminationRules
public import Foundation
import GRDB
public import Telemetry

/// A built-in ticket: what a site without an ITSM tool uses (issue 12).
public struct BuiltinTicket: Hashable, Sendable {
    public var id: Int64
    /// `INC-000042`.
    public var number: String
    public var kind: String
    public var subject: String
    /// `open` or `resolved`.
    public var state: String
    public var priority: String?
    public var assignee: String?
    public var opening: OpeningKey
    public var ci: String?
    public var severity: String?
    public var created: Timestamp
    public var updated: Timestamp
    /// What happened to it, oldest first.
    public var history: [Entry] = []

    public struct Entry: Hashable, Sendable {
        public var at: Timestamp
        /// `opened`, `updated`, `resolved`, `reopened`, `annotated`.
        public var what: String
        public var text: String
    }
}

/// Built-in incident tickets in the agent's store: opened once per opening of an event
/// (opening it again answers the same ticket — what makes a dispatcher's retry safe), updated,
/// resolved and reopened, each step in the ticket's append-only history.
public struct BuiltinTickets: Sendable {
    let database: AgentDatabase

    public init(database: AgentDatabase) { self.database = database }

    /// `INC-000042`, `PRB-000043`, `CHG-000044`: one sequence, the prefix by kind.
    static func number(_ id: Int64, kind: String = "incident") -> String {
        let prefix = kind == "problem" ? "PRB-" : kind == "change" ? "CHG-" : "INC-"
        return prefix + String(format: "%06lld", id)
    }

    /// Inserts a ticket of `kind` with its opening history entry (inside a transaction).
    static func insert(
        kind: String, opening: OpeningKey, subject: String, body: String, priority: String?, ci: String?, severity: String?, now: Timestamp,
        _ db: Database
    ) throws -> BuiltinTicket {
        try db.execute(
            sql: """
                INSERT INTO itsm_tickets(number, kind, subject, state, priority, dedup_key, first_seen_ms, ci, severity, created_ms, updated_ms)
                VALUES ('', ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [kind, subject, priority, opening.dedupKey, opening.firstSeen.milliseconds, ci, severity, now.milliseconds, now.milliseconds])
        let id = db.lastInsertedRowID
        try db.execute(sql: "UPDATE itsm_tickets SET number = ? WHERE id = ?", arguments: [number(id, kind: kind), id])
        try append(id, "opened", body, now, db)
        return try ticket(id: id, db)!
    }

    /// Opens the ticket of an opening, or answers the one it has.
    public func open(
        _ opening: OpeningKey, subject: String, body: String, priority: String?, ci: String?, severity: String?, now: Timestamp = .now
    ) async throws -> BuiltinTicket {
        try await database.writer.write { db in
            if let existing = try Self.find(opening, db) { return existing }
            return try Self.insert(kind: "incident", opening: opening, subject: subject, body: body, priority: priority, ci: ci, severity: severity, now: now, db)
        }
    }

    /// Adds to a ticket's history; `resolved` and `reopened` also change its state, and a
    /// `priority` given (`P1`) becomes the ticket's.
    public func record(_ number: String, what: String, text: String, priority: String? = nil, now: Timestamp = .now) async throws -> BuiltinTicket {
        try await database.writer.write { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM itsm_tickets WHERE number = ?", arguments: [number]) else {
                throw StoreError.notFound("no ticket \(number)")
            }
            if let priority { try db.execute(sql: "UPDATE itsm_tickets SET priority = ? WHERE id = ?", arguments: [priority, id]) }
            switch what {
            case "resolved":
                try db.execute(sql: "UPDATE itsm_tickets SET state = 'resolved', updated_ms = ? WHERE id = ?", arguments: [now.milliseconds, id])
            case "reopened":
                try db.execute(sql: "UPDATE itsm_tickets SET state = 'open', updated_ms = ? WHERE id = ?", arguments: [now.milliseconds, id])
            default:
                try db.execute(sql: "UPDATE itsm_tickets SET updated_ms = ? WHERE id = ?", arguments: [now.milliseconds, id])
            }
            try Self.append(id, what, text, now, db)
            return try Self.ticket(id: id, db)!
        }
    }

    /// The ticket of an opening, if it has one.
    public func find(_ opening: OpeningKey) async throws -> BuiltinTicket? {
        try await database.writer.read { db in try Self.find(opening, db) }
    }

    /// One ticket by number, with its history.
    public func ticket(_ number: String) async throws -> BuiltinTicket? {
        try await database.writer.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM itsm_tickets WHERE number = ?", arguments: [number]) else { return nil }
            return try Self.ticket(id: id, db)
        }
    }

    /// Tickets, newest first; only open ones when `openOnly`.
    public func list(openOnly: Bool = false, limit: Int = 200) async throws -> [BuiltinTicket] {
        try await database.writer.read { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM itsm_tickets \(openOnly ? "WHERE state = 'open'" : "") ORDER BY id DESC LIMIT ?", arguments: [limit])
            return try ids.compactMap { try Self.ticket(id: $0, db) }
        }
    }

    static func find(_ o: OpeningKey, _ db: Database) throws -> BuiltinTicket? {
        guard let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM itsm_tickets WHERE kind = 'incident' AND dedup_key = ? AND first_seen_ms = ?",
            arguments: [o.dedupKey, o.firstSeen.milliseconds])
        else { return nil }
        return try ticket(id: id, db)
    }

    static func append(_ id: Int64, _ what: String, _ text: String, _ now: Timestamp, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO itsm_ticket_history(ticket_id, at_ms, what, text) VALUES (?, ?, ?, ?)", arguments: [id, now.milliseconds, what, text])
    }

    static func ticket(id: Int64, _ db: Database) throws -> BuiltinTicket? {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM itsm_tickets WHERE id = ?", arguments: [id]) else { return nil }
        let history = try Row.fetchAll(
            db, sql: "SELECT at_ms, what, text FROM itsm_ticket_history WHERE ticket_id = ? ORDER BY id", arguments: [id]
        ).map { BuiltinTicket.Entry(at: Timestamp(milliseconds: $0[0]), what: $0[1], text: $0[2]) }
        return BuiltinTicket(
            id: r["id"], number: r["number"], kind: r["kind"], subject: r["subject"], state: r["state"], priority: r["priority"],
            assignee: r["assignee"], opening: OpeningKey(dedupKey: r["dedup_key"], firstSeen: Timestamp(milliseconds: r["first_seen_ms"])),
            ci: r["ci"], severity: r["severity"], created: Timestamp(milliseconds: r["created_ms"]),
            updated: Timestamp(milliseconds: r["updated_ms"]), history: history)
    }
}
