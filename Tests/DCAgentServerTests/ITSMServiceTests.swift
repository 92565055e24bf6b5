import AgentStore
import ContaminationRules
import DCAgentServer
import Foundation
import GRDB
import ITSMLink
import Logging
import Telemetry
import TestSupport
import Testing

/// The ITSM service in process, its time given: events committed as the rules commit them, the
/// change log through the incident policy into the outbox, delivered to built-in tickets.
@Suite("ITSM service: events into built-in incidents", .serialized, .timeLimit(.minutes(3)))
struct ITSMServiceTests {
    static let probe: CIID = "DC-R01-TH1"
    static let temp = PointID(ci: probe, name: "temperature")!
    static let t0 = Timestamp(milliseconds: 1_796_000_000_000)

    final class Rig: Sendable {
        let dir: String
        let store: SiteStore
        let service: ITSMService<ContinuousClock>

        convenience init(policy: IncidentPolicy = .defaults) throws {
            var plan = ITSMPlan()
            plan.policy = policy
            try self.init(plan: plan)
        }

        init(plan: ITSMPlan) throws {
            dir = NSTemporaryDirectory() + "dcagent-itsm-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            store = try SiteStore(
                path: dir + "/i.sqlite", auditKeyFile: dir + "/audit.key", auditAnchorFile: dir + "/audit.anchor", logger: Logger(label: "t"))
            _ = try store.users.add(name: "ops", role: .admin, fullName: nil, actor: nil)
            service = try ITSMService(store: store, plan: plan, clock: ContinuousClock(), logger: Logger(label: "itsm"))
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func event(_ state: EventState, _ severity: Severity, at: Timestamp, missing: [String]? = nil, firstSeen: Timestamp = ITSMServiceTests.t0) -> Event {
            Event(
                dedupKey: Event.dedupKey(rule: "inlet-hot", scope: ITSMServiceTests.probe, point: ITSMServiceTests.temp), ruleID: "inlet-hot",
                kind: .threshold, severity: severity, state: state, scope: ITSMServiceTests.probe, room: "DC-H1", rack: "DC-R01",
                point: ITSMServiceTests.temp, firstSeen: firstSeen, lastSeen: at, count: 1, message: "inlet 29.5 °C above 27 °C",
                evidence: [], suppressed: false, flapping: false, dataMissing: missing)
        }

        func commit(_ change: EventChange.Change, _ e: Event, at: Timestamp) async throws {
            try await store.events.commit(
                RuleCheckpoint(changes: [EventChange(change: change, event: e, at: at, notify: true)], derived: [], state: Data("{}".utf8), rulesDigest: "d", at: at))
        }

        /// One round of the service at `now`: decide, then deliver.
        func round(_ now: Timestamp) async throws {
            try await service.step(now: now)
            try await service.dispatch(now: now)
        }

        var opening: OpeningKey { OpeningKey(dedupKey: Event.dedupKey(rule: "inlet-hot", scope: ITSMServiceTests.probe, point: ITSMServiceTests.temp), firstSeen: ITSMServiceTests.t0) }
    }

    @Test("a firing event opens one ticket; severity updates it; a clear resolves it after the hold-off, not before")
    func lifecycle() async throws {
        let rig = try Rig()
        let t = Self.t0
        try await rig.commit(.opened, rig.event(.firing, .warning, at: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        let opened = try #require(try await rig.store.tickets.find(rig.opening))
        // No floor is stored here, so no service is threatened: impact 3 (low) × urgency 2 (a
        // warning, no readings for a trend) is P4 in the default matrix.
        #expect(opened.number == "INC-000001" && opened.state == "open" && opened.priority == "P4" && opened.ci == "DC-R01-TH1")
        #expect(opened.subject.contains("DC-R01-TH1") || opened.subject.contains("inlet"), "\(opened.subject)")
        let links = try await rig.store.itsm.links(of: rig.opening)
        #expect(links.map(\.ticket) == ["INC-000001"] && links.first?.state == "open")
        try await rig.commit(.severityChanged, rig.event(.firing, .critical, at: t.adding(seconds: 60)), at: t.adding(seconds: 60))
        try await rig.round(t.adding(seconds: 61))
        #expect(try await rig.store.tickets.find(rig.opening)?.history.map(\.what) == ["opened", "updated"])
        #expect(try await rig.store.tickets.find(rig.opening)?.priority == "P3", "the severity update sets the ticket's priority")
        #expect(try await rig.store.tickets.find(rig.opening)?.history.last?.text.contains("Priority now P3") == true, "critical: urgency 1 × impact 3 is P3")
        let clearedAt = t.adding(seconds: 120)
        try await rig.commit(.resolved, rig.event(.resolved, .critical, at: clearedAt), at: clearedAt)
        try await rig.round(clearedAt.adding(seconds: 1))
        try await rig.round(clearedAt.adding(seconds: 599))
        #expect(try await rig.store.tickets.find(rig.opening)?.state == "open", "still within the 10 min hold-off")
        #expect(try await rig.store.itsm.links(of: rig.opening).first?.state == "clearing")
        try await rig.round(clearedAt.adding(seconds: 601))
        let closed = try #require(try await rig.store.tickets.find(rig.opening))
        #expect(closed.state == "resolved" && closed.history.map(\.what) == ["opened", "updated", "resolved"])
        #expect(try await rig.store.tickets.list().count == 1)
        let status = try await rig.store.itsm.status()
        #expect(status.pending == 0 && status.sent == 3 && status.dead == 0)
    }

    @Test("a re-fire within the hold-off is a new opening joined to the same ticket, which the new event names too")
    func joined() async throws {
        let rig = try Rig()
        let t = Self.t0
        try await rig.commit(.opened, rig.event(.firing, .critical, at: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        try await rig.commit(.resolved, rig.event(.resolved, .critical, at: t.adding(seconds: 60)), at: t.adding(seconds: 60))
        try await rig.round(t.adding(seconds: 61))
        let again = t.adding(seconds: 300)
        try await rig.commit(.opened, rig.event(.firing, .critical, at: again, firstSeen: again), at: again)
        try await rig.round(again.adding(seconds: 1))
        #expect(try await rig.store.tickets.list().map(\.number) == ["INC-000001"], "no second incident")
        #expect(try await rig.store.tickets.find(rig.opening)?.state == "open")
        let second = OpeningKey(dedupKey: rig.opening.dedupKey, firstSeen: again)
        #expect(try await rig.store.itsm.links(of: second).map(\.ticket) == ["INC-000001"])
        // Past the hold-off after the second clear, the one ticket resolves.
        try await rig.commit(.resolved, rig.event(.resolved, .critical, at: again.adding(seconds: 60), firstSeen: again), at: again.adding(seconds: 60))
        try await rig.round(again.adding(seconds: 61))
        try await rig.round(again.adding(seconds: 700))
        #expect(try await rig.store.tickets.find(rig.opening)?.state == "resolved")
        #expect(try await rig.store.tickets.list().count == 1)
    }

    @Test("a crash after queueing (the cursor lost) queues nothing twice and makes no second ticket")
    func replay() async throws {
        let rig = try Rig()
        let t = Self.t0
        try await rig.commit(.opened, rig.event(.firing, .critical, at: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        try await rig.store.database.writer.write { db in try db.execute(sql: "DELETE FROM itsm_cursors") }
        try await rig.round(t.adding(seconds: 2))
        #expect(try await rig.store.tickets.list().count == 1)
        #expect(try await rig.store.itsm.entries().count == 1)
    }

    @Test("below the minimum severity or silenced by an operator: no ticket, the reason kept; the silence's end opens it")
    func withheld() async throws {
        var policy = IncidentPolicy.defaults
        policy.minimumSeverity = .critical
        let rig = try Rig(policy: policy)
        let t = Self.t0
        try await rig.commit(.opened, rig.event(.firing, .warning, at: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        #expect(try await rig.store.tickets.list().isEmpty)
        let link = try #require(try await rig.store.itsm.links(of: rig.opening).first)
        #expect(link.state == "withheld" && link.reason.contains("below the minimum"), "\(link.reason)")
        // An operator silences it for an hour; it turns critical meanwhile: still no ticket.
        let id = try #require(try await rig.store.events.events().first?.id)
        try rig.store.eventActions.silence(id, until: t.adding(seconds: 3600), note: "vendor on site", actor: "ops", now: t.adding(seconds: 10))
        try await rig.commit(.severityChanged, rig.event(.firing, .critical, at: t.adding(seconds: 60)), at: t.adding(seconds: 60))
        try await rig.round(t.adding(seconds: 61))
        #expect(try await rig.store.tickets.list().isEmpty)
        let silenced = try #require(try await rig.store.itsm.links(of: rig.opening).first)
        #expect(silenced.reason.contains("silence") || silenced.reason.contains("silenced"), "\(silenced.reason)")
        // The silence ends while it still fires: the next tick opens the incident.
        try await rig.round(t.adding(seconds: 3601))
        let ticket = try #require(try await rig.store.tickets.find(rig.opening))
        #expect(ticket.state == "open" && ticket.severity == "critical")
    }

    @Test("data missing annotates and never resolves; a close while data is missing leaves the ticket open")
    func dataMissing() async throws {
        let rig = try Rig()
        let t = Self.t0
        try await rig.commit(.opened, rig.event(.firing, .critical, at: t), at: t)
        try await rig.round(t.adding(seconds: 1))
        try await rig.commit(.dataMissing, rig.event(.firing, .critical, at: t.adding(seconds: 60), missing: ["DC-R01-TH1/temperature"]), at: t.adding(seconds: 60))
        try await rig.commit(.resolved, rig.event(.resolved, .critical, at: t.adding(seconds: 120), missing: ["DC-R01-TH1/temperature"]), at: t.adding(seconds: 120))
        try await rig.round(t.adding(seconds: 121))
        try await rig.round(t.adding(seconds: 7200))
        let ticket = try #require(try await rig.store.tickets.find(rig.opening))
        #expect(ticket.state == "open" && ticket.history.map(\.what) == ["opened", "annotated", "annotated"], "\(ticket.history)")
    }
}
