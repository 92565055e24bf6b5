import AgentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging

/// Finds who makes a request: an `Authorization: Bearer` API token, else the session cookie.
/// A token that does not authenticate is refused with 401 at once (whatever the route), so a
/// script with a revoked token fails loudly instead of reading as anonymous. Each
/// state-changing request made with a token is audited (`token.use`). What a route needs — a
/// login, the CSRF token of a session, a role — it asks with ``WebContext/require(_:to:access:request:)``.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let access: any AccessControl
    let logger: Logger

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options].contains(method)
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.peer
        if request.headers[.authorization] != nil {
            guard let bearer = request.headers.bearer else {
                throw APIError(
                    .unauthorized, code: "invalid_token", message: "the Authorization header must be 'Bearer <API token>'",
                    field: "Authorization")
            }
            guard let (token, user) = try await access.authenticate(token: bearer.token, via: peer) else {
                var e = APIError(
                    .unauthorized, code: "invalid_token", message: "the API token is unknown, revoked or expired, or its user is disabled",
                    field: "Authorization")
                e.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
                throw e
            }
            context.identity = WebIdentity(user: user, role: token.effectiveRole(of: user), via: .token(id: token.id))
            guard Self.changesState(request.method) else { return try await next(request, context) }
            let record = { (status: Int) in
                try? await access.recordTokenUse(
                    user: user.name, token: token.id, request: "\(request.method) \(request.uri.path)", status: status)
            }
            do {
                let response = try await next(request, context)
                await record(response.status.code)
                return response
            } catch {
                await record((error as? APIError)?.status.code ?? (error as? any HTTPResponseError)?.status.code ?? 500)
                throw error
            }
        }
        if let session = context.sessions.session {
            if let user = try await access.user(named: session.user), !user.disabled, !user.builtIn {
                context.identity = WebIdentity(user: user, role: user.role, via: .session(csrf: session.csrf))
            } else {
                // The user was removed or disabled since the login: the session ends.
                context.sessions.clearSession()
            }
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Headers on every answer: a Content-Security-Policy that allows no inline script, no
/// sniffing, no referrer beyond this origin, no framing, no caching of API answers, and HSTS
/// when the server speaks TLS.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let tls: Bool

    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        if request.uri.path.hasPrefix("/api/") && response.headers[.cacheControl] == nil {
            response.headers[.cacheControl] = "no-store"
        }
        if tls { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        return response
    }
}
