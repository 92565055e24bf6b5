import AgentStore
import DCAgentWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// `/metrics` and `/readyz` in process: the exposition passed through with Prometheus' content
/// type, readiness 200 or 503 naming what is not ready.
@Suite("Web routes: /metrics and /readyz", .serialized, .timeLimit(.minutes(2)))
struct ProbeRoutesTests {
    /// A status source whose readiness checks the test sets.
    final class Checks: AgentStatusSource {
        let checks = Mutex<[String: String]>(["store": "ok", "rules": "ok", "http": "ok", "writer": "ok"])
        func health() async -> HealthView { HealthView() }
        func devices() async -> [DeviceView] { [] }
        func readiness() async -> ReadinessView { ReadinessView(checks: checks.withLock { $0 }) }
    }

    static func app(_ rig: WebRoutesTests.Rig, status: any AgentStatusSource, metrics: (@Sendable () async -> String)?) -> some ApplicationProtocol {
        var sources = WebSources(status: status, events: rig.events, commits: { AsyncStream { $0.finish() } })
        sources.metrics = metrics
        return Application(router: WebRoutes.router(sources, logger: Logger(label: "web-test")))
    }

    @Test("GET /metrics answers the source's exposition as text/plain; version=0.0.4; without a source it is not found")
    func metrics() async throws {
        let rig = try WebRoutesTests.Rig()
        let scrapes = Atomic<Int>(0)
        let exposition = "# TYPE dcagent_writer_queue_readings gauge\ndcagent_writer_queue_readings 3\n"
        try await Self.app(
            rig, status: rig.status,
            metrics: {
                scrapes.add(1, ordering: .relaxed)
                return exposition
            }
        ).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                #expect(String(buffer: r.body) == exposition)
            }
            // Each scrape reads the source again (no cached text).
            try await client.execute(uri: "/metrics", method: .get) { r in #expect(r.status == .ok) }
            #expect(scrapes.load(ordering: .relaxed) == 2)
        }
        try await Self.app(rig, status: rig.status, metrics: nil).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .notFound)
                let e = try WebRoutesTests.error(r.body)
                #expect(e.code == "not_found")
            }
        }
    }

    @Test("GET /readyz: 200 when every check is ok, 503 naming each check that is not; by default it follows the writer")
    func readyz() async throws {
        let rig = try WebRoutesTests.Rig()
        let checks = Checks()
        try await Self.app(rig, status: checks, metrics: nil).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                let body = try WebRoutesTests.json(r.body)
                #expect(body["ready"] as? Bool == true)
                #expect(body["not_ready"] as? [String] == [])
                #expect(body["checks"] as? [String: String] == ["store": "ok", "rules": "ok", "http": "ok", "writer": "ok"])
            }
            checks.checks.withLock {
                $0["rules"] = "loading"
                $0["store"] = "cannot read: disk I/O error"
            }
            try await client.execute(uri: "/readyz", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                let body = try WebRoutesTests.json(r.body)
                #expect(body["ready"] as? Bool == false)
                #expect(body["not_ready"] as? [String] == ["rules", "store"])
                #expect((body["checks"] as? [String: String])?["rules"] == "loading")
            }
            // /healthz stays "is it working": the rules loading does not make it fail.
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
        }
        // A source without checks of its own: ready unless the writer is stuck.
        try await Self.app(rig, status: rig.status, metrics: nil).test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { r in #expect(r.status == .ok) }
            rig.status.stuck.withLock { $0 = true }
            try await client.execute(uri: "/readyz", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                let body = try WebRoutesTests.json(r.body)
                #expect(body["not_ready"] as? [String] == ["writer"])
                #expect((body["checks"] as? [String: String])?["writer"] == "stuck")
            }
        }
    }
}
