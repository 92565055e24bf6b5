import AgentStore
import ContaminationRules
import DCAgentServer
import Foundation
import ITSMLink
import Telemetry
import Testing

/// Correlation in the daemon (issue 15): the change log through the policy with its group
/// context, into the built-in tickets — a cooling failure that trips twelve probes of a rack is
/// one incident.
@Suite("ITSM service: events of one rack under one built-in ticket", .serialized, .timeLimit(.minutes(3)))
struct ITSMCorrelationTests {
    static let t0 = Timestamp(milliseconds: 1_796_000_000_000)

    static func probe(_ n: Int, rack: String = "DC-R05") -> CIID { CIID(unchecked: "\(rack)-TH\(n)") }

    static func event(_ n: Int, _ state: EventState, rack: String = "DC-R05", at: Timestamp, firstSeen: Timestamp) -> Event {
        let ci = probe(n, rack: rack)
        let point = PointID(ci: ci, name: "temperature")!
        return Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: ci, point: point), ruleID: "inlet-hot", kind: .threshold,
            severity: .critical,
            state: state, scope: ci, room: "DC-H1", rack: CIID(unchecked: rack), point: point, firstSeen: firstSeen, lastSeen: at, count: 1,
            message: "\(ci) inlet 31 °C above 30 °C", evidence: [], suppressed: false, flapping: false, dataMissing: nil)
    }

    static func firstSeen(_ n: Int) -> Timestamp { t0.adding(seconds: Double(n - 1) * 5) }
    static func opening(_ n: Int) -> OpeningKey { OpeningKey(event(n, .firing, at: t0, firstSeen: firstSeen(n))) }

    func commit(_ store: SiteStore, _ change: EventChange.Change, _ e: Event, at: Timestamp) async throws {
        try await store.events.commit(
            RuleCheckpoint(
                changes: [EventChange(change: change, event: e, at: at, notify: true)], derived: [], state: Data("{}".utf8),
                rulesDigest: "d", at: at))
    }

    @Test(
        "twelve probes of one rack firing within a minute: one built-in ticket naming the eleven members; each member's link shows its number; it resolves once, when all have cleared"
    )
    func twelveProbes() async throws {
        let rig = try ITSMServiceTests.Rig()
        let store = rig.store
        // Six fire and are handled (the ticket is made after five joined), then six more (they
        // join a ticket whose number is known); a probe of another rack has its own ticket.
        for n in 1...6 {
            try await commit(
                store, .opened, Self.event(n, .firing, at: Self.firstSeen(n), firstSeen: Self.firstSeen(n)), at: Self.firstSeen(n))
        }
        try await rig.round(Self.firstSeen(6).adding(seconds: 1))
        for n in 7...12 {
            try await commit(
                store, .opened, Self.event(n, .firing, at: Self.firstSeen(n), firstSeen: Self.firstSeen(n)), at: Self.firstSeen(n))
        }
        let other = Self.event(1, .firing, rack: "DC-R06", at: Self.firstSeen(12), firstSeen: Self.firstSeen(12))
        try await commit(store, .opened, other, at: Self.firstSeen(12))
        try await rig.round(Self.firstSeen(12).adding(seconds: 1))

        let tickets = try await store.tickets.list()
        #expect(tickets.count == 2, "one for the rack, one for the other rack: \(tickets.map(\.subject))")
        let ticket = try #require(try await store.tickets.find(Self.opening(1)))
        #expect(ticket.number == "INC-000001" && ticket.ci == "DC-R05-TH1")
        #expect(ticket.history.map(\.what) == ["opened"] + Array(repeating: "annotated", count: 11))
        for n in 2...12 {
            let note = ticket.history[n - 1].text
            #expect(note.contains("joined as member \(n - 1) of group DC-R05") && note.contains("on DC-R05-TH\(n),"), "\(note)")
            let links = try await store.itsm.links(of: Self.opening(n))
            #expect(links.map(\.ticket) == ["INC-000001"] && links.first?.state == "open", "member \(n): \(links)")
            #expect(links.first?.reason.contains("member \(n - 1) of its ticket") == true, "\(links.first?.reason ?? "")")
        }
        #expect(try await store.tickets.find(OpeningKey(other))?.number == "INC-000002")
        // The event page reads the links by event: a member's event shows the group's ticket.
        let events = try store.events.events()
        let member = try #require(events.first { $0.event.scope == Self.probe(7) })
        #expect(try await store.itsm.links(ofEvents: [member.id])[member.id]?.map(\.ticket) == ["INC-000001"])

        // The first probe clears; the others still fire: the ticket says so and stays open.
        let t1 = Self.t0.adding(seconds: 300)
        try await commit(store, .resolved, Self.event(1, .resolved, at: t1, firstSeen: Self.firstSeen(1)), at: t1)
        try await rig.round(t1.adding(seconds: 700))
        var now = try #require(try await store.tickets.find(Self.opening(1)))
        #expect(
            now.state == "open" && now.history.last?.text.contains("stays open while 11 members still fire") == true,
            "\(now.history.last?.text ?? "")")
        // All clear, the last at t2: resolved at t2 + 10 min, not before, once.
        let t2 = Self.t0.adding(seconds: 1200)
        for n in 2...12 { try await commit(store, .resolved, Self.event(n, .resolved, at: t2, firstSeen: Self.firstSeen(n)), at: t2) }
        try await rig.round(t2.adding(seconds: 599))
        now = try #require(try await store.tickets.find(Self.opening(1)))
        #expect(now.state == "open")
        #expect(now.history.last?.text.contains("The first event and every member have cleared") == true, "\(now.history.last?.text ?? "")")
        try await rig.round(t2.adding(seconds: 600))
        try await rig.round(t2.adding(seconds: 900))
        now = try #require(try await store.tickets.find(Self.opening(1)))
        #expect(now.state == "resolved" && now.history.filter { $0.what == "resolved" }.count == 1)
        for n in [1, 2, 12] { #expect(try await store.itsm.links(of: Self.opening(n)).first?.state == "resolved", "probe \(n)") }
        #expect(try await store.itsm.activeLinks(target: "builtin").map(\.opening) == [OpeningKey(other)])
        let status = try await store.itsm.status()
        #expect(status.pending == 0 && status.dead == 0)
    }

    @Test("correlation off: each probe its own ticket, as before")
    func off() async throws {
        var plan = ITSMPlan()
        plan.correlation = .off
        let rig = try ITSMServiceTests.Rig(plan: plan)
        for n in 1...3 {
            try await commit(
                rig.store, .opened, Self.event(n, .firing, at: Self.firstSeen(n), firstSeen: Self.firstSeen(n)), at: Self.firstSeen(n))
        }
        try await rig.round(Self.firstSeen(3).adding(seconds: 1))
        #expect(try await rig.store.tickets.list().count == 3)
        #expect(try await rig.store.itsm.links(of: Self.opening(2)).map(\.ticket) == ["INC-000002"])
    }
}
