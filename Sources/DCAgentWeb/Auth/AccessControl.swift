public import AgentStore
import Foundation
public import Hummingbird
import NIOPosix
public import Telemetry

/// What logins need from a store: users, their passwords and lockouts, API tokens, the sessions
/// table, and the audit of access. A site agent's ``SiteStore`` provides it; the central
/// console (issue 21) will provide its own.
public protocol AccessControl: Sendable {
    func login(_ name: String, password: String, via: String) async throws -> LoginOutcome
    func recordLogout(_ name: String, via: String) async throws
    func user(named: String) async throws -> User?
    func authenticate(token: String, via: String) async throws -> (APIToken, User)?
    func tokens() async throws -> [APIToken]
    func createToken(name: String, user: String, role: Role, expires: Timestamp?, actor: String, channel: String) async throws -> (APIToken, secret: String)
    func revokeToken(_ id: String, actor: String, channel: String) async throws
    func recordDenied(user: String, action: String, path: String, channel: String) async throws
    func recordTokenUse(user: String, token: String, request: String, status: Int) async throws
    /// Keeps the language a user chose for the pages (`id`, `en`).
    func setLanguage(user: String, language: String) async throws
    /// Where sessions are kept.
    var sessionStore: any PersistDriver { get }
}

/// The store's calls are synchronous (SQLite, bcrypt): they run on NIO's blocking thread pool,
/// never on the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}

/// ``AccessControl`` over a site agent's SQLite store.
public struct SiteAccess: AccessControl {
    let store: SiteStore
    let policy: LoginPolicy

    public init(store: SiteStore, policy: LoginPolicy = .init()) {
        self.store = store
        self.policy = policy
    }

    public func login(_ name: String, password: String, via: String) async throws -> LoginOutcome {
        let (store, policy) = (store, policy)
        return try await offPool { try store.users.login(name, password: password, via: via, policy: policy) }
    }

    public func recordLogout(_ name: String, via: String) async throws {
        let store = store
        try await offPool { try store.users.recordLogout(name, via: via) }
    }

    public func user(named name: String) async throws -> User? {
        let store = store
        return try await offPool { try store.users.find(name) }
    }

    public func authenticate(token: String, via: String) async throws -> (APIToken, User)? {
        let store = store
        return try await offPool { try store.tokens.authenticate(token, via: via) }
    }

    public func tokens() async throws -> [APIToken] {
        let store = store
        return try await offPool { try store.tokens.list() }
    }

    public func createToken(name: String, user: String, role: Role, expires: Timestamp?, actor: String, channel: String) async throws
        -> (APIToken, secret: String)
    {
        let store = store
        return try await offPool { try store.tokens.create(name: name, user: user, role: role, expires: expires, actor: actor, via: channel) }
    }

    public func revokeToken(_ id: String, actor: String, channel: String) async throws {
        let store = store
        try await offPool { try store.tokens.revoke(id, actor: actor, via: channel) }
    }

    public func recordDenied(user: String, action: String, path: String, channel: String) async throws {
        let store = store
        try await offPool {
            try store.audit.append(
                actor: user, action: "access.denied", object: "http", details: ["action": action, "request": path, "via": channel])
        }
    }

    public func recordTokenUse(user: String, token: String, request: String, status: Int) async throws {
        let store = store
        try await offPool {
            try store.audit.append(
                actor: user, action: "token.use", object: "token/\(token)", details: ["request": request, "status": "\(status)"])
        }
    }

    public func setLanguage(user: String, language: String) async throws {
        let store = store
        try await offPool { try store.users.setLanguage(user, language, actor: user) }
    }

    public var sessionStore: any PersistDriver { SessionPersistence(table: store.sessions) }
}

/// hummingbird-auth's session storage over the store's `web_sessions` table.
struct SessionPersistence: PersistDriver {
    let table: WebSessionTable

    private func expiry(_ d: Duration?) -> Timestamp? { d.map { Timestamp.now.adding(seconds: $0.inSeconds) } }

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        if try await table.exists(key) { throw PersistError.duplicate }
        try await set(key: key, value: value, expires: expires ?? .seconds(3600))
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await table.set(key, data: try JSONEncoder().encode(value), expires: expiry(expires))
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: Object.self)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let (data, expires) = try await table.get(key) else { return nil }
        guard let object = try? JSONDecoder().decode(Object.self, from: data) else { throw PersistError.invalidConversion }
        return (object, .milliseconds(expires.milliseconds - Timestamp.now.milliseconds))
    }

    func remove(key: String) async throws { try await table.remove(key) }
}

/// No users to log in: every login answers 503, so nothing can change data.
public struct NoLogins: AccessControl {
    public init() {}
    static var unavailable: APIError {
        APIError(.serviceUnavailable, code: "logins_unavailable", message: "this server has no user store: logins are not available")
    }
    public func login(_ name: String, password: String, via: String) async throws -> LoginOutcome { throw Self.unavailable }
    public func recordLogout(_ name: String, via: String) async throws {}
    public func user(named: String) async throws -> User? { nil }
    public func authenticate(token: String, via: String) async throws -> (APIToken, User)? { nil }
    public func tokens() async throws -> [APIToken] { throw Self.unavailable }
    public func createToken(name: String, user: String, role: Role, expires: Timestamp?, actor: String, channel: String) async throws
        -> (APIToken, secret: String)
    { throw Self.unavailable }
    public func revokeToken(_ id: String, actor: String, channel: String) async throws { throw Self.unavailable }
    public func recordDenied(user: String, action: String, path: String, channel: String) async throws {}
    public func recordTokenUse(user: String, token: String, request: String, status: Int) async throws {}
    public func setLanguage(user: String, language: String) async throws {}
    public var sessionStore: any PersistDriver { MemoryPersistDriver() }
}
