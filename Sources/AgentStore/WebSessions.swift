public import Foundation
import GRDB
public import Telemetry

/// The web's login sessions, in the database so that a restart logs nobody out. Rows are keyed
/// by the SHA-256 of the session id (the cookie's value), so the database alone opens no
/// session. The data is the web layer's own JSON.
public struct WebSessionTable: Sendable {
    let database: AgentDatabase

    public init(database: AgentDatabase) { self.database = database }

    static func key(_ id: String) -> String { SecretText.sha256Hex(id) }

    /// Stores (or replaces) a session's data until `expires`; expired rows are removed on the way.
    public func set(_ id: String, data: Data, expires: Timestamp?, now: Timestamp = .now) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE expires_ms <= ?", arguments: [now.milliseconds])
            if let expires {
                try db.execute(
                    sql: """
                        INSERT INTO web_sessions(key_sha256, data, expires_ms) VALUES (?, ?, ?)
                        ON CONFLICT(key_sha256) DO UPDATE SET data = excluded.data, expires_ms = excluded.expires_ms
                        """, arguments: [Self.key(id), String(decoding: data, as: UTF8.self), expires.milliseconds])
            } else {
                try db.execute(
                    sql: "UPDATE web_sessions SET data = ? WHERE key_sha256 = ?",
                    arguments: [String(decoding: data, as: UTF8.self), Self.key(id)])
            }
        }
    }

    /// True when a live session has this id.
    public func exists(_ id: String, now: Timestamp = .now) async throws -> Bool {
        try await get(id, now: now) != nil
    }

    /// A live session's data and expiry, or nil.
    public func get(_ id: String, now: Timestamp = .now) async throws -> (data: Data, expires: Timestamp)? {
        try await database.writer.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT data, expires_ms FROM web_sessions WHERE key_sha256 = ? AND expires_ms > ?",
                arguments: [Self.key(id), now.milliseconds])
            else { return nil }
            let text: String = row[0]
            return (Data(text.utf8), Timestamp(milliseconds: row[1]))
        }
    }

    /// Removes a session.
    public func remove(_ id: String) async throws {
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE key_sha256 = ?", arguments: [Self.key(id)])
        }
    }

    /// Ends every session of a user (a password change, a disable): the web layer's JSON names
    /// the user in `user`.
    static func endSessions(of user: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM web_sessions WHERE json_extract(data, '$.user') = ?", arguments: [user])
    }
}
