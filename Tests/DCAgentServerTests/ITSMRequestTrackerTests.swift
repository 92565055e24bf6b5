import AgentStore
import ContaminationRules
@testable import DCAgentServer
import Foundation
@testable import ITSMLink
import NIOHTTP1
import Logging
import Telemetry
import TestSupport
import Testing

/// The ITSM service delivering to a real Request Tracker 5 (a private instance, so stopping it
/// disturbs no other test): one RT incident per opening with its custom fields, updated,
/// resolved after the hold-off; RT down meanwhile loses nothing and duplicates nothing; a create
/// RT took before the ticket id was committed is found again, not made twice.
@Suite("ITSM service → Request Tracker 5", .serialized, .timeLimit(.minutes(5)))
struct ITSMRequestTrackerTests {
    static func rig(_ rt: RequestTracker) throws -> ITSMServiceTests.Rig {
        var plan = ITSMPlan()
        plan.tickets = "rt"
        plan.rt = RTPlan(url: rt.baseURL, queue: RequestTracker.queue, user: rt.user, secret: .file(rt.passwordFile))
        // RT (Perl, standalone) can take over 5 s to create a ticket on a loaded machine: the
        // create then outlives the client's deadline after RT made the ticket, and the first
        // round leaves the link without its id (the retry finds it — not what these tests are
        // about). Stopped, RT refuses the connection at once, so the long deadline costs nothing.
        plan.rt?.timeout = .seconds(30)
        return try ITSMServiceTests.Rig(plan: plan)
    }

    /// The RT tickets of an opening, by TicketSQL on its custom fields (not the adapter's find,
    /// which answers one).
    static func tickets(_ client: RTClient, _ o: OpeningKey) async throws -> [Int] {
        let query = RTClient.ticketSQL(dedupKey: o.dedupKey, firstSeen: RTClient.firstSeenValue(o.firstSeen.date))
        let (status, json) = try await client.send(.GET, "/tickets", query: [("query", query), ("per_page", "50")])
        try #require(status == 200)
        return ((json as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { RTClient.int($0["id"]) }
    }

    @Test("open, update, RT down over a resolve and over a whole other incident, RT back: each ticket once, resolved, nothing lost; a create without its committed id is found again")
    func endToEnd() async throws {
        let rt = try await RequestTracker.create()
        defer { Task { try? await rt.stop() } }
        let rig = try Self.rig(rt)
        let client = RTClient(baseURL: rt.baseURL, auth: .basic(user: rt.user, password: try rt.password()), timeout: .seconds(30))
        // Unique in this RT: the first-seen time of this run.
        let t = Timestamp(milliseconds: Timestamp.now.milliseconds)
        let opening = OpeningKey(dedupKey: rig.opening.dedupKey, firstSeen: t)
        try await rig.commit(.opened, rig.event(.firing, .critical, at: t, firstSeen: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        let ids = try await Self.tickets(client, opening)
        #expect(ids.count == 1, "\(ids)")
        let id = try #require(ids.first)
        let ticket = try await client.ticket(id)
        #expect(ticket.status == "new" || ticket.status == "open", "\(ticket.status)")
        #expect(ticket.customField(RTClient.Field.ci) == "DC-R01-TH1" && ticket.customField(RTClient.Field.severity) == "critical")
        #expect(try await rig.store.itsm.links(of: opening).first?.ticket == "\(id)")

        try await rig.commit(.dataMissing, rig.event(.firing, .critical, at: t.adding(seconds: 30), missing: ["DC-R01-TH1/temperature"], firstSeen: t), at: t.adding(seconds: 30))
        try await rig.commit(.dataReturned, rig.event(.firing, .critical, at: t.adding(seconds: 60), firstSeen: t), at: t.adding(seconds: 60))
        try await rig.round(t.adding(seconds: 61))
        #expect(try await rig.store.itsm.status().pending == 0)

        // RT goes down; the event clears and the hold-off passes: the resolve waits, classed.
        try await rt.stop()
        try await rig.commit(.resolved, rig.event(.resolved, .critical, at: t.adding(seconds: 120), firstSeen: t), at: t.adding(seconds: 120))
        // Meanwhile another condition fires and clears: its open and resolve wait too.
        let otherProbe: CIID = "DC-R02-TH1"
        let otherPoint = PointID(ci: otherProbe, name: "temperature")!
        let other = Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: otherProbe, point: otherPoint), ruleID: "inlet-hot", kind: .threshold,
            severity: .warning, state: .firing, scope: otherProbe, room: "DC-H1", rack: "DC-R02", point: otherPoint,
            firstSeen: t.adding(seconds: 130), lastSeen: t.adding(seconds: 130), count: 1, message: "inlet 28 °C above 27 °C", evidence: [],
            suppressed: false, flapping: false)
        try await rig.commit(.opened, other, at: t.adding(seconds: 130))
        var otherClear = other
        (otherClear.state, otherClear.lastSeen) = (.resolved, t.adding(seconds: 140))
        try await rig.commit(.resolved, otherClear, at: t.adding(seconds: 140))
        try await rig.round(t.adding(seconds: 121))
        try await rig.round(t.adding(seconds: 741))
        var status = try await rig.store.itsm.status()
        #expect(status.pending == 3 && status.failuresByClass["unreachable"] == 1 && status.dead == 0, "\(status)")
        // RT back: the next round after the back-off delivers everything, in order per ticket.
        try await rt.start()
        try await rig.round(t.adding(seconds: 800))
        status = try await rig.store.itsm.status()
        #expect(status.pending == 0 && status.dead == 0, "\(status)")
        #expect(try await client.ticket(id).status == "resolved")
        #expect(try await Self.tickets(client, opening) == [id], "still one ticket")
        let otherIDs = try await Self.tickets(client, OpeningKey(other))
        #expect(otherIDs.count == 1, "the condition that fired and cleared while RT was down: one ticket")
        if let o = otherIDs.first { #expect(try await client.ticket(o).status == "resolved") }

        // A crash after RT took a create and before its id was committed: the ticket exists in
        // RT, the outbox still holds the open. The next delivery finds it: no second ticket.
        let t2 = t.adding(seconds: 3600)
        let second = OpeningKey(dedupKey: rig.opening.dedupKey, firstSeen: t2)
        try await rig.commit(.opened, rig.event(.firing, .critical, at: t2, firstSeen: t2), at: t2)
        try await rig.service.step(now: t2.adding(seconds: 1))
        let made = try await client.createTicket(
            queue: RequestTracker.queue, subject: "taken before the crash", body: "b",
            customFields: [
                RTClient.Field.dedupKey: second.dedupKey, RTClient.Field.firstSeen: RTClient.firstSeenValue(t2.date),
                RTClient.Field.ci: "DC-R01-TH1", RTClient.Field.severity: "critical",
            ])
        try await rig.service.dispatch(now: t2.adding(seconds: 2))
        #expect(try await Self.tickets(client, second) == [made])
        #expect(try await rig.store.itsm.links(of: second).first?.ticket == "\(made)")
    }

    @Test("a ticket deleted by hand in RT: the next update is a dead letter saying so, and the ticket stays deleted")
    func deletedByHand() async throws {
        let rt = try await RequestTracker.shared.get()
        let rig = try Self.rig(rt)
        let client = RTClient(baseURL: rt.baseURL, auth: .basic(user: rt.user, password: try rt.password()), timeout: .seconds(10))
        let t = Timestamp(milliseconds: Timestamp.now.milliseconds + 11)
        let opening = OpeningKey(dedupKey: rig.opening.dedupKey, firstSeen: t)
        try await rig.commit(.opened, rig.event(.firing, .warning, at: t, firstSeen: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        let id = try #require(try await Self.tickets(client, opening).first)
        let (status, _) = try await client.send(.DELETE, "/ticket/\(id)")
        #expect(status == 204 || status == 200, "DELETE answered \(status)")
        #expect(try await client.ticket(id).status == "deleted")
        try await rig.commit(.severityChanged, rig.event(.firing, .critical, at: t.adding(seconds: 60), firstSeen: t), at: t.adding(seconds: 60))
        try await rig.round(t.adding(seconds: 61))
        let s = try await rig.store.itsm.status()
        #expect(s.pending == 0 && s.dead == 1 && s.failuresByClass["ticket_gone"] == 1, "\(s)")
        let dead = try #require(try await rig.store.itsm.entries(state: .dead).first)
        #expect(dead.lastError?.contains("deleted by hand") == true, "\(dead.lastError ?? "")")
        #expect(try await client.ticket(id).status == "deleted", "not reopened")
    }

    @Test("a wrong password: retried and classed as credentials, never a dead letter by itself; the secret is in no error")
    func wrongPassword() async throws {
        let rt = try await RequestTracker.shared.get()
        let dir = NSTemporaryDirectory() + "dcagent-rtpw-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "not-the-password-1234".write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        var plan = ITSMPlan()
        plan.tickets = "rt"
        plan.rt = RTPlan(url: rt.baseURL, queue: RequestTracker.queue, user: rt.user, secret: .file(dir + "/pw"))
        let rig = try ITSMServiceTests.Rig(plan: plan)
        let t = Timestamp(milliseconds: Timestamp.now.milliseconds + 7)
        try await rig.commit(.opened, rig.event(.firing, .critical, at: t, firstSeen: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        let status = try await rig.store.itsm.status()
        #expect(status.pending == 1 && status.failuresByClass["credentials"] == 1 && status.dead == 0, "\(status)")
        let entry = try #require(try await rig.store.itsm.entries().first)
        #expect(entry.lastError?.contains("not-the-password-1234") == false, "\(entry.lastError ?? "")")
    }
}
