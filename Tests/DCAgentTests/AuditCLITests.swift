import Crypto
import Foundation
import GRDB
import Testing

/// `dcagent user …` and `dcagent audit verify` through the real binary and a real database.
@Suite("Users and the audit trail through the CLI", .timeLimit(.minutes(5)))
struct AuditCLITests {
    /// A store with an admin and three more audited changes (4 rows).
    func populated() async throws -> (TempDir, String) {
        let dir = TempDir()
        let cfg = testConfig(dir: dir, port: freePort())
        #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "budi", "--role", "engineer", "--as", "ana", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "citra", "--role", "approver", "--as", "ana", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "disable", "citra", "--as", "ana", "--config", cfg).status == 0)
        let ok = try await dcagent("audit", "verify", "--config", cfg)
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.stdout.contains("audit chain: 4 rows"))
        #expect(ok.stdout.contains("OK: the audit trail is intact"))
        return (dir, cfg)
    }

    func tamper(_ dir: TempDir, _ sql: String, _ args: StatementArguments = []) throws {
        let q = try DatabaseQueue(path: dir.file("dcagent.sqlite"))
        try q.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete")
            try db.execute(sql: sql, arguments: args)
        }
        try q.close()
    }

    @Test("mutating commands need a registered user with the role; the first admin needs none")
    func actors() async throws {
        let (dir, cfg) = try await populated()
        defer { withExtendedLifetime(dir) {} }
        let r = try await dcagent("user", "add", "dedi", "--role", "viewer", "--as", "budi", "--config", cfg)
        #expect(r.status == 1)
        #expect(r.stderr.contains("user 'budi' (role engineer) may not add users"))
        let r2 = try await dcagent("user", "add", "dedi", "--role", "viewer", "--as", "ghost", "--config", cfg)
        #expect(r2.stderr.contains("user 'ghost' is not registered"))
        let r3 = try await dcagent("user", "add", "dedi", "--role", "viewer", "--as", "citra", "--config", cfg)
        #expect(r3.stderr.contains("user 'citra' is disabled"))
        let list = try await dcagent("user", "list", "--config", cfg)
        #expect(list.stdout.contains("citra\tapprover\tdisabled"))
        let log = try await dcagent("audit", "log", "--config", cfg)
        #expect(log.stdout.contains("\tana\tuser.disable\tuser/citra"))
    }

    @Test("an edited middle row is detected")
    func editedMiddleRow() async throws {
        let (dir, cfg) = try await populated()
        try tamper(dir, "UPDATE audit_log SET details = '{\"role\":\"admin\"}' WHERE seq = 2")
        let r = try await dcagent("audit", "verify", "--config", cfg)
        #expect(r.status == 1)
        #expect(r.stdout.contains("TAMPERED: row 2: MAC does not match its content"))
    }

    @Test("a deleted last row is detected through the anchor file")
    func deletedLastRow() async throws {
        let (dir, cfg) = try await populated()
        try tamper(dir, "DELETE FROM audit_log WHERE seq = 4")
        let r = try await dcagent("audit", "verify", "--config", cfg)
        #expect(r.status == 1)
        #expect(r.stdout.contains("the anchor file records 4 rows but the chain has 3"))
    }

    @Test("a chain recomputed without the key is detected")
    func recomputedWithoutKey() async throws {
        let (dir, cfg) = try await populated()
        // An attacker rewrites row 2 and recomputes every MAC after it, with a key of their own,
        // and even rewrites the anchor file to match.
        let q = try DatabaseQueue(path: dir.file("dcagent.sqlite"))
        let forged = SymmetricKey(size: .bits256)
        let last: String = try q.inDatabase { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET details = '{\"role\":\"admin\"}' WHERE seq = 2")
            var prev = String(repeating: "0", count: 64)
            for row in try Row.fetchAll(db, sql: "SELECT seq, t, actor, action, object, details FROM audit_log ORDER BY seq") {
                let details = try JSONDecoder().decode([String: String].self, from: Data((row[5] as String).utf8))
                struct Canon: Encodable {
                    var seq: Int64, t: Int64, actor: String, action: String, object: String, details: [String: String], prev: String
                }
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let data = try enc.encode(Canon(seq: row[0], t: row[1], actor: row[2], action: row[3], object: row[4], details: details, prev: prev))
                let mac = HMAC<SHA256>.authenticationCode(for: data, using: forged).map { String(format: "%02x", $0) }.joined()
                try db.execute(sql: "UPDATE audit_log SET prev_mac = ?, mac = ? WHERE seq = ?", arguments: [prev, mac, row[0] as Int64])
                prev = mac
            }
            return prev
        }
        try q.close()
        try "4 \(last)\n".write(toFile: dir.file("audit.anchor"), atomically: true, encoding: .utf8)
        let r = try await dcagent("audit", "verify", "--config", cfg)
        #expect(r.status == 1)
        #expect(r.stdout.contains("TAMPERED: row 1: MAC does not match"))
        #expect(r.stdout.contains("TAMPERED: row 4: MAC does not match"))
    }
}
