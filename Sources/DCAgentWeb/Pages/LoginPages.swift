import AgentStore
import Foundation
import Hummingbird
import HummingbirdAuth
import Telemetry

/// `GET /login` (the form), `POST /login` (user and password → a session, then back to
/// `next`), `POST /logout`. The same logins, lockouts and sessions as `/api/v1/session`.
extension Pages {
    func registerLogin(on router: Router<WebContext>) {
        router.get("/login") { request, context -> Response in
            let page = anonymousView(request, context, section: "login")
            return loginForm(request, page, next: request.uri.queryParameters.get("next").map { String($0) } ?? "/", user: "", error: nil)
        }
        router.post("/login") { request, context -> Response in
            let form = try await FormBody.read(request, context: context)
            let page = anonymousView(request, context, section: "login")
            let next = Self.safeLocalPath(form["next"] ?? "/")
            guard let user = form.text("user"), let password = form["password"], !password.isEmpty else {
                return loginForm(request, page, next: next, user: form["user"] ?? "", error: t("login_missing", page), status: .badRequest)
            }
            switch try await sources.access.login(user, password: password, via: context.peer) {
            case .refused:
                return loginForm(request, page, next: next, user: user, error: t("login_refused", page), status: .unauthorized)
            case .lockedOut(let until):
                return loginForm(request, page, next: next, user: user, error: t("login_locked", page, ["until": page.time(until)]), status: .unauthorized)
            case .success(let u):
                if context.sessions.session != nil, let old = request.cookies[WebRoutes.sessionCookie]?.value {
                    try? await sources.access.sessionStore.remove(key: "s." + String(old))
                }
                let session = WebSession(user: u.name, csrf: SecretText.randomBase64URL(bytes: 32), created: Timestamp.now.milliseconds)
                context.sessions.createSession(session, expiresIn: sources.sessionLifetime)
                return Self.seeOther(next)
            }
        }
        router.post("/logout") { request, context -> Response in
            let form = try await FormBody.read(request, context: context)
            if let identity = context.identity, case .session(let csrf) = identity.via, let sent = form["_csrf"],
                AuthMiddleware.constantTimeEqual(sent, csrf)
            {
                try await sources.access.recordLogout(identity.user.name, via: context.peer)
                context.sessions.clearSession()
            }
            return Self.seeOther("/login")
        }
    }

    func loginForm(_ request: Request, _ page: PageView, next: String, user: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        var data: [String: Any] = ["next": Self.safeLocalPath(next), "login_user": user]
        if let error { data["error"] = error }
        return render("login", page, request, title: t("login_title", page), status: status, data)
    }
}
