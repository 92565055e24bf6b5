import AgentStore
import DCAgentWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Every operation of `openapi/dcagent-v1.yaml` that needs a login, asked in process as the
/// file describes it (generated from the file, so a new route is covered the day it is
/// described): without a login → 401; a session without its CSRF token → 403 `csrf`; every
/// role below `x-dcagent-role`, by session and by API token → 403 `forbidden`; the role itself
/// and every higher one → neither 401 nor 403.
@Suite("Roles: every route that needs a login refuses without one and with a lower role", .serialized, .timeLimit(.minutes(3)))
struct RoleRefusalTests {
    static let password = "correct horse battery"

    @Test("generated from the OpenAPI file: 401 without a login, 403 without CSRF, 403 for each lower role, allowed from the role up")
    func everyRoute() async throws {
        let operations = try await OpenAPITests.operations().filter { !$0.methodNotAllowed && !$0.login && $0.role != "none" }
        try #require(operations.count >= 5, "the login, session and token routes at least: \(operations)")
        let dir = NSTemporaryDirectory() + "dcagent-roles-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SiteStore(
            path: dir + "/r.sqlite", auditKeyFile: dir + "/audit.key", auditAnchorFile: dir + "/audit.anchor", logger: Logger(label: "t"))
        var fast = LoginPolicy()
        fast.bcryptCost = 4
        var tokens: [Role: String] = [:]
        _ = try store.users.add(name: "root", role: .admin, fullName: nil, actor: nil)
        for role in Role.allCases {
            _ = try store.users.add(name: "u-\(role.rawValue)", role: role, fullName: nil, actor: "root")
            try store.users.setPassword("u-\(role.rawValue)", to: Self.password, actor: "root", policy: fast)
            tokens[role] = try store.tokens.create(name: "t", user: "u-\(role.rawValue)", role: role, actor: "root").secret
        }
        let secrets = tokens
        var sources = WebSources(status: FixedStatus(), events: store.events, commits: { AsyncStream { $0.finish() } })
        sources.access = SiteAccess(store: store, policy: fast)
        let app = Application(router: WebRoutes.router(sources, logger: Logger(label: "roles")))
        try await app.test(.router) { client in
            var sessions: [Role: (cookie: String, csrf: String)] = [:]
            for role in Role.allCases {
                sessions[role] = try await AuthRoutesTests.login(client, "u-\(role.rawValue)")
            }
            for op in operations {
                let needed = try #require(Role(rawValue: op.role ?? ""), "\(op): x-dcagent-role \(op.role ?? "missing")")
                let uri = op.path.replacingOccurrences(of: "{id}", with: "000000000000")
                let method = try #require(HTTPRequest.Method(op.method))
                let changes = op.method != "GET"
                func ask(_ extra: HTTPFields) async throws -> TestResponse {
                    var headers: HTTPFields = changes ? [.contentType: "application/json"] : [:]
                    headers.append(contentsOf: extra)
                    return try await client.execute(uri: uri, method: method, headers: headers, body: changes ? ByteBuffer(string: "{}") : nil)
                }
                let anonymous = try await ask([:])
                #expect(anonymous.status == .unauthorized && AuthRoutesTests.error(anonymous).code == "login_required", "\(op) without a login")
                for role in Role.allCases {
                    let session = sessions[role]!
                    let withCSRF: HTTPFields = [.cookie: session.cookie, HTTPField.Name("X-CSRF-Token")!: session.csrf]
                    if changes {
                        let noCSRF = try await ask([.cookie: session.cookie])
                        #expect(noCSRF.status == .forbidden && AuthRoutesTests.error(noCSRF).code == "csrf", "\(op) as \(role) without CSRF")
                    }
                    let bySession = try await ask(withCSRF)
                    let byToken = try await ask([.authorization: "Bearer \(secrets[role]!)"])
                    if role < needed {
                        #expect(bySession.status == .forbidden && AuthRoutesTests.error(bySession).code == "forbidden", "\(op) as \(role)")
                        #expect(byToken.status == .forbidden && AuthRoutesTests.error(byToken).code == "forbidden", "\(op) as a \(role) token")
                    } else {
                        #expect(![.unauthorized, .forbidden].contains(bySession.status), "\(op) as \(role): \(bySession.status) \(String(buffer: bySession.body))")
                        if op.sessionOnly {
                            #expect(byToken.status == .unauthorized, "\(op) is for sessions only")
                        } else {
                            #expect(![.unauthorized, .forbidden].contains(byToken.status), "\(op) as a \(role) token: \(byToken.status)")
                        }
                    }
                    // A logout ends the session: log in again for the next operation.
                    if op.sessionOnly && bySession.status == .noContent {
                        sessions[role] = try await AuthRoutesTests.login(client, "u-\(role.rawValue)")
                    }
                }
            }
        }
        // Each refusal of a role is in the audit trail.
        let denied = try store.audit.entries(limit: 10_000).filter { $0.action == "access.denied" }
        let lowerRoleAsks = operations.reduce(0) { n, op in n + 2 * (Role(rawValue: op.role!).map { r in Role.allCases.filter { $0 < r }.count } ?? 0) }
        #expect(denied.count == lowerRoleAsks, "one access.denied per refused role, by session and by token")
    }
}
