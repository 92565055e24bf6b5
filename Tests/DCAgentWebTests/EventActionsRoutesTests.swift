import AgentStore
import ContaminationRules
import DCAgentWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Telemetry
import Testing

/// Operators' actions over HTTP (issue 12): a logged-in operator acknowledges, annotates,
/// assigns and silences; the answers, the event view and the refusals in the one error shape.
@Suite("Web: operator actions on events", .serialized, .timeLimit(.minutes(2)))
struct EventActionsRoutesTests {
    static func openEvent(_ store: SiteStore) throws -> Int64 {
        let e = Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: WebRoutesTests.probe, point: WebRoutesTests.temp), ruleID: "inlet-hot",
            kind: .threshold, severity: .critical, state: .firing, scope: WebRoutesTests.probe, room: "DC-H1", rack: "DC-R01",
            point: WebRoutesTests.temp, firstSeen: .now, lastSeen: .now, count: 1, message: "inlet 31 °C above 27 °C", evidence: [],
            suppressed: false, flapping: false)
        try store.events.commit(
            RuleCheckpoint(changes: [EventChange(change: .opened, event: e, at: .now, notify: true)], derived: [], state: Data("{}".utf8), rulesDigest: "d", at: .now))
        return try #require(try store.events.events().first?.id)
    }

    @Test("an operator acknowledges, notes, assigns, silences and unsilences over HTTP; the event shows it; the change log carries it")
    func actions() async throws {
        let rig = try AuthRoutesTests.Rig()
        let id = try Self.openEvent(rig.store)
        try await rig.app().test(.router) { client in
            let (cookie, csrf) = try await AuthRoutesTests.login(client, "ops")
            let auth: HTTPFields = [.cookie: cookie, HTTPField.Name("X-CSRF-Token")!: csrf, .contentType: "application/json"]
            func post(_ path: String, _ body: String?, method: HTTPRequest.Method = .post) async throws -> TestResponse {
                var headers = auth
                if body == nil { headers[.contentType] = nil }
                return try await client.execute(
                    uri: "/api/v1/events/\(id)/\(path)", method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            }
            // An acknowledgement needs no body.
            let ack = try await post("ack", nil)
            #expect(ack.status == .created, "\(String(buffer: ack.body))")
            let change = try #require(AuthRoutesTests.object(ack)["change"] as? [String: Any])
            #expect(change["change"] as? String == "acknowledged" && change["actor"] as? String == "ops")
            #expect(try await post("notes", #"{"text":"CRAC-2 filter clogged"}"#).status == .created)
            #expect(try await post("assign", #"{"assignee":"ana"}"#).status == .created)
            let silenced = try await post("silence", #"{"for":"2h","note":"vendor on site"}"#)
            #expect(silenced.status == .created)
            let until = (AuthRoutesTests.object(silenced)["change"] as? [String: Any])?["until"] as? String
            #expect(until.flatMap(Timestamp.init(parsing:)).map { $0.seconds(since: .now) > 7100 } == true, "\(until ?? "nil")")
            try await client.execute(uri: "/api/v1/events/\(id)", method: .get) { r in
                let event = try #require(AuthRoutesTests.object(r)["event"] as? [String: Any])
                #expect(event["acknowledged_by"] as? String == "ops" && event["assignee"] as? String == "ana")
                #expect(event["silenced_until"] as? String == until && event["notes"] as? Int == 2)
                let kinds = (AuthRoutesTests.object(r)["changes"] as? [[String: Any]])?.compactMap { $0["change"] as? String }
                #expect(kinds == ["opened", "acknowledged", "annotated", "assigned", "silenced"])
            }
            #expect(try await post("silence", nil, method: .delete).status == .ok)
            try await client.execute(uri: "/api/v1/events/changes?after=1", method: .get) { r in
                let changes = AuthRoutesTests.object(r)["changes"] as? [[String: Any]] ?? []
                #expect(changes.compactMap { $0["change"] as? String } == ["acknowledged", "annotated", "assigned", "silenced", "unsilenced"])
                #expect(changes.compactMap { $0["actor"] as? String } == ["ops", "ops", "ops", "ops", "ops"])
                #expect(changes.first?["text"] is NSNull && changes[2]["assignee"] as? String == "ana")
            }
            // Refusals, in the one shape.
            let again = try await post("ack", nil)
            #expect(again.status == .conflict && AuthRoutesTests.error(again).code == "conflict")
            let unknown = try await post("assign", #"{"assignee":"nobody"}"#)
            #expect(unknown.status == .badRequest && AuthRoutesTests.error(unknown) == ("bad_body", "assignee"))
            let both = try await post("silence", #"{"for":"1h","until":"2030-01-01T00:00:00Z"}"#)
            #expect(both.status == .badRequest && AuthRoutesTests.error(both).field == "for")
            let badFor = try await post("silence", #"{"for":"soon"}"#)
            #expect(badFor.status == .badRequest && AuthRoutesTests.error(badFor).field == "for")
            let tooLong = try await post("silence", #"{"for":"40d"}"#)
            #expect(tooLong.status == .badRequest && AuthRoutesTests.error(tooLong).field == "for")
            let empty = try await post("notes", #"{"text":"   "}"#)
            #expect(empty.status == .badRequest && AuthRoutesTests.error(empty).field == "text")
            try await client.execute(uri: "/api/v1/events/4242/ack", method: .post, headers: auth) { r in
                #expect(r.status == .notFound)
            }
            // A viewer may read, not act.
            let (vc, vcsrf) = try await AuthRoutesTests.login(client, "vic")
            try await client.execute(
                uri: "/api/v1/events/\(id)/notes", method: .post,
                headers: [.cookie: vc, HTTPField.Name("X-CSRF-Token")!: vcsrf, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"text":"x"}"#)
            ) { r in #expect(r.status == .forbidden) }
        }
        // Each action is audited with its person.
        let audited = try rig.store.audit.entries(limit: 200).filter { $0.action.hasPrefix("event.") }.map(\.action)
        #expect(audited == ["event.ack", "event.note", "event.assign", "event.silence", "event.unsilence"])
    }
}
