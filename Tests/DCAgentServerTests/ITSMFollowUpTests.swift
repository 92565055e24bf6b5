import AgentStore
import ContaminationRules
@testable import DCAgentServer
import FloorModel
import Foundation
import GRDB
import NIOHTTP1
import ITSMLink
import Logging
import Telemetry
import TestSupport
import Testing

/// The follow-up in the ITSM service (issue 15) with built-in tickets: a rack over its power
/// budget three times in a month opens a problem over its three incidents; the rule's
/// `needs_change:` drafts an RFC with a cable check on the rack; a known error's workaround
/// reaches the next incident; another approver — never the requester — approves the RFC.
@Suite("ITSM follow-up: recurrence → problem, KEDB, needs change → RFC", .serialized, .timeLimit(.minutes(3)))
struct ITSMFollowUpTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let rack: CIID = "DC-R01"
    static let point = PointID(ci: rack, name: "power_total")!
    static let t0 = Timestamp(milliseconds: 1_796_000_000_000)
    static let day = 86_400.0
    static let need = ChangeNeed(summary: "Rebalance the rack's load (measured power over its budget)", checklist: "cable-check")

    /// A plan whose `rack-power-budget` rule needs a change, with the shipped checklists.
    static func plan(_ base: ITSMPlan = ITSMPlan()) -> ITSMPlan {
        var p = base
        p.policy.resolveAfter = 60
        p.changeNeeds = ["rack-power-budget": need]
        p.checklistDirectory = repo + "/config/checklists"
        return p
    }

    /// The rig of the service tests, with the demo floor stored (the checklist runs on DC-R01)
    /// and people: `ana` (approver), `budi` (engineer), `eko` (approver).
    static func rig(_ plan: ITSMPlan) throws -> ITSMServiceTests.Rig {
        let rig = try ITSMServiceTests.Rig(plan: plan)
        try rig.store.floor.importFloors(try FloorFiles.read(repo + "/config/floor/demo.yaml"), actor: "ops", source: "demo.yaml")
        _ = try rig.store.users.add(name: "ana", role: .approver, fullName: nil, actor: "ops")
        _ = try rig.store.users.add(name: "budi", role: .engineer, fullName: nil, actor: "ops")
        _ = try rig.store.users.add(name: "eko", role: .approver, fullName: nil, actor: "ops")
        return rig
    }

    /// The rack's power-budget event of the opening first seen at `firstSeen`.
    static func event(_ state: EventState, firstSeen: Timestamp, at: Timestamp) -> Event {
        Event(
            dedupKey: Event.dedupKey(rule: "rack-power-budget", scope: rack, point: point), ruleID: "rack-power-budget", kind: .capacity,
            severity: .warning, state: state, scope: rack, room: "DC-H1", rack: rack, point: point, firstSeen: firstSeen, lastSeen: at,
            count: 1, message: "DC-R01 draws 4.3 kW, 86 % of its 5 kW budget", evidence: [Reading(point: point, time: at, value: 4300)],
            suppressed: false, flapping: false)
    }

    /// One incident: fires at `day` days after t0, cleared an hour later, resolved after the
    /// hold-off; every round of the service runs (decide, follow up, deliver).
    static func incident(_ rig: ITSMServiceTests.Rig, day d: Double) async throws -> OpeningKey {
        let t = t0.adding(seconds: d * day)
        try await rig.commit(.opened, event(.firing, firstSeen: t, at: t), at: t)
        try await round(rig, t.adding(seconds: 1))
        try await round(rig, t.adding(seconds: 2))
        let clear = t.adding(seconds: 3600)
        try await rig.commit(.resolved, event(.resolved, firstSeen: t, at: clear), at: clear)
        try await round(rig, clear.adding(seconds: 1))
        try await round(rig, clear.adding(seconds: 120))
        return OpeningKey(dedupKey: event(.firing, firstSeen: t, at: t).dedupKey, firstSeen: t)
    }

    static func round(_ rig: ITSMServiceTests.Rig, _ now: Timestamp) async throws {
        try await rig.service.step(now: now)
        try await rig.service.followUp(now: now)
        try await rig.service.dispatch(now: now)
    }

    @Test("three incidents in a month: one RFC on the first with its cable check, a problem on the third, the workaround on the fourth; approval by another approver")
    func builtin() async throws {
        let rig = try Self.rig(Self.plan())
        let first = try await Self.incident(rig, day: 0)
        // The first incident drafts the RFC (the rule needs a change), no problem yet.
        var changes = try await rig.store.followUps.changes()
        #expect(changes.count == 1)
        let change = try #require(changes.first)
        #expect(change.number.hasPrefix("CHG-") && change.state == "draft" && change.category == "normal")
        #expect(change.requester == "system" && change.incident == first)
        #expect(change.cis == ["DC-R01", "DC-H1"])
        let run = try #require(change.checklistRun, "the cable check starts with the RFC")
        let started = try #require(try rig.store.checklists.run(run))
        #expect(started.template.id == "cable-check" && started.target.id == Self.rack && started.changeReference == change.number)
        #expect(try await rig.store.followUps.problems().isEmpty)
        #expect(try await rig.store.followUps.followUpReason(target: "builtin", incident: first)?.contains("1 of 3 incidents") == true)

        _ = try await Self.incident(rig, day: 10)
        #expect(try await rig.store.followUps.problems().isEmpty, "two incidents are not a recurrence")
        changes = try await rig.store.followUps.changes()
        #expect(changes.count == 1, "the open RFC is not drafted twice")
        let third = try await Self.incident(rig, day: 20)
        let problems = try await rig.store.followUps.problems()
        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.state == "open" && problem.incidents.count == 3)
        #expect(problem.incidents.last?.opening == third)
        let numbers = try await rig.store.tickets.list().filter { $0.kind == "incident" }.map(\.number).sorted()
        #expect(problem.incidents.compactMap(\.ticket).sorted() == numbers, "the problem names the three incident tickets")
        #expect(problem.trend.hasPrefix("rising: 1 in the earlier half of the window, 2 in the later half"), "\(problem.trend)")

        // An engineer records the known error; the next incident of the condition carries it.
        #expect(throws: StoreError.self) {
            try rig.store.followUps.recordKnownError(problem.number, rootCause: "x", workaround: "y", by: "ana-is-not-registered")
        }
        try rig.store.followUps.recordKnownError(
            problem.number, rootCause: "A second blade chassis shares the rack's A feed", workaround: "Move one chassis to DC-R02 until the rebalance", by: "budi")
        let fourth = try await Self.incident(rig, day: 22)
        let ticket = try #require(try await rig.store.tickets.find(fourth))
        #expect(ticket.history.contains { $0.what == "annotated" && $0.text.contains("Known error \(problem.number)") && $0.text.contains("Move one chassis") },
            "\(ticket.history.map(\.text))")
        #expect(try await rig.store.followUps.problem(problem.number)?.incidents.count == 4)

        // J.2: the requester may not approve; an engineer may not; another approver may.
        #expect(throws: StoreError.self) { try rig.store.followUps.decideChange(change.number, approve: true, by: "budi", note: "") }
        #expect(throws: StoreError.self) { try rig.store.followUps.decideChange(change.number, approve: true, by: "system", note: "") }
        let approved = try rig.store.followUps.decideChange(change.number, approve: true, by: "ana", note: "rebalance Saturday")
        #expect(approved.state == "approved" && approved.decidedBy == "ana")
        #expect(throws: StoreError.self) { try rig.store.followUps.decideChange(change.number, approve: true, by: "eko", note: "") }
        let audit = try await rig.store.audit.entries(object: "change/\(change.number)", limit: 10)
        #expect(audit.map(\.action) == ["change.approve"] && audit.first?.actor == "ana")
    }

    @Test("priority from the CI graph and the trend: a warning on a probe of a rack hosting a criticality-1 service, readings rising, is P1 on the ticket and the event, and its RFC is an emergency")
    func priority() async throws {
        var plan = Self.plan()
        plan.changeNeeds = ["inlet-hot": Self.need]
        let rig = try Self.rig(plan)
        let probe = PointID(ci: "DC-R01-TH1", name: "temperature")!
        let t = Self.t0
        // 24 → 28.5 °C over the 10 minutes before it fires: +0.5 °C/min, worsening.
        let readings = (0...9).map { i in Reading(point: probe, time: t.adding(seconds: Double(i - 9) * 60), value: 24 + Double(i) * 0.5) }
        _ = try rig.store.samples.write(readings, descriptors: [probe: PointDescriptor(id: probe, quantity: .temperature, unit: .celsius)])
        let e = Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: "DC-R01-TH1", point: probe), ruleID: "inlet-hot", kind: .threshold,
            severity: .warning, state: .firing, scope: "DC-R01-TH1", room: "DC-H1", rack: Self.rack, point: probe, firstSeen: t, lastSeen: t,
            count: 1, message: "inlet 28.5 °C above 27 °C", evidence: [readings.last!], suppressed: false, flapping: false)
        try await rig.commit(.opened, e, at: t)
        try await Self.round(rig, t.adding(seconds: 1))
        try await Self.round(rig, t.adding(seconds: 2))
        let ticket = try #require(try await rig.store.tickets.find(OpeningKey(e)))
        #expect(ticket.priority == "P1", "warning (urgency 2) raised by the rising trend to 1, on a criticality-1 service: P1")
        let body = try #require(ticket.history.first?.text)
        #expect(body.contains("Priority: P1 — impact 1 (high): SVC-EMAIL criticality 1 via DC-R01-TH1 → DC-R01"), "\(body)")
        #expect(body.contains("worsening"), "\(body)")
        let link = try #require(try await rig.store.itsm.links(of: OpeningKey(e)).first)
        #expect(link.reason.contains("P1 (impact 1 (high)"), "the event shows the priority and why: \(link.reason)")
        let change = try #require(try await rig.store.followUps.changes().first)
        #expect(change.category == "emergency", "a P1 incident threatens a priority-1 service")

        // The same warning on a rack whose services are criticality 3, readings flat: P4.
        let quiet = PointID(ci: "DC-R12-TH1", name: "temperature")!
        let flat = (0...9).map { i in Reading(point: quiet, time: t.adding(seconds: Double(i - 9) * 60), value: 27.5) }
        _ = try rig.store.samples.write(flat, descriptors: [quiet: PointDescriptor(id: quiet, quantity: .temperature, unit: .celsius)])
        var q = e
        (q.dedupKey, q.scope, q.rack, q.point, q.evidence) = (Event.dedupKey(rule: "inlet-hot", scope: "DC-R12-TH1", point: quiet), "DC-R12-TH1", "DC-R12", quiet, [flat.last!])
        try await rig.commit(.opened, q, at: t)
        try await Self.round(rig, t.adding(seconds: 3))
        let low = try #require(try await rig.store.tickets.find(OpeningKey(q)))
        #expect(low.priority == "P4", "impact 3 × urgency 2 (steady) is P4 in the default matrix: \(low.history.first?.text ?? "")")
    }

    @Test("an anomaly that needs a change but joined another event's ticket (correlation) still drafts its RFC, referring to the group's ticket")
    func memberDraftsItsChange() async throws {
        let rig = try Self.rig(Self.plan())
        let t = Self.t0
        // The PDU's overload fires first and opens the rack's ticket; the rack over its budget a
        // second later joins it as a member of group DC-R01.
        let pdu = PointID(ci: "DC-R01-PDU-A", name: "load_state")!
        let overload = Event(
            dedupKey: Event.dedupKey(rule: "pdu-load-state", scope: "DC-R01-PDU-A", point: pdu), ruleID: "pdu-load-state", kind: .state,
            severity: .critical, state: .firing, scope: "DC-R01-PDU-A", room: "DC-H1", rack: Self.rack, point: pdu, firstSeen: t, lastSeen: t,
            count: 1, message: "DC-R01-PDU-A/load_state is in state overload (4)", evidence: [], suppressed: false, flapping: false)
        try await rig.commit(.opened, overload, at: t)
        try await Self.round(rig, t.adding(seconds: 1))
        let budget = Self.event(.firing, firstSeen: t.adding(seconds: 1), at: t.adding(seconds: 1))
        try await rig.commit(.opened, budget, at: t.adding(seconds: 1))
        try await Self.round(rig, t.adding(seconds: 2))
        try await Self.round(rig, t.adding(seconds: 3))
        let tickets = try await rig.store.tickets.list().filter { $0.kind == "incident" }
        #expect(tickets.count == 1, "one ticket for the rack: \(tickets.map(\.subject))")
        let group = try #require(tickets.first)
        #expect(try await rig.store.itsm.links(of: OpeningKey(budget)).first?.ticket == group.number, "the member shows the group's ticket")
        let change = try #require(try await rig.store.followUps.changes().first, "the member's rule needs a change: RFC drafted")
        #expect(change.incident == OpeningKey(budget))
        #expect(change.body.contains("incident \(group.number)"), "\(change.body)")
        #expect(change.checklistRun != nil)
        // The parent's rule needs none: one RFC only.
        #expect(try await rig.store.followUps.changes().count == 1)
    }

    @Test("a critical member joining a warning's group ticket raises the ticket's priority, once, saying why")
    func memberRaisesPriority() async throws {
        let rig = try Self.rig(Self.plan())
        let t = Self.t0
        let probe = PointID(ci: "DC-R12-TH1", name: "temperature")!
        let warm = Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: "DC-R12-TH1", point: probe), ruleID: "inlet-hot", kind: .threshold,
            severity: .warning, state: .firing, scope: "DC-R12-TH1", room: "DC-H1", rack: "DC-R12", point: probe, firstSeen: t, lastSeen: t,
            count: 1, message: "inlet 28 °C", evidence: [], suppressed: false, flapping: false)
        try await rig.commit(.opened, warm, at: t)
        try await Self.round(rig, t.adding(seconds: 1))
        let ticket = try #require(try await rig.store.tickets.find(OpeningKey(warm)))
        // DC-R12 hosts only SVC-DEVTEST (criticality 3): impact 3 × urgency 2 (warning) = P4.
        #expect(ticket.priority == "P4")
        let load = PointID(ci: "DC-R12-PDU-A", name: "load_state")!
        let overload = Event(
            dedupKey: Event.dedupKey(rule: "pdu-load-state", scope: "DC-R12-PDU-A", point: load), ruleID: "pdu-load-state", kind: .state,
            severity: .critical, state: .firing, scope: "DC-R12-PDU-A", room: "DC-H1", rack: "DC-R12", point: load,
            firstSeen: t.adding(seconds: 30), lastSeen: t.adding(seconds: 30), count: 1, message: "overload", evidence: [], suppressed: false,
            flapping: false)
        try await rig.commit(.opened, overload, at: t.adding(seconds: 30))
        try await Self.round(rig, t.adding(seconds: 31))
        // The member: impact 3 × urgency 1 (critical) = P3, higher than P4: the group's ticket rises.
        let raised = try #require(try await rig.store.tickets.find(OpeningKey(warm)))
        #expect(raised.priority == "P3", "\(raised.history.map(\.text))")
        #expect(raised.history.filter { $0.text.contains("priority raised from P4 to P3 by member DC-R12-PDU-A") }.count == 1)
        #expect(try await rig.store.tickets.list().filter { $0.kind == "incident" }.count == 1)
        // Another warning member does not lower it or say anything.
        let probe2 = PointID(ci: "DC-R12-TH2", name: "temperature")!
        var warm2 = warm
        (warm2.dedupKey, warm2.scope, warm2.point, warm2.firstSeen, warm2.lastSeen) = (
            Event.dedupKey(rule: "inlet-hot", scope: "DC-R12-TH2", point: probe2), "DC-R12-TH2", probe2, t.adding(seconds: 40), t.adding(seconds: 40)
        )
        try await rig.commit(.opened, warm2, at: t.adding(seconds: 40))
        try await Self.round(rig, t.adding(seconds: 41))
        let after = try #require(try await rig.store.tickets.find(OpeningKey(warm)))
        #expect(after.priority == "P3" && after.history.filter { $0.text.contains("priority raised") }.count == 1)
    }

    @Test("without a checklist folder the RFC is drafted without a run, and says why once")
    func noChecklistFolder() async throws {
        var plan = Self.plan()
        plan.checklistDirectory = nil
        let rig = try Self.rig(plan)
        _ = try await Self.incident(rig, day: 0)
        try await Self.round(rig, Self.t0.adding(seconds: 2 * Self.day))
        let change = try #require(try await rig.store.followUps.changes().first)
        #expect(change.checklistRun == nil && change.checklist == nil)
        let history = try #require(try await rig.store.tickets.ticket(change.number)).history
        #expect(history.filter { $0.text.contains("checklist cable-check not started: no checklists/ folder") }.count == 1, "\(history.map(\.text))")
    }

    @Test("a person who drafted a change may not approve it")
    func requesterRefused() async throws {
        let rig = try Self.rig(Self.plan())
        _ = try await Self.incident(rig, day: 0)
        let number = try #require(try await rig.store.followUps.changes().first?.number)
        // Make ana the requester, as if she had asked for it herself.
        try await rig.store.database.writer.write { db in try db.execute(sql: "UPDATE itsm_changes SET requester = 'ana'") }
        do {
            try rig.store.followUps.decideChange(number, approve: true, by: "ana", note: "")
            Issue.record("the requester approved her own change")
        } catch let e as StoreError {
            #expect(e.message.contains("requested it and may not approve it"), "\(e.message)")
        }
        #expect(try rig.store.followUps.decideChange(number, approve: false, by: "eko", note: "the load fell back").state == "rejected")
    }
}
