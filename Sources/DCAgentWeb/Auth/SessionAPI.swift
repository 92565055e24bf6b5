import AgentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Telemetry

/// `/api/v1/session`: log in (POST, user and password → a session cookie and its CSRF token),
/// who am I (GET), log out (DELETE). `/api/v1/tokens`: API tokens, for admins.
struct SessionAPI: Sendable {
    let access: any AccessControl
    let sessionLifetime: Duration

    struct LoginRequest: Decodable {
        var user: String
        var password: String
    }

    /// The answer to a login and to GET: who is logged in and how.
    struct SessionView: Codable, Equatable {
        var user: String
        @Nullable var fullName: String?
        var role: String
        /// `session` or `token`.
        var via: String
        /// The CSRF token to send in `X-CSRF-Token` (sessions only).
        @Nullable var csrfToken: String?
        /// The API token's id (tokens only).
        @Nullable var tokenId: String?
    }

    func register(on api: RouterGroup<WebContext>) {
        api.post("session", use: login)
        api.get("session", use: current)
        api.delete("session", use: logout)
    }

    @Sendable func login(_ request: Request, context: WebContext) async throws -> Response {
        let body = try await RequestBody.decode(LoginRequest.self, from: request, context: context)
        let via = context.peer
        switch try await access.login(body.user, password: body.password, via: via) {
        case .refused:
            throw APIError(.unauthorized, code: "login_failed", message: "unknown user or wrong password")
        case .lockedOut(let until):
            throw APIError(
                .unauthorized, code: "locked_out",
                message: "too many failed logins: this user is locked out until \(until); an admin can clear it by setting a new password")
        case .success(let user):
            // A login always starts a new session (a session id known before the login is never promoted).
            if context.sessions.session != nil, let old = request.cookies["DCAGENT_SESSION"]?.value {
                try? await access.sessionStore.remove(key: "s." + String(old))
            }
            let session = WebSession(user: user.name, csrf: SecretText.randomBase64URL(bytes: 32), created: Timestamp.now.milliseconds)
            context.sessions.createSession(session, expiresIn: sessionLifetime)
            var view = SessionView(user: user.name, role: user.role.rawValue, via: "session")
            (view.fullName, view.csrfToken) = (user.fullName, session.csrf)
            return try WebJSON.response(view)
        }
    }

    @Sendable func current(_ request: Request, context: WebContext) async throws -> Response {
        guard let identity = context.identity else {
            throw APIError(.unauthorized, code: "login_required", message: "not logged in")
        }
        var view = SessionView(user: identity.user.name, role: identity.role.rawValue, via: "session")
        view.fullName = identity.user.fullName
        switch identity.via {
        case .session(let csrf): view.csrfToken = csrf
        case .token(let id): (view.via, view.tokenId) = ("token", id)
        }
        return try WebJSON.response(view)
    }

    @Sendable func logout(_ request: Request, context: WebContext) async throws -> Response {
        guard let identity = context.identity, case .session = identity.via else {
            throw APIError(.unauthorized, code: "login_required", message: "no login session to end (API tokens are revoked, not logged out)")
        }
        try context.checkCSRF(request)
        try await access.recordLogout(identity.user.name, via: context.peer)
        context.sessions.clearSession()
        return Response(status: .noContent)
    }
}

/// `/api/v1/tokens`: list, create (the secret is in this one answer only) and revoke API
/// tokens; admins only.
struct TokensAPI: Sendable {
    let access: any AccessControl

    struct CreateRequest: Decodable {
        var name: String
        var role: String
        /// The user it acts as; the creating admin when absent.
        var user: String?
        /// Days until it expires; never when absent.
        var expiresInDays: Int?
    }

    struct TokenView: Codable, Equatable {
        var id: String
        var name: String
        var user: String
        var role: String
        var created: String
        var createdBy: String
        @Nullable var expires: String?
        @Nullable var revoked: String?
        @Nullable var revokedBy: String?
        @Nullable var lastUsed: String?

        init(_ t: APIToken) {
            (id, name, user, role, created, createdBy) = (t.id, t.name, t.user, t.role.rawValue, "\(t.created)", t.createdBy)
            (expires, revoked, revokedBy, lastUsed) = (t.expires.map { "\($0)" }, t.revoked.map { "\($0)" }, t.revokedBy, t.lastUsed.map { "\($0)" })
        }
    }

    struct TokenList: Codable { var tokens: [TokenView] }

    struct Created: Codable {
        var token: TokenView
        /// The secret to send as `Authorization: Bearer …`; never shown again.
        var secret: String
    }

    func register(on api: RouterGroup<WebContext>) {
        api.get("tokens", use: list)
        api.post("tokens", use: create)
        api.delete("tokens/:id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        _ = try await context.require(.admin, to: "list API tokens", access: access, request: request)
        return try WebJSON.response(TokenList(tokens: try await access.tokens().map(TokenView.init)))
    }

    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let admin = try await context.require(.admin, to: "create API tokens", access: access, request: request)
        let body = try await RequestBody.decode(CreateRequest.self, from: request, context: context)
        guard let role = Role(rawValue: body.role) else {
            throw APIError.badParameter("role", "role '\(body.role)': one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let days = body.expiresInDays, !(1...3650).contains(days) {
            throw APIError.badParameter("expires_in_days", "expires_in_days \(days): between 1 and 3650")
        }
        let owner = body.user ?? admin.user.name
        guard try await access.user(named: owner) != nil else {
            throw APIError.badParameter("user", "user '\(owner)' is not registered")
        }
        let expires = body.expiresInDays.map { Timestamp.now.adding(seconds: Double($0) * 86_400) }
        do {
            let (token, secret) = try await access.createToken(
                name: body.name, user: owner, role: role, expires: expires, actor: admin.user.name, channel: admin.channel)
            return try WebJSON.response(Created(token: TokenView(token), secret: secret), status: .created)
        } catch let e as StoreError where e.code == .invalid {
            throw APIError(.badRequest, code: "bad_body", message: e.message, field: e.message.contains("role") ? "role" : "name")
        }
    }

    @Sendable func revoke(_ request: Request, context: WebContext) async throws -> Response {
        let admin = try await context.require(.admin, to: "revoke API tokens", access: access, request: request)
        let id = context.parameters.get("id") ?? ""
        guard let token = try await access.tokens().first(where: { $0.id == id }) else {
            throw APIError.notFound("no API token has id '\(id)'")
        }
        if token.revoked != nil {
            throw APIError(.conflict, code: "already_revoked", message: "API token \(id) was revoked already (\(token.revoked!))")
        }
        try await access.revokeToken(id, actor: admin.user.name, channel: admin.channel)
        return Response(status: .noContent)
    }
}
