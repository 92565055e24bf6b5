import AgentStore
import Foundation
import GRDB
import Logging
import Telemetry
import Testing

/// Logins over HTTP as the store keeps them (issue 11): bcrypt hashes, the lockout, API tokens
/// hashed at rest, and one role rule for the CLI and the web — every attempt in the audit trail.
@Suite("Logins: passwords, lockout, API tokens, one role rule", .timeLimit(.minutes(2)))
struct LoginTests {
    static let password = "correct horse battery"
    var policy: LoginPolicy {
        var p = LoginPolicy()
        p.bcryptCost = 4
        p.maxFailures = 3
        p.lockout = .seconds(600)
        return p
    }

    func open(_ dir: TempDir) throws -> SiteStore {
        let store = try SiteStore(
            path: dir.file("a.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"),
            logger: .init(label: "test"))
        _ = try store.users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        _ = try store.users.add(name: "vic", role: .viewer, fullName: nil, email: "vic@example.org", groups: ["night", "cooling"], actor: "ana")
        return store
    }

    func actions(_ store: SiteStore, last n: Int) throws -> [String] {
        try store.audit.entries(limit: n).map { "\($0.actor) \($0.action) \($0.details["reason"] ?? "")".trimmingCharacters(in: .whitespaces) }
    }

    @Test("a password is kept as a bcrypt hash that verifies; e-mail and groups are stored; short passwords and the built-in user are refused")
    func passwords() throws {
        let dir = TempDir()
        let store = try open(dir)
        try store.users.setPassword("vic", to: Self.password, actor: "ana", policy: policy)
        let hash = try store.database.writer.read { db in try String.fetchOne(db, sql: "SELECT password_hash FROM users WHERE name = 'vic'") }
        #expect(hash?.hasPrefix("$2b$04$") == true, "bcrypt, cost 4: \(hash ?? "nil")")
        #expect(hash?.contains(Self.password) == false)
        let vic = try #require(try store.users.find("vic"))
        #expect(vic.hasPassword && vic.email == "vic@example.org" && vic.groups == ["cooling", "night"])
        #expect(throws: StoreError.self) { try store.users.setPassword("vic", to: "short", actor: "ana", policy: policy) }
        #expect(throws: StoreError.self) { try store.users.setPassword("system", to: Self.password, actor: "ana", policy: policy) }
        #expect(throws: StoreError.self) { try store.users.add(name: "x", role: .viewer, fullName: nil, email: "no-at-sign", actor: "ana") }
        let passwd = try #require(try store.audit.entries(limit: 10).last(where: { $0.action == "user.passwd" }))
        #expect(passwd.actor == "ana" && passwd.details.isEmpty, "the audit row holds no password or hash")
    }

    @Test("wrong passwords count; the third locks the user out even with the right password; the lockout ends; all audited")
    func lockout() throws {
        let dir = TempDir()
        let store = try open(dir)
        try store.users.setPassword("vic", to: Self.password, actor: "ana", policy: policy)
        let t0 = Timestamp(milliseconds: 1_800_000_000_000)
        #expect(try store.users.login("vic", password: "wrong", via: "test", now: t0, policy: policy) == .refused)
        #expect(try store.users.login("vic", password: "wrong", via: "test", now: t0, policy: policy) == .refused)
        let third = try store.users.login("vic", password: "wrong", via: "test", now: t0, policy: policy)
        let until = t0.adding(seconds: 600)
        #expect(third == .lockedOut(until: until))
        #expect(try store.users.find("vic")?.lockedUntil == until)
        // Locked: even the right password is refused, until the lockout ends.
        #expect(try store.users.login("vic", password: Self.password, via: "test", now: t0.adding(seconds: 599), policy: policy) == .lockedOut(until: until))
        guard case .success(let user) = try store.users.login("vic", password: Self.password, via: "test", now: t0.adding(seconds: 601), policy: policy)
        else { Issue.record("the lockout should have ended"); return }
        #expect(user.name == "vic" && user.role == .viewer)
        #expect(
            try actions(store, last: 6) == [
                "vic login.failure wrong password", "vic login.failure wrong password", "vic login.failure wrong password",
                "vic login.lockout", "vic login.failure locked out until \(until)", "vic login.success",
            ])
        // After a success the count starts again: two failures do not lock.
        _ = try store.users.login("vic", password: "wrong", via: "test", now: t0.adding(seconds: 700), policy: policy)
        #expect(try store.users.login("vic", password: "wrong", via: "test", now: t0.adding(seconds: 700), policy: policy) == .refused)
    }

    @Test("unknown users, users without a password, disabled users are refused alike and audited with the reason")
    func refusedAlike() throws {
        let dir = TempDir()
        let store = try open(dir)
        #expect(try store.users.login("nobody", password: Self.password, via: "test", policy: policy) == .refused)
        #expect(try store.users.login("vic", password: Self.password, via: "test", policy: policy) == .refused)
        try store.users.setPassword("vic", to: Self.password, actor: "ana", policy: policy)
        try store.users.setDisabled("vic", true, actor: "ana")
        #expect(try store.users.login("vic", password: Self.password, via: "test", policy: policy) == .refused)
        #expect(try store.users.login("system", password: Self.password, via: "test", policy: policy) == .refused)
        let failures = try store.audit.entries(limit: 20).filter { $0.action == "login.failure" }.map { "\($0.actor): \($0.details["reason"]!)" }
        #expect(failures == ["nobody: unknown user", "vic: no password set", "vic: user disabled", "system: no password set"])
    }

    @Test("the CLI's --as and HTTP share one rule: built-in, disabled and too-low roles are refused, and a token's role is capped by its user's")
    func oneRule() throws {
        let dir = TempDir()
        let store = try open(dir)
        let vic = try #require(try store.users.find("vic"))
        let ana = try #require(try store.users.find("ana"))
        try UserRepository.authorize(vic, needs: .viewer, action: "read")
        #expect(throws: StoreError.self) { try UserRepository.authorize(vic, needs: .operator_, action: "acknowledge events") }
        // A token with role operator for an admin acts as operator; for a viewer the viewer's role caps it.
        #expect(throws: StoreError.self) { try UserRepository.authorize(ana, as: .operator_, needs: .admin, action: "create API tokens") }
        try UserRepository.authorize(ana, as: .operator_, needs: .operator_, action: "acknowledge events")
        #expect(throws: StoreError.self) { try UserRepository.authorize(vic, as: .admin, needs: .operator_, action: "acknowledge events") }
        let system = try #require(try store.users.find("system"))
        #expect(throws: StoreError.self) { try UserRepository.authorize(system, needs: .viewer, action: "read") }
        // The CLI path resolves through the same rule.
        let refused = #expect(throws: StoreError.self) {
            try store.users.resolveActor(explicit: "vic", osLogin: nil, needs: .operator_, action: "acknowledge events")
        }
        #expect(refused?.message == "user 'vic' (role viewer) may not acknowledge events; it needs role operator or higher")
    }

    @Test("a token: created by an admin only, never above its user's role, its secret only hashed at rest, revocable, refusals audited")
    func tokens() throws {
        let dir = TempDir()
        let store = try open(dir)
        #expect(throws: StoreError.self) { try store.tokens.create(name: "x", user: "vic", role: .viewer, actor: "vic") }
        #expect(throws: StoreError.self) { try store.tokens.create(name: "x", user: "vic", role: .operator_, actor: "ana") }
        #expect(throws: StoreError.self) { try store.tokens.create(name: "x", user: "system", role: .viewer, actor: "ana") }
        let (token, secret) = try store.tokens.create(name: "prometheus", user: "vic", role: .viewer, actor: "ana")
        #expect(secret.hasPrefix("dcagent_\(token.id)_") && secret.count > 50)
        // Only the digest is stored: the secret appears nowhere in the database file.
        try store.database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.sqlite")))
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
        #expect(bytes.range(of: Data(secret.suffix(43).utf8)) == nil)
        let (t, u) = try #require(try store.tokens.authenticate(secret, via: "test"))
        #expect(t.id == token.id && u.name == "vic" && t.effectiveRole(of: u) == .viewer)
        #expect(try store.tokens.find(token.id)?.lastUsed != nil)
        #expect(try store.tokens.authenticate(secret + "x", via: "test") == nil)
        // Disabling the user stops the token; enabling restores it.
        try store.users.setDisabled("vic", true, actor: "ana")
        #expect(try store.tokens.authenticate(secret, via: "test") == nil)
        try store.users.setDisabled("vic", false, actor: "ana")
        #expect(try store.tokens.authenticate(secret, via: "test") != nil)
        try store.tokens.revoke(token.id, actor: "ana")
        #expect(try store.tokens.authenticate(secret, via: "test") == nil)
        #expect(throws: StoreError.self) { try store.tokens.revoke(token.id, actor: "ana") }
        // An expired token is refused.
        let (_, soon) = try store.tokens.create(name: "short", user: "ana", role: .admin, expires: .now.adding(seconds: 3600), actor: "ana")
        #expect(try store.tokens.authenticate(soon, via: "test", now: .now.adding(seconds: 3601)) == nil)
        let refusals = try store.audit.entries(limit: 40).filter { $0.action == "token.refused" }.map { "\($0.object) \($0.details["reason"]!)" }
        #expect(
            refusals == [
                "token/\(token.id) no such token", "token/\(token.id) its user is disabled", "token/\(token.id) revoked",
                refusals.last ?? "",
            ])
        #expect(refusals.last?.hasSuffix(" expired") == true)
        #expect(try store.audit.verify().intact)
    }

    @Test("a password change and a disable end the user's web sessions")
    func sessionsEnd() async throws {
        let dir = TempDir()
        let store = try open(dir)
        let data = Data(#"{"user":"vic","csrf":"c","created":1}"#.utf8)
        try await store.sessions.set("s1", data: data, expires: .now.adding(seconds: 3600))
        try await store.sessions.set("s2", data: Data(#"{"user":"ana","csrf":"c","created":1}"#.utf8), expires: .now.adding(seconds: 3600))
        #expect(try await store.sessions.get("s1")?.data == data)
        let stored = try await store.database.writer.read { db in try String.fetchAll(db, sql: "SELECT key_sha256 FROM web_sessions") }
        #expect(!stored.contains("s1") && stored.allSatisfy { $0.count == 64 }, "only the id's digest is stored")
        try store.users.setPassword("vic", to: Self.password, actor: "ana", policy: policy)
        #expect(try await store.sessions.get("s1") == nil)
        #expect(try await store.sessions.get("s2") != nil)
        try store.users.setDisabled("ana", true, actor: "vic")
        #expect(try await store.sessions.get("s2") == nil)
        // An expired session is not returned.
        try await store.sessions.set("s3", data: data, expires: .now.adding(seconds: 1))
        #expect(try await store.sessions.get("s3", now: .now.adding(seconds: 2)) == nil)
    }
}
