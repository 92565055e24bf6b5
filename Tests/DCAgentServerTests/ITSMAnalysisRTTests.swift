import AgentStore
import ContaminationRules
@testable import DCAgentServer
import FloorModel
import Foundation
import GRDB
import NIOHTTP1
@testable import ITSMLink
import Logging
import Telemetry
import TestSupport
import Testing

/// Issue 15 end to end against a real Request Tracker 5: a sensor's readings go through the
/// rules engine into events, each opening into an RT incident; the rule's `needs_change:`
/// drafts an RFC in the Changes queue with a cable check on the rack; the third incident in a
/// month opens a problem in the Problems queue whose members are the incidents, and the RFC
/// refers to the incident and the problem; a ticket a person resolves in RT while its event
/// fires is reopened.
@Suite("ITSM analysis → Request Tracker 5", .serialized, .timeLimit(.minutes(6)))
struct ITSMAnalysisRTTests {
    static let probe = PointID(ci: "DC-R01-TH1", name: "temperature")!

    static let rulesFile = """
        version: 1
        rules:
          - id: inlet-hot
            kind: threshold
            select: { points: [DC-R01-TH1/temperature] }
            direction: rising
            warning: 27
            critical: 32
            clear: 26.5
            needs_change:
              summary: Restore the rack's cooling (blanking panels, perforated tiles)
              checklist: cable-check

        """

    /// The RT ticket ids of a TicketSQL query.
    static func ids(_ client: RTClient, _ query: String) async throws -> [Int] {
        let (status, json) = try await client.send(.GET, "/tickets", query: [("query", query), ("per_page", "100")])
        try #require(status == 200, "\(query): \(status)")
        return ((json as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { RTClient.int($0["id"]) }.sorted()
    }

    @Test("sensor value → rule → event → incident → recurrence → problem → drafted RFC with its checklist run, every link in RT; closed by hand while firing → reopened")
    func endToEnd() async throws {
        // A private RT: the shared one is RTClientTests', whose shredder must have its database
        // to itself (a busy SQLite under this test's writes left a ticket unshredded once).
        let rt = try await RequestTracker.create()
        defer { Task { try? await rt.stop() } }
        var plan = ITSMFollowUpTests.plan()
        plan.tickets = "rt"
        plan.rt = RTPlan(url: rt.baseURL, queue: RequestTracker.queue, user: rt.user, secret: .file(rt.passwordFile))
        plan.rt?.timeout = .seconds(30)
        plan.changeNeeds = [:]  // from the rule file below, as the daemon does
        let rig = try ITSMFollowUpTests.rig(plan)
        let client = RTClient(baseURL: rt.baseURL, auth: .basic(user: rt.user, password: try rt.password()), timeout: .seconds(30))

        // The rules engine on the demo floor with one rule that needs a change.
        let dir = NSTemporaryDirectory() + "dcagent-analysis-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.rulesFile.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
        let floors = try FloorFiles.read(ITSMFollowUpTests.repo + "/config/floor/demo.yaml")
        let topology = RuleTopologyBuilder.topology(floors: floors, points: [PointDescriptor(id: Self.probe, quantity: .temperature, unit: .celsius)])
        let loaded = try RuleFiles.load(dir + "/rules.yaml", topology: topology)
        let need = try #require(loaded.compiled.rules.first?.needsChange)
        #expect(need.checklist == "cable-check")
        var itsmPlan = rig.service.plan
        itsmPlan.changeNeeds = ["inlet-hot": need]
        let service = try ITSMService(store: rig.store, plan: itsmPlan, clock: ContinuousClock(), logger: Logger(label: "itsm"))
        var engine = RuleEngine(rules: loaded.compiled)

        // Unique in the shared RT: this run's start.
        let t0 = Timestamp(milliseconds: (Timestamp.now.milliseconds / 1000) * 1000)
        func feed(_ value: Double, at t: Timestamp) async throws {
            let out = engine.ingest([Reading(point: Self.probe, time: t, value: value)], now: t)
            guard !out.changes.isEmpty else { return }
            try await rig.store.events.commit(
                RuleCheckpoint(changes: out.changes, derived: out.derived, state: Data("{}".utf8), rulesDigest: loaded.digest, at: t))
        }
        func round(_ now: Timestamp) async throws {
            try await service.step(now: now)
            try await service.followUp(now: now)
            try await service.dispatch(now: now)
        }
        /// One anomaly: 29.5 °C at day `d`, back to 24 °C an hour later, past the hold-off.
        func anomaly(day d: Double) async throws -> OpeningKey {
            let t = t0.adding(seconds: d * 86_400)
            try await feed(29.5, at: t)
            try await round(t.adding(seconds: 1))
            try await round(t.adding(seconds: 2))
            try await feed(24, at: t.adding(seconds: 3600))
            try await round(t.adding(seconds: 3601))
            try await round(t.adding(seconds: 3700))
            let e = try #require(try rig.store.events.events().first { $0.event.firstSeen == t }?.event, "the rule fired at day \(d)")
            #expect(e.ruleID == "inlet-hot" && e.rack == "DC-R01" && e.severity == .warning)
            return OpeningKey(e)
        }

        let first = try await anomaly(day: 0)
        let incident1 = try #require(try await rig.store.itsm.links(of: first).first?.ticket.flatMap { Int($0) }, "incident 1 in RT")
        // The RFC: in RT's Changes queue, referring to incident 1; its cable check in the agent.
        let change = try #require(try await rig.store.followUps.changes().first)
        let changeRT = try #require(
            try await rig.store.itsm.links(of: change.opening).first { $0.target == "rt" }?.ticket.flatMap { Int($0) }, "the RFC in RT")
        #expect(try await Self.ids(client, "Queue = 'Changes' AND CF.{DCAgent-DedupKey} = '\(change.opening.dedupKey)'") == [changeRT])
        #expect(try await client.ticket(changeRT).links["refers-to"] == [incident1])
        let run = try #require(change.checklistRun)
        #expect(try rig.store.checklists.run(run)?.template.id == "cable-check")
        #expect(try await client.ticket(incident1).status == "resolved", "the policy resolved incident 1 after its hold-off")

        _ = try await anomaly(day: 9)
        #expect(try await rig.store.followUps.problems().isEmpty)
        let third = try await anomaly(day: 18)
        let problem = try #require(try await rig.store.followUps.problems().first, "the third incident in 30 days opens a problem")
        let problemRT = try #require(
            try await rig.store.itsm.links(of: problem.opening).first { $0.target == "rt" }?.ticket.flatMap { Int($0) }, "the problem in RT")
        #expect(try await Self.ids(client, "Queue = 'Problems' AND CF.{DCAgent-DedupKey} = '\(problem.opening.dedupKey)'") == [problemRT])
        var incidents: [Int] = []
        for i in problem.incidents {
            let ticket = try #require(i.ticket)
            incidents.append(try #require(Int(ticket)))
        }
        #expect(incidents.count == 3 && incidents.first == incident1)
        #expect(try await client.ticket(problemRT).links["child"]?.sorted() == incidents.sorted(), "the incidents are members of the problem")
        #expect(try await client.ticket(changeRT).links["refers-to"]?.sorted() == [incident1, problemRT].sorted(), "the RFC refers to the problem too")
        let thirdRT = try #require(try await rig.store.itsm.links(of: third).first?.ticket.flatMap { Int($0) })
        #expect(try await client.ticket(thirdRT).links["parent"] == [problemRT])
        #expect(try await rig.store.itsm.status().dead == 0)

        // Both directions: an anomaly that keeps firing; a person resolves its ticket in RT.
        let t = t0.adding(seconds: 25 * 86_400)
        try await feed(30, at: t)
        try await round(t.adding(seconds: 1))
        let live = try #require(try rig.store.events.events().first { $0.event.firstSeen == t }?.event)
        let liveRT = try #require(try await rig.store.itsm.links(of: OpeningKey(live)).first?.ticket.flatMap { Int($0) })
        try await client.setStatus(ticket: liveRT, "resolved")
        #expect(try await service.pollTickets(now: t.adding(seconds: 60)) == 1)
        try await service.dispatch(now: t.adding(seconds: 61))
        #expect(try await client.ticket(liveRT).status == "open", "reopened: the anomaly still fires")
        let link = try #require(try await rig.store.itsm.links(of: OpeningKey(live)).first)
        #expect(link.state == "open" && link.reason.contains("resolved by hand") && link.reason.contains("reopened"), "\(link.reason)")
        #expect(try await service.pollTickets(now: t.adding(seconds: 120)) == 0, "open again: nothing more to do")

        // With on_closed_by_hand: new, the person's close stands and a new incident opens in RT.
        var newPlan = itsmPlan
        newPlan.policy.onClosedByHand = .new
        let strict = try ITSMService(store: rig.store, plan: newPlan, clock: ContinuousClock(), logger: Logger(label: "itsm"))
        try await client.setStatus(ticket: liveRT, "resolved")
        let seen = t.adding(seconds: 180)
        #expect(try await strict.pollTickets(now: seen) == 1)
        try await strict.dispatch(now: seen.adding(seconds: 1))
        #expect(try await client.ticket(liveRT).status == "resolved", "the close stands")
        let fresh = OpeningKey(dedupKey: live.dedupKey, firstSeen: seen)
        let freshRT = try #require(try await rig.store.itsm.links(of: fresh).first?.ticket.flatMap { Int($0) }, "a new incident in RT")
        #expect(freshRT != liveRT)
        #expect(try await client.ticket(freshRT).status != "resolved")
        #expect(try await rig.store.itsm.links(of: OpeningKey(live)).first?.state == "leftOpen")
        // The anomaly clears: the new ticket is the one resolved after the hold-off.
        try await feed(24, at: t.adding(seconds: 300))
        try await strict.step(now: t.adding(seconds: 301))
        try await strict.step(now: t.adding(seconds: 400))
        try await strict.dispatch(now: t.adding(seconds: 401))
        #expect(try await client.ticket(freshRT).status == "resolved")
    }
}
