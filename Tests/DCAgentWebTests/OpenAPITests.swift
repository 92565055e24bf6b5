import AgentStore
import DCAgentWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// `openapi/dcagent-v1.yaml` against the code: the file is valid OpenAPI 3.1
/// (openapi-spec-validator, from the peers' venv), and it describes exactly the routes the router
/// serves. (schemathesis runs it against a real daemon: DCAgentTests' SchemathesisTests.)
///
/// The 405 routes: `RouterGroup.resource` registers POST, PUT, PATCH and DELETE beside each GET
/// to answer 405 with `Allow: GET`. They are real routes of the router, so the file describes
/// them — each with only a 405 response, `x-dcagent-role: none` (they change nothing) and
/// `x-dcagent-method-not-allowed: true` — and parity holds for every (path, method), no
/// exception list. This test also asks each of them, in process, and expects the 405.
@Suite("OpenAPI: the file is valid and matches the routes", .serialized, .timeLimit(.minutes(3)))
struct OpenAPITests {
    /// The package root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let spec = root + "/openapi/dcagent-v1.yaml"

    /// What `x-dcagent-role` may name: `none` (no login), or a user role (DESIGN decision 5).
    static let roles = ["none"] + Role.allCases.map(\.rawValue)

    /// One operation of the file: its path (`{id}` form), method (upper case), and extensions.
    struct Operation: Decodable, Hashable, CustomStringConvertible {
        var path: String
        var method: String
        var role: String?
        var methodNotAllowed: Bool
        /// The login itself (`x-dcagent-login`): it changes state but cannot need a login.
        var login: Bool
        /// Only a session may call it (`x-dcagent-session-only`: logout).
        var sessionOnly: Bool
        var statuses: [String]
        var description: String { "\(method) \(path)" }
    }

    /// The operations of the file, read by the venv's Python (PyYAML, pinned with the peers).
    static func operations() async throws -> [Operation] {
        try #require(PythonPeers.isInstalled, "\(PythonPeers.missingMessage)")
        let script = """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            out = []
            for path, item in doc["paths"].items():
                for method, op in item.items():
                    if method not in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
                        continue
                    out.append({"path": path, "method": method.upper(), "role": op.get("x-dcagent-role"),
                                "methodNotAllowed": bool(op.get("x-dcagent-method-not-allowed", False)),
                                "login": bool(op.get("x-dcagent-login", False)),
                                "sessionOnly": bool(op.get("x-dcagent-session-only", False)),
                                "statuses": sorted(op.get("responses", {}).keys())})
            print(json.dumps(out))
            """
        let run = try await BoundedProcess.run(PythonPeers.python, ["-c", script, spec], timeout: .seconds(60))
        try #require(run.status == 0, "reading \(spec): \(run)")
        return try JSONDecoder().decode([Operation].self, from: Data(run.stdout.utf8))
    }

    /// A router path in the file's form: Hummingbird's `{id}` and `:id` captures both become
    /// `{id}`; no trailing slash (but `/`).
    static func normalised(_ path: String) -> String {
        let segments = path.split(separator: "/").map { s -> String in
            s.hasPrefix(":") ? "{\(s.dropFirst())}" : String(s)
        }
        return "/" + segments.joined(separator: "/")
    }

    /// The routes over an empty store (the routes do not depend on what the store holds).
    static func router() throws -> (Router<WebContext>, WebRoutesTests.Rig) {
        let rig = try WebRoutesTests.Rig()
        let commits = rig.commits
        var sources = WebSources(status: rig.status, events: rig.events, commits: { commits.subscribe() })
        // As the daemon serves them: with its metrics.
        sources.metrics = { "" }
        return (WebRoutes.router(sources, logger: Logger(label: "openapi-test")), rig)
    }

    @Test("openapi-spec-validator accepts the file as OpenAPI 3.1")
    func validates() async throws {
        try #require(PythonPeers.isInstalled, "\(PythonPeers.missingMessage)")
        let validator = PythonPeers.program("openapi-spec-validator")
        let run = try await BoundedProcess.run(validator, [Self.spec], timeout: .seconds(90))
        #expect(run.status == 0 && run.stdout.contains("OK"), "openapi-spec-validator \(Self.spec): \(run)")
        // The file says 3.1 (the validator picks the version it checks from it).
        let text = try String(contentsOfFile: Self.spec, encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1."), "the first line names OpenAPI 3.1")
    }

    @Test("every (path, method) the router serves is described, and every one described is served")
    func parity() async throws {
        let (router, rig) = try Self.router()
        _ = rig
        let served = Set(router.routes.map { "\($0.method.rawValue) \(Self.normalised($0.path.description))" })
        let operations = try await Self.operations()
        let described = Set(operations.map(\.description))
        #expect(served.count >= 7, "the router lists its routes: \(served.sorted())")
        #expect(operations.count == described.count, "no operation twice")
        #expect(served.subtracting(described).isEmpty, "served, not in \(Self.spec): \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "in \(Self.spec), not served: \(described.subtracting(served).sorted())")
    }

    @Test("each operation names its role; a route that changes state needs a login; each 405 operation answers 405 with Allow: GET")
    func rolesAndRefusals() async throws {
        let operations = try await Self.operations()
        try #require(!operations.isEmpty)
        for op in operations {
            #expect(op.role.map(Self.roles.contains) == true, "\(op): x-dcagent-role \(op.role ?? "missing"), expected one of \(Self.roles)")
            if op.methodNotAllowed {
                #expect(op.statuses == ["401", "405"], "\(op): a 405 operation describes only the 405 (and the 401 of a bad token)")
                #expect(op.role == "none", "\(op): a 405 operation changes nothing")
            } else if op.method != "GET" && !op.login {
                // A route that changes state (issue 11) refuses without a login: its role is not `none`.
                #expect(op.role != "none", "\(op) changes state but needs no login")
                #expect(op.statuses.contains("401") && op.statuses.contains("403"), "\(op): the refusals are described")
            }
            // A bad Authorization header is refused on every route.
            #expect(op.statuses.contains("401"), "\(op): the 401 of a bad token is described")
            // Every operation can fail and says how, in the one error shape (the legacy redirects only move).
            if !op.path.hasPrefix("/api/v1/") && op.path.hasPrefix("/api/") {
                #expect(op.statuses == ["308", "401"], "\(op): a path before v1 only redirects (or refuses a bad token)")
            } else if !op.methodNotAllowed {
                #expect(op.statuses.contains("500"), "\(op): the 500 is described")
            }
        }
        let (router, rig) = try Self.router()
        _ = rig
        try await Application(router: router).test(.router) { client in
            for op in operations where op.methodNotAllowed {
                let uri = op.path.replacingOccurrences(of: "{id}", with: "1")
                try await client.execute(uri: uri, method: HTTPRequest.Method(op.method)!) { r in
                    #expect(r.status == .methodNotAllowed, "\(op): \(r.status) \(String(buffer: r.body))")
                    #expect(r.headers[.allow] == "GET", "\(op)")
                    let e = try WebRoutesTests.error(r.body)
                    #expect(e.code == "method_not_allowed", "\(op): \(e)")
                }
            }
        }
    }
}
