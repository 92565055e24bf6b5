import Foundation
@testable import ITSMLink
import Logging
import NIOHTTP1
import TestSupport
import Testing

/// The RT adapter against a real Request Tracker 5 (a private instance per test run, see
/// `RequestTracker`): tickets with custom fields, found again by their opening, replies,
/// status changes, and each class of failure the dispatcher tells apart. Serialized: one test
/// stops and restarts the shared server.
@Suite("RT REST2 adapter against Request Tracker 5", .serialized, .timeLimit(.minutes(5)))
struct RTClientTests {
    static func rt() async throws -> RequestTracker { try await RequestTracker.shared.get() }

    static func client(_ rt: RequestTracker, password: String? = nil, timeout: Duration = .seconds(20)) throws -> RTClient {
        RTClient(
            baseURL: rt.baseURL, auth: .basic(user: rt.user, password: try password ?? rt.password()), timeout: timeout,
            logger: Logger(label: "test.rt"))
    }

    /// A dedup key no other test uses, with the characters TicketSQL quoting must survive.
    static func dedupKey(_ name: String) -> String { "hall-1/rack-\(name)/\(UUID().uuidString) o'brien \\ 50%+1" }

    static let firstSeen = Date(timeIntervalSince1970: 1_796_644_800.125)  // 2026-12-07T12:00:00.125Z

    static func fields(_ key: String, _ firstSeen: Date) -> [String: String] {
        [
            RTClient.Field.dedupKey: key, RTClient.Field.firstSeen: RTClient.firstSeenValue(firstSeen),
            RTClient.Field.ci: "DC-R01", RTClient.Field.severity: "critical",
        ]
    }

    /// The transaction types of a ticket's history (`Create`, `Correspond`, `Comment`, `Status`).
    static func history(_ client: RTClient, _ id: Int) async throws -> [String] {
        let (status, json) = try await client.send(.GET, "/ticket/\(id)/history", query: [("fields", "Type"), ("per_page", "100")])
        try #require(status == 200)
        let items = try #require((json as? [String: Any])?["items"] as? [[String: Any]])
        return items.compactMap { $0["Type"] as? String }
    }

    @Test("create with custom fields, find by dedup key + first-seen, correspond, comment, resolve, reopen")
    func lifecycle() async throws {
        let rt = try await Self.rt()
        let client = try Self.client(rt)
        let key = Self.dedupKey("lifecycle")
        let id = try await client.createTicket(
            queue: RequestTracker.queue, subject: "Corrosion class G2 at DC-R01", body: "first seen 12:00Z\nsecond line",
            customFields: Self.fields(key, Self.firstSeen))

        let created = try await client.ticket(id)
        #expect(created.id == id)
        #expect(created.status == "new")
        #expect(created.subject == "Corrosion class G2 at DC-R01")
        #expect(created.customField(RTClient.Field.dedupKey) == key)
        #expect(created.customField(RTClient.Field.firstSeen) == "2026-12-07T12:00:00.125Z")
        #expect(created.customField(RTClient.Field.ci) == "DC-R01")
        #expect(created.customField(RTClient.Field.severity) == "critical")

        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == id)
        // Another opening of the same event (another first-seen), and another key: not this ticket.
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen.addingTimeInterval(0.001)) == nil)
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen.addingTimeInterval(3600)) == nil)
        #expect(try await client.findTicket(dedupKey: String(key.dropLast()), firstSeen: Self.firstSeen) == nil)
        #expect(try await client.findTicket(dedupKey: key + "x", firstSeen: Self.firstSeen) == nil)
        // RT's `=` on a custom field ignores case (its own search finds the ticket); the adapter does not.
        let upper = RTClient.ticketSQL(dedupKey: key.uppercased(), firstSeen: RTClient.firstSeenValue(Self.firstSeen))
        let (searched, raw) = try await client.send(.GET, "/tickets", query: [("query", upper)])
        #expect(searched == 200)
        #expect((raw as? [String: Any])?["count"] as? Int == 1, "\(String(describing: raw))")
        #expect(try await client.findTicket(dedupKey: key.uppercased(), firstSeen: Self.firstSeen) == nil)

        try await client.correspond(ticket: id, text: "Still above G2 at 12:15Z")
        try await client.comment(ticket: id, text: "internal: sensor DC-R01-CM1")
        let types = try await Self.history(client, id)
        #expect(types.filter { $0 == "Correspond" }.count == 1, "history: \(types)")
        #expect(types.filter { $0 == "Comment" }.count == 1, "history: \(types)")

        try await client.setStatus(ticket: id, "resolved")
        #expect(try await client.ticket(id).status == "resolved")
        try await client.setStatus(ticket: id, "resolved")  // again: nothing to change, still fine
        #expect(try await client.ticket(id).status == "resolved")
        // A resolved ticket is still found again (the dispatcher reopens it, not a new one).
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == id)
        try await client.setStatus(ticket: id, "open")
        #expect(try await client.ticket(id).status == "open")
    }

    @Test("find-then-create is idempotent: the second attempt finds the first ticket")
    func createAfterFindDoesNotDuplicate() async throws {
        let rt = try await Self.rt()
        let client = try Self.client(rt)
        let key = Self.dedupKey("idempotent")
        // What the dispatcher does for an `open` action: find, create only when none.
        func ensure() async throws -> Int {
            if let id = try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) { return id }
            return try await client.createTicket(
                queue: RequestTracker.queue, subject: "idempotent", body: "b", customFields: Self.fields(key, Self.firstSeen))
        }
        let first = try await ensure()
        let second = try await ensure()
        #expect(first == second)
        // Exactly one ticket carries the key (searched without the first-seen).
        let (status, json) = try await client.send(
            .GET, "/tickets", query: [("query", "CF.{\(RTClient.Field.dedupKey)} = \(RTClient.quote(key))")])
        #expect(status == 200)
        #expect((json as? [String: Any])?["count"] as? Int == 1, "\(String(describing: json))")
        // A new opening of the same event gets its own ticket.
        let later = Self.firstSeen.addingTimeInterval(7200)
        #expect(try await client.findTicket(dedupKey: key, firstSeen: later) == nil)
        let third = try await client.createTicket(
            queue: RequestTracker.queue, subject: "idempotent 2", body: "b", customFields: Self.fields(key, later))
        #expect(third != first)
        #expect(try await client.findTicket(dedupKey: key, firstSeen: later) == third)
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == first)
    }

    @Test("a wrong password is the credentials class, and the password is in no error")
    func wrongPassword() async throws {
        let rt = try await Self.rt()
        let secret = "not-the-password-\(UUID().uuidString)"
        let client = try Self.client(rt, password: secret)
        let key = Self.dedupKey("creds")
        let error = await #expect(throws: RTError.self) {
            _ = try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen)
        }
        #expect(error == .credentials(status: 401, reason: "Unauthorized"))
        #expect(error?.disposition == .retryAndAlert)
        #expect(!"\(String(describing: error))".contains(secret))
        let create = await #expect(throws: RTError.self) {
            _ = try await client.createTicket(queue: RequestTracker.queue, subject: "x", body: "x", customFields: [:])
        }
        #expect(create?.status == 401)
        #expect(!"\(RTAuth.basic(user: "dcagent", password: secret))".contains(secret))
    }

    @Test("an RT auth token works like the password; a wrong token is the credentials class")
    func tokenAuth() async throws {
        let rt = try await Self.rt()
        let client = RTClient(baseURL: rt.baseURL, auth: .token(try rt.token()), logger: Logger(label: "test.rt"))
        let key = Self.dedupKey("token")
        let id = try await client.createTicket(
            queue: RequestTracker.queue, subject: "by token", body: "b", customFields: Self.fields(key, Self.firstSeen))
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == id)
        // The token names its user and a secret: a wrong secret is refused.
        let wrongToken = try rt.token().dropLast(4) + "0000"
        let wrong = RTClient(baseURL: rt.baseURL, auth: .token(String(wrongToken)), logger: Logger(label: "test.rt"))
        let error = await #expect(throws: RTError.self) { _ = try await wrong.ticket(id) }
        #expect(error?.disposition == .retryAndAlert)
        #expect(error?.status == 401)
        #expect(!"\(String(describing: error))".contains(String(wrongToken)))
    }

    @Test("a ticket deleted by hand: status deleted and not found again; shredded: the not-found class")
    func deletedTicket() async throws {
        let rt = try await Self.rt()
        let client = try Self.client(rt)
        let key = Self.dedupKey("deleted")
        let id = try await client.createTicket(
            queue: RequestTracker.queue, subject: "to delete", body: "b", customFields: Self.fields(key, Self.firstSeen))
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == id)

        // Deleted in the web UI (REST2 DELETE does the same): the status `deleted`, left out of searches.
        let (status, _) = try await client.send(.DELETE, "/ticket/\(id)")
        #expect(status == 204)
        #expect(try await client.ticket(id).status == "deleted")
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == nil)

        // Shredded by an administrator: gone; every call on it is the not-found class.
        try await rt.shred(ticket: id)
        for call in ["ticket", "correspond", "comment", "setStatus"] {
            let error = await #expect(throws: RTError.self, "\(call)") {
                switch call {
                case "ticket": _ = try await client.ticket(id)
                case "correspond": try await client.correspond(ticket: id, text: "x")
                case "comment": try await client.comment(ticket: id, text: "x")
                default: try await client.setStatus(ticket: id, "resolved")
                }
            }
            #expect(error?.status == 404, "\(call): \(String(describing: error))")
            #expect(error?.disposition == .ticketGone, "\(call): \(String(describing: error))")
        }
    }

    @Test("RT refusals: a custom field RT ignored, an invalid status, a queue that does not exist")
    func refusals() async throws {
        let rt = try await Self.rt()
        let client = try Self.client(rt)
        let key = Self.dedupKey("refusals")
        // RT answers 201 and drops a field that does not apply to the queue: the adapter says so.
        var fields = Self.fields(key, Self.firstSeen)
        fields["DCAgent-NoSuchField"] = "x"
        let cf = await #expect(throws: RTError.self) {
            _ = try await client.createTicket(queue: RequestTracker.queue, subject: "cf", body: "b", customFields: fields)
        }
        #expect(cf?.disposition == .deadLetter)
        #expect(cf?.reason.contains("DCAgent-NoSuchField") == true, "\(String(describing: cf))")

        let id = try #require(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen))
        // RT answers 200 with a message for a status it refuses.
        let bad = await #expect(throws: RTError.self) { try await client.setStatus(ticket: id, "bogus") }
        #expect(bad?.disposition == .deadLetter)
        #expect(bad?.reason.contains("isn't a valid status") == true, "\(String(describing: bad))")
        #expect(try await client.ticket(id).status == "new")

        // RT answers 403 for a queue that does not exist (it cannot tell it from one without rights).
        let queue = await #expect(throws: RTError.self) {
            _ = try await client.createTicket(queue: "NoSuchQueue", subject: "q", body: "b", customFields: [:])
        }
        #expect(queue?.status == 403)
        #expect(queue?.disposition == .retryAndAlert)
    }

    @Test("RT stopped: the unreachable class; RT started again: the same client works")
    func stoppedThenStarted() async throws {
        // A private RT: stopping the shared one would cut off the other suites that use it
        // while this one runs (the ITSM service's and the daemon's RT tests).
        let rt = try await RequestTracker.create()
        defer { Task { try? await rt.stop() } }
        let client = try Self.client(rt, timeout: .seconds(5))
        let key = Self.dedupKey("restart")
        try await rt.stop()
        do {
            let error = await #expect(throws: RTError.self) {
                _ = try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen)
            }
            #expect(error?.status == 0, "\(String(describing: error))")
            #expect(error?.disposition == .retry)
            if case .unreachable = error {} else { Issue.record("not unreachable: \(String(describing: error))") }
        }
        try await rt.start()
        let id = try await client.createTicket(
            queue: RequestTracker.queue, subject: "after restart", body: "b", customFields: Self.fields(key, Self.firstSeen))
        #expect(try await client.findTicket(dedupKey: key, firstSeen: Self.firstSeen) == id)
    }
}

/// The fixture itself.
@Suite("RequestTracker fixture", .timeLimit(.minutes(3)))
struct RequestTrackerFixtureTests {
    @Test("a port taken before rt-server binds it: the fixture moves to another")
    func portTaken() async throws {
        let busy = SilentListener()
        defer { busy.close() }
        let rt = try await RequestTracker.create(port: busy.port)
        #expect(rt.port != busy.port)
        #expect(rt.isRunning)
        #expect(RequestTracker.httpStatus(port: rt.port, path: "/REST/2.0/") == 401)
        try await rt.stop()
        #expect(!rt.isRunning)
        #expect(!FreePort.acceptsTCP(rt.port))
    }
}

/// Failures that need no RT: a port that never answers, and an HTTP server that is not RT.
@Suite("RT adapter transport failures", .timeLimit(.minutes(3)))
struct RTTransportTests {
    @Test("a port that accepts but never answers: unreachable within the timeout")
    func timeout() async throws {
        let silent = SilentListener()
        defer { silent.close() }
        let client = RTClient(baseURL: "http://127.0.0.1:\(silent.port)", auth: .token("t0ken-secret"), timeout: .milliseconds(500))
        let started = ContinuousClock.now
        let error = await #expect(throws: RTError.self) { _ = try await client.ticket(1) }
        // The listener never answers: only the client's timeout ends the call. (Generous bound:
        // with every suite running on 2 cores the error was seen to arrive after 14.7 s.)
        #expect(ContinuousClock.now - started < .seconds(45))
        #expect(error?.disposition == .retry)
        if case .unreachable = error {} else { Issue.record("not unreachable: \(String(describing: error))") }
        #expect(!"\(String(describing: error))".contains("t0ken-secret"))
    }

    @Test("an answer that is not JSON: malformed (retry, then dead letter)")
    func malformed() async throws {
        // python3's http.server serving a file where RT would answer JSON; it binds port 0 and
        // writes the port it got to a file (no window for another process to take the port).
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-notrt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("REST/2.0/ticket"), withIntermediateDirectories: true)
        try "<html>RT is down for maintenance</html>".write(to: dir.appendingPathComponent("REST/2.0/ticket/7"), atomically: true, encoding: .utf8)
        let portFile = dir.appendingPathComponent("port").path
        let script = """
            import functools, http.server, os, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            with open(sys.argv[2] + ".tmp", "w") as f: f.write(str(server.server_address[1]))
            os.rename(sys.argv[2] + ".tmp", sys.argv[2])
            server.serve_forever()
            """
        let peer = try await PeerProcess.start(
            name: "not-rt", executable: "/usr/bin/python3", arguments: ["-c", script, dir.path, portFile],
            readiness: .fileExists(portFile))
        defer { peer.stop() }
        let port = try #require(Int(try String(contentsOfFile: portFile, encoding: .utf8)))
        let client = RTClient(baseURL: "http://127.0.0.1:\(port)/", auth: .token("x"))
        let error = await #expect(throws: RTError.self) { _ = try await client.ticket(7) }
        #expect(error?.status == 200)
        #expect(error?.disposition == .retryThenDeadLetter)
        if case .malformed = error {} else { Issue.record("not malformed: \(String(describing: error))") }
        // A missing path there is a 404 with an HTML body: still the not-found class.
        let missing = await #expect(throws: RTError.self) { _ = try await client.ticket(8) }
        #expect(missing?.status == 404)
        #expect(missing?.disposition == .ticketGone)
    }
}

/// TicketSQL quoting, the first-seen format and the error classes, without RT.
@Suite("RT adapter pieces", .timeLimit(.minutes(1)))
struct RTPiecesTests {
    @Test func quoting() {
        #expect(RTClient.quote("plain") == "'plain'")
        #expect(RTClient.quote("o'brien") == #"'o\'brien'"#)
        #expect(RTClient.quote(#"a\b"#) == #"'a\\b'"#)
        #expect(
            RTClient.ticketSQL(dedupKey: "k'1", firstSeen: "2026-12-07T12:00:00.125Z")
                == #"CF.{DCAgent-DedupKey} = 'k\'1' AND CF.{DCAgent-FirstSeen} = '2026-12-07T12:00:00.125Z'"#)
    }

    @Test func firstSeenFormat() {
        #expect(RTClient.firstSeenValue(Date(timeIntervalSince1970: 1_796_644_800.125)) == "2026-12-07T12:00:00.125Z")
        #expect(RTClient.firstSeenValue(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func classes() {
        #expect(RTError.forStatus(401, reason: "r").disposition == .retryAndAlert)
        #expect(RTError.forStatus(403, reason: "r").disposition == .retryAndAlert)
        #expect(RTError.forStatus(404, reason: "r").disposition == .ticketGone)
        #expect(RTError.forStatus(400, reason: "r").disposition == .deadLetter)
        #expect(RTError.forStatus(422, reason: "r").disposition == .deadLetter)
        #expect(RTError.forStatus(500, reason: "r").disposition == .retry)
        #expect(RTError.forStatus(503, reason: "r") == .server(status: 503, reason: "r"))
        #expect(RTError.unreachable(reason: "r").status == 0)
    }

    @Test func secretsStayOut() {
        #expect("\(RTAuth.token("abc123secret"))" == "token(<redacted>)")
        #expect("\(RTAuth.basic(user: "u", password: "pw-secret"))" == "basic(user: u, password: <redacted>)")
    }
}
