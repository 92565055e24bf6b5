public import AgentStore
public import Hummingbird
public import HummingbirdAuth
public import Logging
import HTTPTypes

/// The request context of every route: who is logged in (``identity``) and the session, if any.
public struct WebContext: AuthRequestContext, SessionRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: WebIdentity?
    public let sessions: SessionContext<WebSession>
    /// The peer's address, for the audit trail (`via`).
    public let peer: String

    /// The largest request body read; a larger one is answered 413.
    public var maxUploadSize: Int { WebContext.maxBody }
    public static let maxBody = 64 * 1024

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.sessions = .init()
        self.peer = source.channel.remoteAddress.map { "\($0)" } ?? "http"
    }
}

/// What a login session keeps (as JSON in `web_sessions`): the user and the session's CSRF token.
/// The role is not kept: it is read from the user on every request, so a role change or a
/// disable counts at once.
public struct WebSession: Codable, Sendable, Equatable {
    public var user: String
    /// Sent back in `X-CSRF-Token` with every state-changing request of this session.
    public var csrf: String
    /// When the login happened (Unix milliseconds).
    public var created: Int64
}

/// Who makes a request, and how they proved it.
public struct WebIdentity: Sendable {
    public enum Via: Sendable, Equatable {
        /// A session cookie; `csrf` is the session's token.
        case session(csrf: String)
        /// An API token (its id).
        case token(id: String)
    }
    public var user: User
    /// The role the request acts with: the user's, capped by a token's.
    public var role: Role
    public var via: Via

    /// How the audit trail names the channel: `session` or `token:<id>`.
    public var channel: String {
        switch via {
        case .session: "session"
        case .token(let id): "token:\(id)"
        }
    }
}

extension WebContext {
    /// The identity acting with at least `role`: 401 without a login; 403 `csrf` for a
    /// state-changing request of a session without the session's CSRF token in `X-CSRF-Token`;
    /// 403 `forbidden` (audited as `access.denied`) with too low a role, through the one rule of
    /// ``UserRepository/authorize(_:as:needs:action:)``. Every route that changes data calls it.
    func require(_ role: Role, to action: String, access: any AccessControl, request: Request) async throws -> WebIdentity {
        guard let identity else {
            throw APIError(.unauthorized, code: "login_required", message: "log in (POST \(WebRoutes.apiBase)/session) or send an API token to \(action)")
        }
        try checkCSRF(request)
        do {
            try UserRepository.authorize(identity.user, as: identity.role, needs: role, action: action)
        } catch let e as StoreError {
            try? await access.recordDenied(
                user: identity.user.name, action: action, path: "\(request.method) \(request.uri.path)", channel: identity.channel)
            throw APIError(.forbidden, code: "forbidden", message: e.message)
        }
        return identity
    }
}

extension WebContext {
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// A state-changing request of a login session must carry the session's CSRF token.
    func checkCSRF(_ request: Request) throws {
        guard case .session(let csrf) = identity?.via, AuthMiddleware.changesState(request.method) else { return }
        guard let sent = request.headers[Self.csrfHeader], AuthMiddleware.constantTimeEqual(sent, csrf) else {
            throw APIError(
                .forbidden, code: "csrf",
                message: "a state-changing request of a login session needs the session's CSRF token in X-CSRF-Token (GET \(WebRoutes.apiBase)/session tells it)",
                field: "X-CSRF-Token")
        }
    }
}
