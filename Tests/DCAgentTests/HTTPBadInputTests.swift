import Foundation
import Testing

/// Bad query parameters and unknown routes against the real daemon (issue 9): each is refused
/// with its status and a JSON `{"error": …}` naming what was wrong, never ignored.
@Suite("HTTP bad input", .serialized, .timeLimit(.minutes(2)))
struct HTTPBadInputTests {
    /// The `error` text of a JSON error body, or nil when the body is not one.
    static func errorText(_ body: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"] as? String
    }

    @Test("bad limit and after are refused with 400 naming the parameter; unknown routes are 404 with a JSON error")
    func badParameters() async throws {
        let dir = TempDir()
        let port = freePort()
        let daemon = try Daemon(config: testConfig(dir: dir, port: port), port: port, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()

        // (path, status, text the error must contain)
        let refused: [(String, Int, String)] = [
            // A negative LIMIT means "no limit" to SQLite: refused before it gets there.
            ("/api/events?limit=-1", 400, "limit -1: must be at least 1"),
            ("/api/events?limit=0", 400, "limit 0: must be at least 1"),
            ("/api/events?limit=abc", 400, "limit 'abc': not a number"),
            ("/api/events?limit=99999999999999999999", 400, "limit '99999999999999999999': not a number"),
            ("/api/events?limit=", 400, "limit '': not a number"),
            // `after` selects the change log; a bad value used to fall through to the event list.
            ("/api/events?after=abc", 400, "after 'abc': expected a change sequence number"),
            ("/api/events?after=-1", 400, "after '-1': expected a change sequence number"),
            ("/api/events?after=", 400, "after '': expected a change sequence number"),
            ("/api/events?after=1.5", 400, "after '1.5'"),
            ("/api/events/stream?after=abc", 400, "after 'abc': expected a change sequence number"),
            ("/api/events?state=open", 400, "state 'open'"),
            ("/nope", 404, "no such resource: GET /nope"),
            ("/api/events/42", 404, "no such resource: GET /api/events/42"),
            ("/api", 404, "no such resource: GET /api"),
        ]
        for (path, status, text) in refused {
            let r = httpGet(port: port, path: path)
            #expect(r?.status == status, "\(path): \(String(describing: r))")
            let error = r.flatMap { Self.errorText($0.body) }
            #expect(error?.contains(text) == true, "\(path): body \(r?.body ?? "nil")")
        }
        // A reconnecting EventSource's Last-Event-ID header is checked the same way.
        let sse = try await runProcess(
            "/usr/bin/curl", ["-s", "--max-time", "10", "-w", "\n%{http_code}", "-H", "Last-Event-ID: nope", "http://127.0.0.1:\(port)/api/events/stream"])
        #expect(sse.stdout.hasSuffix("\n400"), "\(sse.output)")
        #expect(Self.errorText(String(sse.stdout.split(separator: "\n").first ?? ""))?.contains("Last-Event-ID 'nope'") == true, "\(sse.output)")
        // Good values still answer.
        let changes = httpGet(port: port, path: "/api/events?after=0")
        #expect(changes?.status == 200 && changes?.body.contains("\"changes\"") == true, "\(String(describing: changes))")
        let events = httpGet(port: port, path: "/api/events?limit=5000")
        #expect(events?.status == 200 && events?.body.contains("\"events\"") == true, "\(String(describing: events))")
        #expect(httpGet(port: port, path: "/healthz")?.status == 200)
        #expect(try await daemon.stop() == 0)
    }
}
