import Foundation
import GRDB
public import Telemetry

/// An API token for machines (issue 11): it acts as its user, with a role no higher than the
/// user's, until it expires or is revoked. Only the SHA-256 of its secret is kept; the secret is
/// shown once, when it is created.
public struct APIToken: Sendable, Equatable, Codable {
    /// Public id (12 hex digits), the middle part of the secret: `dcagent_<id>_<random>`.
    public var id: String
    /// What it is for ("prometheus", "rt-sync").
    public var name: String
    /// The user it acts as; every audit row of its use names this user and the token.
    public var user: String
    /// The highest role it may act with (capped by the user's current role).
    public var role: Role
    public var created: Timestamp
    /// The admin who created it.
    public var createdBy: String
    public var expires: Timestamp?
    public var revoked: Timestamp?
    public var revokedBy: String?
    /// When it was last used (to the minute).
    public var lastUsed: Timestamp?

    /// The role it acts with now: its own, capped by its user's.
    public func effectiveRole(of user: User) -> Role { min(role, user.role) }

    /// True when it may still be used at `now`.
    public func isLive(at now: Timestamp) -> Bool { revoked == nil && (expires.map { $0 > now } ?? true) }
}

/// API tokens: created by an admin, hashed at rest, shown once, scoped to a role, revocable;
/// creation and revocation are audited, and so is every refused use.
public struct TokenRepository: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail

    public init(database: AgentDatabase, audit: AuditTrail) {
        self.database = database
        self.audit = audit
    }

    static let prefix = "dcagent_"

    /// The hex SHA-256 of a secret, as stored.
    static func digest(_ secret: String) -> String { SecretText.sha256Hex(secret) }

    /// Creates a token for `user` with `role`; `actor` must be an admin (checked here with the
    /// one rule, ``UserRepository/authorize(_:as:needs:action:)``). Returns the token and its
    /// secret, which is never shown again.
    public func create(
        name: String, user: String, role: Role, expires: Timestamp? = nil, actor: String, via: String = "cli"
    ) throws -> (APIToken, secret: String) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 100 else { throw StoreError.invalid("a token needs a name of 1–100 characters") }
        let now = Timestamp.now
        if let expires, expires <= now { throw StoreError.invalid("the token's expiry \(expires) is in the past") }
        let id = SecretText.randomHex(bytes: 6)
        let secret = "\(Self.prefix)\(id)_\(SecretText.randomBase64URL(bytes: 32))"
        let token = APIToken(id: id, name: trimmed, user: user, role: role, created: now, createdBy: actor, expires: expires)
        var details = ["name": trimmed, "user": user, "role": role.rawValue, "via": via]
        details["expires"] = expires?.description
        try audit.append(actor: actor, action: "token.create", object: "token/\(id)", details: details) { db in
            guard let creator = try UserRepository.find(actor, db) else { throw StoreError.unknownUser(actor) }
            try UserRepository.authorize(creator, needs: .admin, action: "create API tokens")
            guard let owner = try UserRepository.find(user, db) else { throw StoreError.unknownUser(user) }
            if owner.builtIn { throw StoreError.invalid("'\(user)' is a built-in actor of the agent itself: a token must act as a person") }
            if role > owner.role {
                throw StoreError.invalid("a token for '\(user)' (role \(owner.role.rawValue)) cannot have the higher role \(role.rawValue)")
            }
            try db.execute(
                sql: """
                    INSERT INTO api_tokens(id, name, user, role, secret_sha256, created_ms, created_by, expires_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, trimmed, user, role.rawValue, Self.digest(secret), now.milliseconds, actor, expires?.milliseconds])
        }
        return (token, secret)
    }

    static let columns = "id, name, user, role, created_ms, created_by, expires_ms, revoked_ms, revoked_by, last_used_ms"

    private static func token(_ row: Row) -> APIToken {
        APIToken(
            id: row[0], name: row[1], user: row[2], role: Role(rawValue: row[3]) ?? .viewer,
            created: Timestamp(milliseconds: row[4]), createdBy: row[5],
            expires: (row[6] as Int64?).map(Timestamp.init(milliseconds:)),
            revoked: (row[7] as Int64?).map(Timestamp.init(milliseconds:)), revokedBy: row[8],
            lastUsed: (row[9] as Int64?).map(Timestamp.init(milliseconds:)))
    }

    /// Every token (revoked ones too), newest first.
    public func list() throws -> [APIToken] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM api_tokens ORDER BY created_ms DESC, id").map(Self.token)
        }
    }

    /// One token, or nil.
    public func find(_ id: String) throws -> APIToken? {
        try database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM api_tokens WHERE id = ?", arguments: [id]).map(Self.token)
        }
    }

    /// Revokes a token (`token.revoke`); `actor` must be an admin. Revoking a revoked token
    /// is refused, so the trail shows who revoked it first.
    public func revoke(_ id: String, actor: String, via: String = "cli") throws {
        try audit.append(actor: actor, action: "token.revoke", object: "token/\(id)", details: ["via": via]) { db in
            guard let creator = try UserRepository.find(actor, db) else { throw StoreError.unknownUser(actor) }
            try UserRepository.authorize(creator, needs: .admin, action: "revoke API tokens")
            guard let revoked = try Row.fetchOne(db, sql: "SELECT revoked_ms FROM api_tokens WHERE id = ?", arguments: [id]) else {
                throw StoreError(.invalid, "no API token has id '\(id)'")
            }
            if let ms = revoked[0] as Int64? {
                throw StoreError.invalid("API token \(id) was revoked already (\(Timestamp(milliseconds: ms)))")
            }
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_ms = ?, revoked_by = ? WHERE id = ?",
                arguments: [Timestamp.now.milliseconds, actor, id])
        }
    }

    /// Who a presented secret acts as: the token and its user when the secret matches a live
    /// token of an enabled person; nil otherwise, and that refusal is audited
    /// (`token.refused`, naming the token's id when the secret carries a known one, never the
    /// secret). Marks the token used (to the minute).
    public func authenticate(_ secret: String, via: String, now: Timestamp = .now) throws -> (APIToken, User)? {
        let digest = Self.digest(secret)
        let found = try database.writer.read { db -> (APIToken, User?)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM api_tokens WHERE secret_sha256 = ?", arguments: [digest])
            else { return nil }
            let token = Self.token(row)
            return (token, try UserRepository.find(token.user, db))
        }
        guard let (token, user) = found else {
            let id = Self.claimedId(secret) ?? "(unknown)"
            try audit.append(actor: "(token)", action: "token.refused", object: "token/\(id)", details: ["reason": "no such token", "via": via])
            return nil
        }
        let reason: String? =
            if token.revoked != nil { "revoked" }
            else if !token.isLive(at: now) { "expired" }
            else if user == nil { "its user no longer exists" }
            else if user!.disabled { "its user is disabled" }
            else { nil }
        if let reason {
            try audit.append(actor: token.user, action: "token.refused", object: "token/\(token.id)", details: ["reason": reason, "via": via])
            return nil
        }
        if token.lastUsed.map({ now.seconds(since: $0) >= 60 }) ?? true {
            try database.writer.write { db in
                try db.execute(sql: "UPDATE api_tokens SET last_used_ms = ? WHERE id = ?", arguments: [now.milliseconds, token.id])
            }
        }
        return (token, user!)
    }

    /// The id part of a secret of our shape, if it has one.
    static func claimedId(_ secret: String) -> String? {
        guard secret.hasPrefix(prefix) else { return nil }
        let id = secret.dropFirst(prefix.count).prefix(12)
        return id.count == 12 && id.allSatisfy(\.isHexDigit) ? String(id) : nil
    }
}
