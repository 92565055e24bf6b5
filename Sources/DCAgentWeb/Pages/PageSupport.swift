public import AgentStore
import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdAuth
import Logging
public import Telemetry

/// A site as the pages show it: id, name, and the time zone its times are read in.
public struct WebSite: Sendable, Equatable {
    public var id: String
    public var name: String
    public var timeZone: String
    public init(id: String, name: String, timeZone: String) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
    }
}

/// A page that cannot be shown: rendered as an error page in the reader's language (never a
/// stack trace, SQL or secret), with the status.
struct PageError: Error {
    var status: HTTPResponse.Status
    /// Translation key of the headline, and the detail (already in the reader's language, or a
    /// CI id / value the reader gave).
    var key: String
    var args: [String: String] = [:]

    static func notFound(_ what: String) -> PageError { PageError(status: .notFound, key: "error_not_found_detail", args: ["what": what]) }
}

/// A form body (`application/x-www-form-urlencoded`), as a browser posts it.
struct FormBody: Sendable {
    var fields: [String: String]

    subscript(_ name: String) -> String? { fields[name] }

    /// The trimmed value, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let v = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    /// Decodes `a=1&b=x+y%21`: `+` is a space, `%XX` a byte; the last of repeated names wins.
    static func parse(_ text: String) -> FormBody {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            fields[name] = value
        }
        return FormBody(fields: fields)
    }

    private static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Reads the request's form (at most ``WebContext/maxBody`` bytes; 413 beyond).
    static func read(_ request: Request, context: WebContext) async throws -> FormBody {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return parse(String(buffer: buffer))
    }
}

/// The pages' shared plumbing: language, login, CSRF in forms, rendering.
struct Pages: Sendable {
    let renderer: PageRenderer
    let sources: WebSources
    let logger: Logger

    static let languageCookie = "DCAGENT_LANG"

    /// The reader's language: `?lang=` (remembered in a cookie, and for a logged-in user in
    /// their account, so it follows them to another browser), else the user's stored choice,
    /// else the cookie, else the agent's default (`http.language`; Indonesian in the demo).
    func language(_ request: Request, _ context: WebContext? = nil) -> Language {
        if let q = request.uri.queryParameters.get("lang").flatMap({ Language(tag: String($0)) }) { return q }
        if let stored = context?.identity?.user.language.flatMap(Language.init(tag:)) { return stored }
        if let c = request.cookies[Self.languageCookie].flatMap({ Language(tag: String($0.value)) }) { return c }
        return sources.language
    }

    /// Keeps a `?lang=` choice in the logged-in user's account.
    func rememberLanguage(_ request: Request, _ context: WebContext) async {
        guard let q = request.uri.queryParameters.get("lang").flatMap({ Language(tag: String($0)) }), let user = context.identity?.user,
            user.language != q.rawValue, case .session = context.identity?.via
        else { return }
        do { try await sources.access.setLanguage(user: user.name, language: q.rawValue) } catch {
            logger.warning("cannot keep the language of \(user.name): \(error)")
        }
    }

    /// The time zone pages show times in: the site's, else the first site's, else UTC.
    func timeZone(site: String? = nil) -> String {
        if let site, let s = sources.sites.first(where: { $0.id == site }) { return s.timeZone }
        return sources.sites.first?.timeZone ?? "UTC"
    }

    /// The page's view of the request, for a logged-in reader; a reader who is not logged in is
    /// sent to the login form, which brings them back.
    func view(_ request: Request, _ context: WebContext, section: String, site: String? = nil) async throws -> PageView {
        let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        guard let identity = context.identity else { throw LoginRedirect(to: path) }
        await rememberLanguage(request, context)
        var csrf: String?
        if case .session(let token) = identity.via { csrf = token }
        return PageView(
            language: language(request, context), user: identity.user.name, role: identity.role.rawValue, csrf: csrf,
            timeZone: timeZone(site: site), section: section, path: path)
    }

    /// A page view for someone not logged in (the login form, error pages).
    func anonymousView(_ request: Request, _ context: WebContext, section: String = "") -> PageView {
        var csrf: String?
        if case .session(let token) = context.identity?.via { csrf = token }
        return PageView(
            language: language(request, context), user: context.identity?.user.name, role: context.identity?.role.rawValue, csrf: csrf,
            timeZone: timeZone(), section: section, path: request.uri.path)
    }

    /// The translated text.
    func t(_ key: String, _ page: PageView, _ args: [String: String] = [:]) -> String {
        renderer.translations.text(key, page.language, args)
    }

    /// A rendered page; with `?lang=` the choice is remembered in a cookie for a year.
    func render(_ template: String, _ page: PageView, _ request: Request, title: String, status: HTTPResponse.Status = .ok, _ data: [String: Any])
        -> Response
    {
        var response = renderer.response(template, page: page, title: title, data: data, status: status)
        if let q = request.uri.queryParameters.get("lang"), let l = Language(tag: String(q)) {
            response.setCookie(.init(name: Self.languageCookie, value: l.rawValue, maxAge: 365 * 86_400, path: "/", secure: sources.secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// A form post's acting person: logged in, the form's `_csrf` field equal to the session's
    /// token, and at least `role` — the same rule as the API's (``UserRepository/authorize``);
    /// a refusal is audited as `access.denied`.
    func requireForm(_ role: Role, to action: String, _ form: FormBody, _ request: Request, _ context: WebContext) async throws -> WebIdentity {
        guard let identity = context.identity else { throw LoginRedirect(to: request.uri.path) }
        guard case .session(let csrf) = identity.via, let sent = form["_csrf"], AuthMiddleware.constantTimeEqual(sent, csrf) else {
            throw PageError(status: .forbidden, key: "error_csrf")
        }
        do {
            try UserRepository.authorize(identity.user, as: identity.role, needs: role, action: action)
        } catch let e as StoreError {
            try? await sources.access.recordDenied(
                user: identity.user.name, action: action, path: "\(request.method) \(request.uri.path)", channel: identity.channel)
            throw PageError(status: .forbidden, key: "error_forbidden", args: ["reason": e.message])
        }
        return identity
    }

    /// 303 See Other to a path of this server (a form post's answer).
    static func seeOther(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: safeLocalPath(path)])
    }

    /// `path` when it is a path of this server (`/…`, not `//host`), else `/`: a `next=` from a
    /// link must never send a person to another site.
    static func safeLocalPath(_ path: String) -> String {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.hasPrefix("/\\"), !path.contains("\r"), !path.contains("\n") else { return "/" }
        return path
    }

    /// Percent-encodes a query value.
    static func query(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~/"))) ?? ""
    }
}

/// Not logged in: the login form, then back here.
struct LoginRedirect: Error {
    var to: String
}

/// Turns a page's failures into pages: not logged in → the login form; unknown paths and ids →
/// a 404 page in the reader's language; anything else → an error page that says what to do,
/// with the cause in the agent's log only. API paths pass through (their errors are JSON).
struct PageErrorMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let pages: Pages

    static func isPagePath(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path == "/api" || path == "/healthz" || path == "/readyz" || path == "/metrics" || path.hasPrefix("/static/"))
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard Self.isPagePath(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let r as LoginRedirect {
            return Pages.seeOther("/login?next=" + Pages.query(r.to))
        } catch let e as PageError {
            return errorPage(request, context, status: e.status, key: e.key, args: e.args)
        } catch let e as APIError {
            return errorPage(request, context, status: e.status, key: e.status == .notFound ? "error_not_found_detail" : "error_detail", args: ["what": request.uri.path, "reason": e.message])
        } catch let e as HTTPError where e.status == .notFound {
            return errorPage(request, context, status: .notFound, key: "error_not_found_detail", args: ["what": request.uri.path])
        } catch let e as HTTPError {
            return errorPage(request, context, status: e.status, key: "error_detail", args: ["reason": e.status.reasonPhrase])
        } catch {
            pages.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return errorPage(request, context, status: .internalServerError, key: "error_internal", args: [:])
        }
    }

    func errorPage(_ request: Request, _ context: WebContext, status: HTTPResponse.Status, key: String, args: [String: String]) -> Response {
        let page = pages.anonymousView(request, context)
        let headline = pages.t(status == .notFound ? "error_not_found" : status == .forbidden ? "error_forbidden_title" : "error_title", page)
        return pages.render(
            "error", page, request, title: headline, status: status,
            ["headline": headline, "detail": pages.t(key, page, args), "status": Int(status.code)])
    }
}
