import AgentStore
import DCAgentWeb
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Telemetry
import TestSupport
import Testing

/// Logins over HTTP in process (issue 11): sessions with their cookie and CSRF token, API
/// tokens, lockout, the refusals in the one error shape, audited, and the headers on every answer.
@Suite("Web logins: sessions, CSRF, tokens, refusals, headers", .serialized, .timeLimit(.minutes(2)))
struct AuthRoutesTests {
    static let password = "correct horse battery"

    final class Rig: Sendable {
        let dir: String
        let store: SiteStore
        let commits = CommitSignals()

        init() throws {
            dir = NSTemporaryDirectory() + "dcagent-auth-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            store = try SiteStore(
                path: dir + "/a.sqlite", auditKeyFile: dir + "/audit.key", auditAnchorFile: dir + "/audit.anchor", logger: Logger(label: "t"))
            var fast = LoginPolicy()
            fast.bcryptCost = 4
            _ = try store.users.add(name: "ana", role: .admin, fullName: "Ana Admin", actor: nil)
            try store.users.setPassword("ana", to: AuthRoutesTests.password, actor: "ana", policy: fast)
            for (name, role) in [("vic", Role.viewer), ("ops", .operator_)] {
                _ = try store.users.add(name: name, role: role, fullName: nil, actor: "ana")
                try store.users.setPassword(name, to: AuthRoutesTests.password, actor: "ana", policy: fast)
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func app(tls: Bool = false, access: (any AccessControl)? = nil) -> some ApplicationProtocol {
            let commits = self.commits
            var sources = WebSources(status: FixedStatus(), events: store.events, commits: { commits.subscribe() })
            var policy = LoginPolicy()
            policy.maxFailures = 3
            sources.access = access ?? SiteAccess(store: store, policy: policy)
            sources.eventActions = store.eventActions
            sources.tls = tls
            return Application(router: WebRoutes.router(sources, logger: Logger(label: "auth-test")))
        }

        func audit(_ action: String) throws -> [AuditTrail.Entry] {
            try store.audit.entries(limit: 500).filter { $0.action == action }
        }
    }

    static let json: HTTPFields = [.contentType: "application/json"]

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    /// The body as a JSON object (empty, and the test fails, when it is not one).
    static func object(_ r: TestResponse) -> [String: Any] {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8))) as? [String: Any] else {
            Issue.record("not a JSON object: \(String(buffer: r.body))")
            return [:]
        }
        return o
    }

    /// The error's (code, field), checking the one shape.
    static func error(_ r: TestResponse) -> (code: String, field: String?) {
        guard let e = object(r)["error"] as? [String: Any], let code = e["code"] as? String else {
            Issue.record("not an error: \(String(buffer: r.body))")
            return ("?", nil)
        }
        #expect(e.keys.sorted() == ["code", "field", "message"])
        return (code, e["field"] as? String)
    }

    /// Logs in; returns the `Cookie` header value and the CSRF token.
    static func login(_ client: some TestClientProtocol, _ user: String) async throws -> (cookie: String, csrf: String) {
        try await client.execute(
            uri: "/api/v1/session", method: .post, headers: json, body: body(#"{"user":"\#(user)","password":"\#(password)"}"#)
        ) { r in
            #expect(r.status == .ok, "\(String(buffer: r.body))")
            let setCookie = try #require(r.headers[.setCookie])
            let pair = try #require(setCookie.split(separator: ";").first).trimmingCharacters(in: .whitespaces)
            return (pair, try #require(try object(r)["csrf_token"] as? String))
        }
    }

    static func createToken(
        _ client: some TestClientProtocol, auth: HTTPFields, role: String = "viewer", user: String? = nil
    ) async throws -> TestResponse {
        var headers = json
        headers.append(contentsOf: auth)
        let userField = user.map { #","user":"\#($0)""# } ?? ""
        return try await client.execute(
            uri: "/api/v1/tokens", method: .post, headers: headers, body: body(#"{"name":"test","role":"\#(role)"\#(userField)}"#))
    }

    @Test("a login sets a Secure HttpOnly SameSite=Strict cookie; a state change needs its CSRF token; logout ends it; all audited")
    func sessionFlow() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            try await client.execute(
                uri: "/api/v1/session", method: .post, headers: Self.json, body: Self.body(#"{"user":"ana","password":"\#(Self.password)"}"#)
            ) { r in
                #expect(r.status == .ok)
                let cookie = try #require(r.headers[.setCookie])
                for attribute in ["DCAGENT_SESSION=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
                    #expect(cookie.contains(attribute), "\(cookie)")
                }
                let o = Self.object(r)
                #expect(o["user"] as? String == "ana" && o["role"] as? String == "admin" && o["via"] as? String == "session")
                #expect(String(buffer: r.body).contains(Self.password) == false)
            }
            let (cookie, csrf) = try await Self.login(client, "ana")
            let session: HTTPFields = [.cookie: cookie]
            try await client.execute(uri: "/api/v1/session", method: .get, headers: session) { r in
                #expect(r.status == .ok && (Self.object(r)["csrf_token"] as? String) == csrf)
            }
            // No CSRF token, a stale one (another session's), then the right one.
            let missing = try await Self.createToken(client, auth: session)
            #expect(missing.status == .forbidden && (Self.error(missing)) == ("csrf", "X-CSRF-Token"))
            let (_, otherCSRF) = try await Self.login(client, "ana")
            let stale = try await Self.createToken(client, auth: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: otherCSRF])
            #expect(stale.status == .forbidden && (Self.error(stale)).code == "csrf")
            let made = try await Self.createToken(client, auth: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf])
            #expect(made.status == .created, "\(String(buffer: made.body))")
            #expect((Self.object(made)["secret"] as? String)?.hasPrefix("dcagent_") == true)
            // Logout needs the CSRF token too; then the cookie is expired and the session gone.
            try await client.execute(uri: "/api/v1/session", method: .delete, headers: session) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/v1/session", method: .delete, headers: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf]
            ) { r in
                #expect(r.status == .noContent)
                #expect(r.headers[.setCookie]?.contains("Expires=") == true)
            }
            try await client.execute(uri: "/api/v1/session", method: .get, headers: session) { r in
                #expect(r.status == .unauthorized && (Self.error(r)).code == "login_required")
            }
            let after = try await Self.createToken(client, auth: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf])
            #expect(after.status == .unauthorized && (Self.error(after)).code == "login_required")
        }
        #expect(try rig.audit("login.success").count == 3)
        #expect(try rig.audit("logout").map(\.actor) == ["ana"])
        let created = try #require(try rig.audit("token.create").first)
        #expect(created.actor == "ana" && created.details["via"] == "session")
    }

    @Test("an expired session is refused with 401; the row's expiry, not the cookie's, decides")
    func expiredSession() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            let (cookie, csrf) = try await Self.login(client, "ana")
            try await rig.store.database.writer.write { db in
                try db.execute(sql: "UPDATE web_sessions SET expires_ms = ?", arguments: [Timestamp.now.milliseconds - 1])
            }
            let r = try await Self.createToken(client, auth: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf])
            #expect(r.status == .unauthorized && (Self.error(r)).code == "login_required")
        }
    }

    @Test("wrong passwords give 401 and the third locks the user out (401 locked_out) even with the right password")
    func lockout() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            let attempts = [("wrong", "login_failed"), ("wrong", "login_failed"), ("wrong", "locked_out"), (Self.password, "locked_out")]
            for (password, expected) in attempts {
                try await client.execute(
                    uri: "/api/v1/session", method: .post, headers: Self.json, body: Self.body(#"{"user":"vic","password":"\#(password)"}"#)
                ) { r in
                    #expect(r.status == .unauthorized)
                    #expect((Self.error(r)).code == expected)
                    #expect(r.headers[.setCookie] == nil)
                }
            }
            try await client.execute(
                uri: "/api/v1/session", method: .post, headers: Self.json, body: Self.body(#"{"user":"nobody","password":"x"}"#)
            ) { r in
                #expect(r.status == .unauthorized && (Self.error(r)).code == "login_failed")
            }
        }
        #expect(try rig.audit("login.lockout").map(\.actor) == ["vic"])
        #expect(try rig.audit("login.failure").map { $0.details["reason"]!.prefix(10) } == [
            "wrong pass", "wrong pass", "wrong pass", "locked out", "unknown us",
        ])
    }

    @Test("tokens: a viewer's is refused a change with 403 (audited), a revoked one with 401 whatever the route; an admin's changes are audited as token.use")
    func tokens() async throws {
        let rig = try Rig()
        let (viewer, viewerSecret) = try rig.store.tokens.create(name: "ro", user: "vic", role: .viewer, actor: "ana")
        let (_, adminSecret) = try rig.store.tokens.create(name: "ci", user: "ana", role: .admin, actor: "ana")
        let (_, cappedSecret) = try rig.store.tokens.create(name: "capped", user: "ana", role: .operator_, actor: "ana")
        try await rig.app().test(.router) { client in
            let bearer = { (s: String) -> HTTPFields in [.authorization: "Bearer \(s)"] }
            try await client.execute(uri: "/api/v1/session", method: .get, headers: bearer(viewerSecret)) { r in
                let o = Self.object(r)
                #expect(o["via"] as? String == "token" && o["token_id"] as? String == viewer.id && o["role"] as? String == "viewer")
            }
            let denied = try await Self.createToken(client, auth: bearer(viewerSecret))
            #expect(denied.status == .forbidden && (Self.error(denied)).code == "forbidden")
            let capped = try await Self.createToken(client, auth: bearer(cappedSecret))
            #expect(capped.status == .forbidden, "an admin's token with role operator acts as operator")
            // A token needs no CSRF token; its changes are audited as token.use.
            let made = try await Self.createToken(client, auth: bearer(adminSecret))
            #expect(made.status == .created)
            try await client.execute(uri: "/api/v1/tokens/\(viewer.id)", method: .delete, headers: bearer(adminSecret)) { r in
                #expect(r.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/tokens/\(viewer.id)", method: .delete, headers: bearer(adminSecret)) { r in
                #expect(r.status == .conflict && (Self.error(r)).code == "already_revoked")
            }
            try await client.execute(uri: "/api/v1/tokens/000000000000", method: .delete, headers: bearer(adminSecret)) { r in
                #expect(r.status == .notFound)
            }
            for path in ["/api/v1/events", "/api/v1/session", "/api/v1/devices"] {
                try await client.execute(uri: path, method: .get, headers: bearer(viewerSecret)) { r in
                    #expect(r.status == .unauthorized, "\(path): a revoked token is refused everywhere")
                    #expect((Self.error(r)) == ("invalid_token", "Authorization"))
                    #expect(r.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
                }
            }
            try await client.execute(uri: "/api/v1/events", method: .get, headers: [.authorization: "Basic YTpi"]) { r in
                #expect(r.status == .unauthorized && (Self.error(r)).field == "Authorization")
            }
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: bearer(adminSecret)) { r in
                let tokens = try #require(Self.object(r)["tokens"] as? [[String: Any]])
                #expect(tokens.count == 4 && !String(buffer: r.body).contains("dcagent_"), "the list never shows a secret")
            }
            // A token may revoke itself (a leaked one is ended by what leaked it); it stops at once.
            let selfID = String(adminSecret.dropFirst("dcagent_".count).prefix(12))
            try await client.execute(uri: "/api/v1/tokens/\(selfID)", method: .delete, headers: bearer(adminSecret)) { r in
                #expect(r.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/tokens", method: .get, headers: bearer(adminSecret)) { r in
                #expect(r.status == .unauthorized)
            }
        }
        let deniedRows = try rig.audit("access.denied")
        #expect(deniedRows.map(\.actor) == ["vic", "ana"])
        #expect(deniedRows.first?.details["via"] == "token:\(viewer.id)")
        #expect(try rig.audit("token.use").map { $0.details["status"]! } == ["403", "403", "201", "204", "409", "404", "204"])
        #expect(try rig.audit("token.refused").count == 4)
    }

    @Test("bad bodies: wrong media type 415, malformed JSON and wrong fields 400 naming the field, too large 413 — no internals in any answer")
    func badBodies() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            let cases: [(HTTPFields, String, HTTPResponse.Status, String, String?)] = [
                ([.contentType: "application/x-www-form-urlencoded"], "user=ana&password=x", .unsupportedMediaType, "unsupported_media_type", "Content-Type"),
                (Self.json, "{not json", .badRequest, "bad_body", "body"),
                (Self.json, #"{"user":"ana"}"#, .badRequest, "bad_body", "password"),
                (Self.json, #"{"user":7,"password":"x"}"#, .badRequest, "bad_body", "user"),
                (Self.json, #"["ana"]"#, .badRequest, "bad_body", "body"),
                (Self.json, "{\"user\":\"" + String(repeating: "a", count: 70_000) + "\"}", .contentTooLarge, "body_too_large", nil),
            ]
            for (headers, text, status, code, field) in cases {
                try await client.execute(uri: "/api/v1/session", method: .post, headers: headers, body: Self.body(text)) { r in
                    #expect(r.status == status, "\(text.prefix(30)): \(r.status)")
                    #expect((Self.error(r)) == (code, field), "\(text.prefix(30))")
                    let answer = String(buffer: r.body)
                    for leak in ["SELECT", "GRDB", "Swift.", "DecodingError", "codingPath", "/work/", ".swift"] {
                        #expect(!answer.contains(leak), "\(answer)")
                    }
                }
            }
            let (cookie, csrf) = try await Self.login(client, "ana")
            let wrongRole = try await Self.createToken(client, auth: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf], role: "root")
            #expect(wrongRole.status == .badRequest && (Self.error(wrongRole)) == ("bad_parameter", "role"))
            let tooHigh = try await Self.createToken(
                client, auth: [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf], role: "admin", user: "vic")
            #expect(tooHigh.status == .badRequest && (Self.error(tooHigh)).field == "role")
        }
    }

    @Test("every answer, errors included, carries the security headers; HSTS only under TLS; without a user store logins answer 503")
    func headers() async throws {
        let rig = try Rig()
        for tls in [false, true] {
            try await rig.app(tls: tls).test(.router) { client in
                for (path, method) in [("/healthz", HTTPRequest.Method.get), ("/api/v1/events", .get), ("/nope", .get), ("/api/v1/tokens", .post)] {
                    try await client.execute(uri: path, method: method) { r in
                        let csp = try #require(r.headers[.contentSecurityPolicy], "\(path)")
                        #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
                        #expect(r.headers[.xContentTypeOptions] == "nosniff")
                        #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                        #expect((r.headers[.strictTransportSecurity] != nil) == tls, "\(path) tls=\(tls)")
                        if path.hasPrefix("/api/") { #expect(r.headers[.cacheControl] == "no-store") }
                    }
                }
            }
        }
        try await rig.app(access: NoLogins()).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/session", method: .post, headers: Self.json, body: Self.body(#"{"user":"ana","password":"x"}"#)
            ) { r in
                #expect(r.status == .serviceUnavailable && (Self.error(r)).code == "logins_unavailable")
            }
        }
    }
}
