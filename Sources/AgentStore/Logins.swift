import Foundation
import GRDB
import HummingbirdBcrypt
import Synchronization
public import Telemetry

/// How logins are guarded: the bcrypt cost and the lockout after repeated failures.
public struct LoginPolicy: Sendable, Equatable {
    /// Failed attempts in a row that lock a user out.
    public var maxFailures: Int = 5
    /// How long a lockout lasts.
    public var lockout: Duration = .seconds(15 * 60)
    /// bcrypt's cost (2^cost rounds) for new hashes and for the decoy an unknown user is checked
    /// against: 12 takes about a quarter of a second on our machines. A hash keeps the cost it
    /// was made with.
    public var bcryptCost: UInt8 = 12
    /// The shortest password accepted.
    public var minimumPasswordLength: Int = 12

    public init() {}
}

/// The answer to a login attempt. Every attempt is in the audit trail (`login.success`,
/// `login.failure` with its reason, `login.lockout`).
public enum LoginOutcome: Sendable, Equatable {
    /// The password matched; the user may act with their role.
    case success(User)
    /// Unknown user, wrong password, no password set, a disabled or built-in user: one answer
    /// for all, so a caller cannot tell which names exist.
    case refused
    /// Too many failures: refused until the given time, whatever the password.
    case lockedOut(until: Timestamp)
}

extension UserRepository {
    /// Validates an e-mail address well enough to catch typing mistakes (one `@`, a dot in the
    /// domain, no spaces).
    static func checkEmail(_ email: String) throws {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.contains(where: \.isWhitespace), email.count <= 254
        else { throw StoreError.invalid("invalid e-mail address '\(email)'") }
    }

    /// Checks and sorts on-call group names (the same characters as user names).
    static func checkGroups(_ groups: [String]) throws -> [String] {
        for g in groups where !isValidName(g) {
            throw StoreError.invalid("invalid group name '\(g)' (letters, digits, '.', '_', '-'; at most 64)")
        }
        return Array(Set(groups)).sorted()
    }

    static func groupsJSON(_ groups: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(groups), as: UTF8.self)
    }

    /// Sets (or replaces) a user's password, stored as a bcrypt hash (`user.passwd`; the audit
    /// row never holds the password or its hash). Clears a lockout and ends the user's web
    /// sessions. A built-in user is refused.
    public func setPassword(_ name: String, to password: String, actor: String, policy: LoginPolicy = .init()) throws {
        guard password.count >= policy.minimumPasswordLength else {
            throw StoreError.invalid("the password is too short: at least \(policy.minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 72 else {
            throw StoreError.invalid("the password is too long: bcrypt uses at most 72 bytes")
        }
        let hash = Bcrypt.hash(password, cost: policy.bcryptCost)
        try audit.append(actor: actor, action: "user.passwd", object: "user/\(name)", details: [:]) { db in
            try Self.refuseBuiltIn(name, "given a password", db)
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until_ms = NULL WHERE name = ?",
                arguments: [hash, name])
            if db.changesCount == 0 { throw StoreError.unknownUser(name) }
            try WebSessionTable.endSessions(of: name, db)
        }
    }

    /// Changes a user's e-mail and on-call groups (`user.contact`).
    public func setContact(_ name: String, email: String?, groups: [String], actor: String) throws {
        if let email { try Self.checkEmail(email) }
        let groups = try Self.checkGroups(groups)
        var details = ["groups": groups.joined(separator: ",")]
        details["email"] = email
        try audit.append(actor: actor, action: "user.contact", object: "user/\(name)", details: details) { db in
            try Self.refuseBuiltIn(name, "given contact details", db)
            try db.execute(
                sql: "UPDATE users SET email = ?, groups = ? WHERE name = ?", arguments: [email, try Self.groupsJSON(groups), name])
            if db.changesCount == 0 { throw StoreError.unknownUser(name) }
        }
    }

    /// A bcrypt hash of nothing anyone knows, per cost, checked when the user does not exist so
    /// that an unknown name takes as long to refuse as a wrong password.
    private static let decoys = Mutex<[UInt8: String]>([:])

    private static func decoy(cost: UInt8) -> String {
        if let d = decoys.withLock({ $0[cost] }) { return d }
        let d = Bcrypt.hash(UUID().uuidString, cost: cost)
        decoys.withLock { $0[cost] = d }
        return d
    }

    /// Checks a login (`via` says where it came from, `http` or a peer address) and records it:
    /// a success clears the failure count; a failure counts, and the `maxFailures`-th in a row
    /// locks the user out for `lockout`. The password is checked outside the write transaction
    /// (bcrypt is slow on purpose); call this off the cooperative thread pool.
    public func login(_ name: String, password: String, via: String, now: Timestamp = .now, policy: LoginPolicy = .init()) throws
        -> LoginOutcome
    {
        let stored = try database.writer.read { db -> (User, String?)? in
            guard let user = try Self.find(name, db) else { return nil }
            return (user, try String.fetchOne(db, sql: "SELECT password_hash FROM users WHERE name = ?", arguments: [name]))
        }
        let objectName = Self.isValidName(name) ? name : "(invalid name)"
        func refuse(_ reason: String) throws -> LoginOutcome {
            try audit.append(
                actor: objectName, action: "login.failure", object: "user/\(objectName)", details: ["reason": reason, "via": via])
            return .refused
        }
        guard let (user, hash) = stored else {
            _ = Bcrypt.verify(password, hash: Self.decoy(cost: policy.bcryptCost))
            return try refuse("unknown user")
        }
        if let until = user.lockedUntil, until > now {
            try audit.append(
                actor: name, action: "login.failure", object: "user/\(name)",
                details: ["reason": "locked out until \(until)", "via": via])
            return .lockedOut(until: until)
        }
        guard let hash else {
            _ = Bcrypt.verify(password, hash: Self.decoy(cost: policy.bcryptCost))
            return try refuse("no password set")
        }
        let matches = Bcrypt.verify(password, hash: hash)
        if matches && !user.disabled && !user.builtIn {
            try audit.append(actor: name, action: "login.success", object: "user/\(name)", details: ["via": via]) { db in
                try db.execute(sql: "UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE name = ?", arguments: [name])
            }
            return .success(user)
        }
        if matches { return try refuse(user.builtIn ? "built-in user" : "user disabled") }
        var lockedUntil: Timestamp?
        try audit.append(actor: name, action: "login.failure", object: "user/\(name)") { db in
            let failures = (try Int.fetchOne(db, sql: "SELECT failed_logins FROM users WHERE name = ?", arguments: [name]) ?? 0) + 1
            if failures >= policy.maxFailures {
                lockedUntil = now.adding(seconds: policy.lockout.inSeconds)
                try db.execute(
                    sql: "UPDATE users SET failed_logins = 0, locked_until_ms = ? WHERE name = ?",
                    arguments: [lockedUntil!.milliseconds, name])
            } else {
                try db.execute(sql: "UPDATE users SET failed_logins = ? WHERE name = ?", arguments: [failures, name])
            }
            return ["reason": "wrong password", "failures": "\(failures)", "via": via]
        }
        if let lockedUntil {
            try audit.append(
                actor: name, action: "login.lockout", object: "user/\(name)",
                details: ["until": "\(lockedUntil)", "after_failures": "\(policy.maxFailures)", "via": via])
            return .lockedOut(until: lockedUntil)
        }
        return .refused
    }

    /// Records a logout (`logout`).
    public func recordLogout(_ name: String, via: String) throws {
        try audit.append(actor: name, action: "logout", object: "user/\(name)", details: ["via": via])
    }
}
