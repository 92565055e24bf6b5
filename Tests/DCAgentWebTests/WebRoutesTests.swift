import AgentStore
import ContaminationRules
import DCAgentWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Telemetry
import TestSupport
import Synchronization
import Testing

/// The v1 API in process (HummingbirdTesting's router client), over a real SQLite store with
/// events committed as the rules service commits them.
@Suite("Web routes: the v1 API, its errors and the old paths", .serialized, .timeLimit(.minutes(2)))
struct WebRoutesTests {
    static let probe: CIID = "DC-R01-TH1"
    static let temp = PointID(ci: probe, name: "temperature")!
    static let t0: Int64 = 1_796_000_000_000

    /// A store in a temporary directory, and the routes over it.
    final class Rig: Sendable {
        let dir: String
        let database: AgentDatabase
        let events: EventStore
        let status: FixedStatus
        let commits = CommitSignals()
        var path: String { dir + "/w.sqlite" }

        init() throws {
            dir = NSTemporaryDirectory() + "dcagent-web-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let db = try AgentDatabase(path: dir + "/w.sqlite")
            database = db
            events = EventStore(database: db, samples: SampleStore(database: db))
            status = FixedStatus()
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func app() -> some ApplicationProtocol {
            let commits = self.commits
            var sources = WebSources(status: status, events: events, commits: { commits.subscribe() })
            sources.keepAliveEvery = .seconds(3600)
            return Application(router: WebRoutes.router(sources, logger: Logger(label: "web-test")))
        }

        /// Opens (and optionally resolves) the probe's hot event, committed as the rules commit.
        func commit(_ change: EventChange.Change, at ms: Int64, state: EventState = .firing, into store: EventStore? = nil) throws {
            let e = Event(
                dedupKey: Event.dedupKey(rule: "inlet-hot", scope: WebRoutesTests.probe, point: WebRoutesTests.temp), ruleID: "inlet-hot",
                kind: .threshold, severity: .warning, state: state, scope: WebRoutesTests.probe, room: "DC-H1", rack: "DC-R01",
                point: WebRoutesTests.temp, firstSeen: Timestamp(milliseconds: WebRoutesTests.t0), lastSeen: Timestamp(milliseconds: ms),
                count: 1, message: "inlet 29.5 °C above 27 °C",
                evidence: [Reading(point: WebRoutesTests.temp, time: Timestamp(milliseconds: ms), value: .nan, quality: .bad(reason: "timeout"))],
                suppressed: false, flapping: false)
            try (store ?? events).commit(
                RuleCheckpoint(
                    changes: [EventChange(change: change, event: e, at: Timestamp(milliseconds: ms), notify: true)], derived: [],
                    state: Data("{}".utf8), rulesDigest: "d", at: Timestamp(milliseconds: ms)))
            if store == nil { commits.signal() }
        }
    }

    static func json(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
    }

    /// The `error` object of an error body: code, message, field.
    static func error(_ body: ByteBuffer) throws -> (code: String, message: String, field: String?) {
        let e = try #require(try json(body)["error"] as? [String: Any], "body: \(String(buffer: body))")
        #expect(e.keys.sorted() == ["code", "field", "message"], "every key is there, field null when none: \(e)")
        return (try #require(e["code"] as? String), try #require(e["message"] as? String), e["field"] as? String)
    }

    @Test("bad parameters are refused with 400 naming the parameter; unknown routes 404, wrong methods 405, in one error shape")
    func refusals() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            // (path, status, code, field, text the message must contain)
            let refused: [(String, HTTPResponse.Status, String, String?, String)] = [
                // A negative LIMIT means "no limit" to SQLite: refused before it gets there.
                ("/api/v1/events?limit=-1", .badRequest, "bad_parameter", "limit", "limit -1: must be at least 1"),
                ("/api/v1/events?limit=0", .badRequest, "bad_parameter", "limit", "limit 0: must be at least 1"),
                ("/api/v1/events?limit=abc", .badRequest, "bad_parameter", "limit", "limit 'abc': not a number"),
                ("/api/v1/events?limit=99999999999999999999", .badRequest, "bad_parameter", "limit", "limit '99999999999999999999': not a number"),
                ("/api/v1/events?limit=", .badRequest, "bad_parameter", "limit", "limit '': not a number"),
                ("/api/v1/events?state=open", .badRequest, "bad_parameter", "state", "state 'open'"),
                ("/api/v1/events?severity=urgent", .badRequest, "bad_parameter", "severity", "severity 'urgent'"),
                ("/api/v1/events?rack=not%20an%20id", .badRequest, "bad_parameter", "rack", "rack 'not an id': not a CI id"),
                ("/api/v1/events?site=a%20b", .badRequest, "bad_parameter", "site", "site 'a b': not a CI id"),
                // The change log moved: `after` on the event list says where it went.
                ("/api/v1/events?after=3", .badRequest, "bad_parameter", "after", "/api/v1/events/changes?after=SEQ"),
                ("/api/v1/events/changes?after=abc", .badRequest, "bad_parameter", "after", "after 'abc': expected a change sequence number"),
                ("/api/v1/events/changes?after=-1", .badRequest, "bad_parameter", "after", "after '-1': expected a change sequence number"),
                ("/api/v1/events/changes?after=", .badRequest, "bad_parameter", "after", "after '': expected a change sequence number"),
                ("/api/v1/events/changes?after=1.5", .badRequest, "bad_parameter", "after", "after '1.5'"),
                ("/api/v1/events/changes?limit=0", .badRequest, "bad_parameter", "limit", "limit 0: must be at least 1"),
                ("/api/v1/events/stream?after=abc", .badRequest, "bad_parameter", "after", "after 'abc': expected a change sequence number"),
                ("/api/v1/events/abc", .badRequest, "bad_parameter", "id", "event id 'abc'"),
                ("/api/v1/events/42", .notFound, "not_found", nil, "no event 42"),
                ("/nope", .notFound, "not_found", nil, "no such resource: GET /nope"),
                ("/api/v1/nothing/42", .notFound, "not_found", nil, "no such resource: GET /api/v1/nothing/42"),
                ("/api", .notFound, "not_found", nil, "no such resource: GET /api"),
            ]
            for (path, status, code, field, text) in refused {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == status, "\(path): \(r.status) \(String(buffer: r.body))")
                    #expect(r.headers[.contentType] == "application/json", "\(path)")
                    let e = try Self.error(r.body)
                    #expect(e.code == code && e.field == field, "\(path): \(e)")
                    #expect(e.message.contains(text), "\(path): \(e.message)")
                }
            }
            // A reconnecting EventSource's Last-Event-ID header is checked the same way.
            try await client.execute(uri: "/api/v1/events/stream", method: .get, headers: [HTTPField.Name("Last-Event-ID")!: "nope"]) { r in
                #expect(r.status == .badRequest)
                let e = try Self.error(r.body)
                #expect(e.field == "Last-Event-ID" && e.message.contains("Last-Event-ID 'nope'"), "\(e)")
            }
            // A method the resource does not take: 405 with Allow, same shape.
            for path in ["/api/v1/events", "/api/v1/devices", "/api/v1/events/changes"] {
                try await client.execute(uri: path, method: .post) { r in
                    #expect(r.status == .methodNotAllowed, "\(path)")
                    #expect(r.headers[.allow] == "GET", "\(path)")
                    let e = try Self.error(r.body)
                    #expect(e.code == "method_not_allowed", "\(path)")
                }
            }
            // Good values still answer.
            try await client.execute(uri: "/api/v1/events/changes?after=0", method: .get) { r in
                let body = try Self.json(r.body)
                #expect(r.status == .ok && body["changes"] as? [Any] != nil)
            }
            // `+` is a space, as a form (and Python's requests) encodes one; `%2B` is a plus.
            try await client.execute(uri: "/api/v1/events?severity=warning,+critical&state=firing", method: .get) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
            }
            try await client.execute(uri: "/api/v1/events?severity=warning%2B", method: .get) { r in
                #expect(r.status == .badRequest, "\(String(buffer: r.body))")
                let e = try Self.error(r.body)
                #expect(e.field == "severity" && e.message.contains("severity 'warning+'"), "\(e)")
            }
            try await client.execute(uri: "/api/v1/events?limit=5000", method: .get) { r in
                let body = try Self.json(r.body)
                #expect(r.status == .ok && body["events"] as? [Any] != nil)
            }
        }
    }

    @Test("each path before v1 answers 308 to its v1 path, query kept")
    func legacyRedirects() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            let moved: [(String, String)] = [
                ("/api/events", "/api/v1/events"),
                ("/api/events?state=firing&limit=5", "/api/v1/events?state=firing&limit=5"),
                ("/api/events?after=7", "/api/v1/events/changes?after=7"),
                ("/api/devices", "/api/v1/devices"),
                ("/api/events/stream?after=3", "/api/v1/events/stream?after=3"),
            ]
            for (old, new) in moved {
                try await client.execute(uri: old, method: .get) { r in
                    #expect(r.status == .permanentRedirect, "\(old): \(r.status)")
                    #expect(r.headers[.location] == new, "\(old) → \(r.headers[.location] ?? "none")")
                }
                // And the new path answers.
                if !new.contains("stream") {
                    try await client.execute(uri: new, method: .get) { r in #expect(r.status == .ok, "\(new)") }
                }
            }
        }
    }

    @Test("events, one event's history and the change log read what the store committed, times ISO 8601 UTC, NaN as null")
    func eventsAndChanges() async throws {
        let rig = try Rig()
        try rig.commit(.opened, at: Self.t0)
        try rig.commit(.resolved, at: Self.t0 + 120_000, state: .resolved)
        try await rig.app().test(.router) { client in
            let list = try await client.execute(uri: "/api/v1/events?state=all", method: .get) { r in try Self.json(r.body) }
            let events = try #require(list["events"] as? [[String: Any]])
            #expect(events.count == 1)
            let e = try #require(events.first)
            #expect(e["state"] as? String == "resolved" && e["rack"] as? String == "DC-R01" && e["room"] as? String == "DC-H1")
            #expect(e["first_seen"] as? String == "2026-11-30T00:53:20.000Z", "\(e)")
            #expect(e["resolved_at"] as? String == "2026-11-30T00:55:20.000Z", "\(e)")
            #expect(e["data_missing"] is NSNull, "every key is present; null when empty: \(e)")
            // The demo floor was not imported here: the one site the store could name is none.
            #expect(e["site"] is NSNull, "\(e)")
            let evidence = try #require((e["evidence"] as? [[String: Any]])?.first)
            #expect(evidence["value"] is NSNull && evidence["quality"] as? String == "bad(timeout)", "\(evidence)")
            // Firing only: none now.
            let firing = try await client.execute(uri: "/api/v1/events?state=firing", method: .get) { r in try Self.json(r.body) }
            #expect((firing["events"] as? [Any])?.isEmpty == true)

            let id = try #require(e["id"] as? Int)
            let detail = try await client.execute(uri: "/api/v1/events/\(id)", method: .get) { r in try Self.json(r.body) }
            #expect((detail["changes"] as? [[String: Any]])?.map { $0["change"] as? String } == ["opened", "resolved"])

            let changes = try await client.execute(uri: "/api/v1/events/changes?after=0", method: .get) { r in try Self.json(r.body) }
            let log = try #require(changes["changes"] as? [[String: Any]])
            #expect(log.map { $0["seq"] as? Int } == [1, 2])
            #expect(changes["next"] as? Int == 2)
            let rest = try await client.execute(uri: "/api/v1/events/changes?after=1&limit=5", method: .get) { r in try Self.json(r.body) }
            #expect((rest["changes"] as? [[String: Any]])?.map { $0["change"] as? String } == ["resolved"])
            let none = try await client.execute(uri: "/api/v1/events/changes?after=2", method: .get) { r in try Self.json(r.body) }
            #expect((none["changes"] as? [Any])?.isEmpty == true && none["next"] as? Int == 2)
        }
    }

    @Test("/healthz is 200 when the writer works and 503 when it is stuck; devices list what the agent polls")
    func healthAndDevices() async throws {
        let rig = try Rig()
        try await rig.app().test(.router) { client in
            let ok = try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .ok)
                return try Self.json(r.body)
            }
            #expect(ok["status"] as? String == "ok" && ok["rules"] as? String == "off", "\(ok)")
            #expect((ok["writer"] as? [String: Any])?["last_error"] is NSNull)
            rig.status.stuck.withLock { $0 = true }
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .serviceUnavailable)
                let body = try Self.json(r.body)
                #expect(body["status"] as? String == "degraded")
            }
            let devices = try await client.execute(uri: "/api/v1/devices", method: .get) { r in try Self.json(r.body) }
            let d = try #require((devices["devices"] as? [[String: Any]])?.first)
            #expect(d["id"] as? String == "DC-R01-TH1" && d["polls"] as? Int == 3 && d["last_error"] is NSNull, "\(d)")
        }
    }

    @Test("a response that cannot be encoded is a logged 500 in the error shape, never a silent {}")
    func encodingFailure() async throws {
        let rig = try Rig()
        rig.status.broken.withLock { $0 = true }
        let logs = LogCapture()
        let commits = rig.commits
        let sources = WebSources(status: rig.status, events: rig.events, commits: { commits.subscribe() })
        let app = Application(router: WebRoutes.router(sources, logger: logs.logger))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .internalServerError)
                let e = try Self.error(r.body)
                #expect(e.code == "internal" && e.message.contains("cannot encode the response"), "\(e)")
            }
        }
        #expect(logs.messages(at: .error).contains { $0.contains("/healthz") && $0.contains("cannot encode") }, "\(logs.messages(at: .error))")
    }

    @Test("the event stream resumes after Last-Event-ID and wakes on a commit, without polling")
    func stream() async throws {
        let rig = try Rig()
        try rig.commit(.opened, at: Self.t0)
        try await rig.app().test(.live) { client in
            let port = try #require(client.port)
            let out = rig.dir + "/sse.txt"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            // curl reads the stream as a browser would; its output goes to a file (DESIGN 13).
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sN", "--max-time", "60", "-H", "Last-Event-ID: 0", "-o", out, "http://127.0.0.1:\(port)/api/v1/events/stream"]
            try curl.run()
            // Stopped by its PID when the test ends, whatever it did.
            defer { kill(curl.processIdentifier, SIGKILL) }
            let text = { (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }
            // Resume after 0: the opening is sent at once.
            try await waitUntil(timeout: .seconds(30), "the opening (id 1) on the stream") { text().contains("id: 1\n") }
            #expect(!text().contains("id: 2\n"))
            // The keep-alive is an hour away and nothing polls: only the commit can wake the stream.
            try rig.commit(.resolved, at: Self.t0 + 60_000, state: .resolved)
            try await waitUntil(timeout: .seconds(30), "the resolution (id 2) after the commit") { text().contains("id: 2\nevent: change\n") }
            #expect(text().contains("\"change\":\"resolved\""), "\(text())")
            // And the next commit too: every commit wakes it, not only the first.
            try rig.commit(.opened, at: Self.t0 + 120_000)
            try await waitUntil(timeout: .seconds(30), "the next opening (id 3) after its commit") { text().contains("id: 3\nevent: change\n") }
            kill(curl.processIdentifier, SIGKILL)
            try await waitUntil("curl to stop") { !curl.isRunning }

        }
    }
}

extension WebRoutesTests {
    @Test("a commit by another process (the CLI's own connection) wakes the stream through the change feed, once the feed's clock passes its check interval")
    func streamWakesOnAnotherConnection() async throws {
        let rig = try Rig()
        try rig.commit(.opened, at: Self.t0)
        let clock = ManualClock()
        let feed = ChangeFeed(database: rig.database, clock: clock, checkEvery: .seconds(1), logger: Logger(label: "web-test"))
        var sources = WebSources(status: rig.status, events: rig.events, commits: { feed.subscribe() })
        sources.keepAliveEvery = .seconds(3600)
        let app = Application(router: WebRoutes.router(sources, logger: Logger(label: "web-test")))
        let feedTask = Task { try await feed.run() }
        defer { feedTask.cancel() }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let out = rig.dir + "/sse-cli.txt"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sN", "--max-time", "60", "-H", "Last-Event-ID: 0", "-o", out, "http://127.0.0.1:\(port)/api/v1/events/stream"]
            try curl.run()
            defer { kill(curl.processIdentifier, SIGKILL) }
            let text = { (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }
            try await waitUntil(timeout: .seconds(30), "the opening (id 1) on the stream") { text().contains("id: 1\n") }
            try await waitUntil("the feed's check asleep on its clock") { clock.sleeperCount >= 1 }
            // Another connection to the same file, as `dcagent` run from a shell opens it: this
            // process is not told; only PRAGMA data_version can see the commit.
            let other = try AgentDatabase(path: rig.path)
            try rig.commit(.resolved, at: Self.t0 + 60_000, state: .resolved, into: EventStore(database: other, samples: SampleStore(database: other)))
            #expect(feed.counts.detected == 0, "nothing is detected before the feed's clock moves")
            #expect(!text().contains("id: 2\n"), "nothing woke the stream yet")
            clock.advance(by: .seconds(1))
            try await waitUntil(timeout: .seconds(30), "the resolution (id 2) after the feed's check") { text().contains("id: 2\nevent: change\n") }
            #expect(feed.counts.detected >= 1)
            kill(curl.processIdentifier, SIGKILL)
            try await waitUntil("curl to stop") { !curl.isRunning }
        }
    }
}

/// A status source with fixed numbers; `stuck` flips the writer, `broken` reports a clock error
/// that JSON cannot carry (NaN).
final class FixedStatus: AgentStatusSource {
    let stuck = Mutex(false)
    let broken = Mutex(false)

    func health() async -> HealthView {
        let stuck = self.stuck.withLock { $0 }
        var h = HealthView()
        (h.status, h.agent, h.sites, h.uptimeS) = (stuck ? "degraded" : "ok", "test", ["DC"], 1)
        (h.clock.synchronised, h.clock.source, h.clock.maxErrorS) = (true, "test", broken.withLock { $0 } ? .nan : 0.001)
        h.sensors.total = 1
        (h.writer.acknowledged, h.writer.batches, h.writer.stuck) = (10, 1, stuck)
        return h
    }

    func devices() async -> [DeviceView] {
        var d = DeviceView()
        (d.id, d.polls, d.lastSuccess, d.lastPollMs) = ("DC-R01-TH1", 3, "2026-11-30T02:13:20.000Z", 4.5)
        return [d]
    }
}

/// Commit signals as the store's change feed gives them: every subscriber wakes on `signal()`.
final class CommitSignals: Sendable {
    private let continuations = Mutex<[AsyncStream<Void>.Continuation]>([])

    func subscribe() -> AsyncStream<Void> {
        let (stream, c) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        continuations.withLock { $0.append(c) }
        return stream
    }

    func signal() { for c in continuations.withLock({ $0 }) { c.yield() } }
}
