import Foundation
public import Telemetry
import GRDB

/// The roles of DESIGN decision 5, from least to most privileged.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, operator_ = "operator", engineer, approver, supervisor, admin

    /// The rank of the role; a higher rank includes the rights of lower ones.
    public var rank: Int { Role.allCases.firstIndex(of: self)! }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// A registered user.
public struct User: Sendable, Equatable, Codable {
    /// Login name (matches the OS login where the CLI infers the actor).
    public var name: String
    /// Role.
    public var role: Role
    /// A full name for pages and reports.
    public var fullName: String?
    /// Disabled users cannot act.
    public var disabled: Bool
    /// When the user was added.
    public var created: Timestamp
    /// A built-in actor of the agent itself (``UserRepository/systemActor``): listed, never
    /// removed, its role never changed, never assumed by a person.
    public var builtIn: Bool
    /// E-mail address, for notifications (issue 16).
    public var email: String? = nil
    /// On-call groups (escalation and routing, issue 16), sorted.
    public var groups: [String] = []
    /// True when a password is set (logins over HTTP); the hash itself never leaves the store.
    public var hasPassword: Bool = false
    /// While set and in the future, logins are refused (too many failures).
    public var lockedUntil: Timestamp? = nil
    /// The language the user reads the web pages in (`id`, `en`); nil: the agent's default.
    public var language: String? = nil
}

/// Users and roles, and the resolution of the acting user (DESIGN decisions 4–5).
public struct UserRepository: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail

    /// Creates the repository; every change is written to the audit trail.
    public init(database: AgentDatabase, audit: AuditTrail) {
        self.database = database
        self.audit = audit
    }

    /// The built-in actor of the agent itself (migration `v6-builtin-system-user`): the
    /// first-start floor import and other acts of the daemon on its own are audited as this user.
    public static let systemActor = "system"

    /// Valid user names: 1–64 of letters, digits, `.`, `_`, `-`.
    public static func isValidName(_ name: String) -> Bool { CIID.isValid(name) }

    static let userColumns =
        "name, role, full_name, disabled, created_ms, builtin, email, groups, password_hash IS NOT NULL, locked_until_ms, language"

    /// All users, by name.
    public func list() throws -> [User] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM users ORDER BY name").map(Self.user)
        }
    }

    /// One user, or nil.
    public func find(_ name: String) throws -> User? {
        try database.writer.read { db in try Self.find(name, db) }
    }

    static func find(_ name: String, _ db: Database) throws -> User? {
        try Row.fetchOne(db, sql: "SELECT \(userColumns) FROM users WHERE name = ?", arguments: [name]).map(user)
    }

    private static func user(_ row: Row) -> User {
        let groupsText: String = row[7]
        return User(
            name: row[0], role: Role(rawValue: row[1]) ?? .viewer, fullName: row[2], disabled: row[3],
            created: Timestamp(milliseconds: row[4]), builtIn: row[5], email: row[6],
            groups: (try? JSONDecoder().decode([String].self, from: Data(groupsText.utf8))) ?? [],
            hasPassword: row[8], lockedUntil: (row[9] as Int64?).map(Timestamp.init(milliseconds:)), language: row[10])
    }

    /// Refuses a change to a built-in user.
    static func refuseBuiltIn(_ name: String, _ what: String, _ db: Database) throws {
        if try Bool.fetchOne(db, sql: "SELECT builtin FROM users WHERE name = ?", arguments: [name]) == true {
            throw StoreError.invalid("user '\(name)' is built-in (the agent itself): it cannot be \(what)")
        }
    }

    /// Resolves who acts: `explicit` (`--as`) if given, else the OS login if registered; refuses
    /// otherwise. The user must be enabled and hold at least `role`.
    public func resolveActor(explicit: String?, osLogin: String?, needs role: Role, action: String) throws -> User {
        let name: String
        if let explicit {
            name = explicit
        } else if let osLogin, try find(osLogin) != nil {
            name = osLogin
        } else {
            throw StoreError.invalid(
                "no acting user: pass --as USER (a registered user)"
                    + (osLogin.map { "; the OS login '\($0)' is not registered" } ?? ""))
        }
        guard let user = try find(name) else { throw StoreError.unknownUser(name) }
        try Self.authorize(user, needs: role, action: action)
        return user
    }

    /// Whether `user` may take an action that needs `role`: a person (not a built-in actor),
    /// enabled, holding at least the role. The one rule of DESIGN decision 5, used by the CLI's
    /// `--as` and by every login over HTTP (a session or an API token, whose role is capped by
    /// its user's — ``APIToken/effectiveRole(of:)``).
    public static func authorize(_ user: User, as role: Role? = nil, needs needed: Role, action: String) throws {
        guard !user.builtIn else {
            throw StoreError.invalid("'\(user.name)' is a built-in actor of the agent itself, not a person: pass --as a registered user")
        }
        guard !user.disabled else { throw StoreError.userDisabled(user.name) }
        let held = min(role ?? user.role, user.role)
        guard held >= needed else { throw StoreError.notAllowed(user.name, role: held, action: action, needs: needed) }
    }

    /// True while no user but the built-in ones exists: the first admin may then be added
    /// without an actor.
    public func isEmpty() throws -> Bool {
        try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE builtin = 0") == 0 }
    }

    /// Adds a user. `actor` is nil only for the very first user, who must be an admin.
    public func add(
        name: String, role: Role, fullName: String?, email: String? = nil, groups: [String] = [], actor: String?
    ) throws -> User {
        guard Self.isValidName(name) else {
            throw StoreError.invalid("invalid user name '\(name)' (letters, digits, '.', '_', '-'; at most 64)")
        }
        if let email { try Self.checkEmail(email) }
        let groups = try Self.checkGroups(groups)
        let now = Timestamp.now
        let user = User(
            name: name, role: role, fullName: fullName, disabled: false, created: now, builtIn: false, email: email, groups: groups)
        var details = ["role": role.rawValue]
        details["email"] = email
        if !groups.isEmpty { details["groups"] = groups.joined(separator: ",") }
        try audit.append(actor: actor ?? name, action: "user.add", object: "user/\(name)", details: details) { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE builtin = 0") ?? 0
            if actor == nil && (count > 0 || role != .admin) {
                throw StoreError.invalid("only the first user may be added without --as, and it must have role admin")
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw StoreError.duplicateUser(name)
            }
            try db.execute(
                sql: "INSERT INTO users(name, role, full_name, disabled, created_ms, email, groups) VALUES (?, ?, ?, 0, ?, ?, ?)",
                arguments: [name, role.rawValue, fullName, now.milliseconds, email, try Self.groupsJSON(groups)])
        }
        return user
    }

    /// Disables (or re-enables) a user; a built-in user is refused.
    public func setDisabled(_ name: String, _ disabled: Bool, actor: String) throws {
        try audit.append(actor: actor, action: disabled ? "user.disable" : "user.enable", object: "user/\(name)", details: [:]) { db in
            try Self.refuseBuiltIn(name, disabled ? "disabled" : "enabled", db)
            try db.execute(sql: "UPDATE users SET disabled = ? WHERE name = ?", arguments: [disabled, name])
            if db.changesCount == 0 { throw StoreError.unknownUser(name) }
            if disabled { try WebSessionTable.endSessions(of: name, db) }
        }
    }

    /// Changes a user's role (`user.role`, with the old and new role); a built-in user is refused.
    public func setRole(_ name: String, _ role: Role, actor: String) throws {
        guard let before = try find(name) else { throw StoreError.unknownUser(name) }
        try audit.append(actor: actor, action: "user.role", object: "user/\(name)", details: ["from": before.role.rawValue, "to": role.rawValue]) { db in
            try Self.refuseBuiltIn(name, "given another role", db)
            try db.execute(sql: "UPDATE users SET role = ? WHERE name = ?", arguments: [role.rawValue, name])
            if db.changesCount == 0 { throw StoreError.unknownUser(name) }
        }
    }

    /// Sets the language the user reads the web pages in (`user.language`; the user's own
    /// choice, made on the pages), or clears it with nil.
    public func setLanguage(_ name: String, _ language: String?, actor: String) throws {
        guard let before = try find(name) else { throw StoreError.unknownUser(name) }
        guard before.language != language else { return }
        try audit.append(
            actor: actor, action: "user.language", object: "user/\(name)",
            details: ["language.before": before.language ?? "", "language.after": language ?? ""]
        ) { db in
            try db.execute(sql: "UPDATE users SET language = ? WHERE name = ?", arguments: [language, name])
            if db.changesCount == 0 { throw StoreError.unknownUser(name) }
        }
    }

    /// Removes a user (`user.remove`); their audit rows stay, naming them. A built-in user is
    /// refused.
    public func remove(_ name: String, actor: String) throws {
        try audit.append(actor: actor, action: "user.remove", object: "user/\(name)", details: [:]) { db in
            try Self.refuseBuiltIn(name, "removed", db)
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.unknownUser(name) }
        }
    }
}
