import ContaminationRules
import Foundation
import ITSMLink
import Telemetry
import Testing

/// One sentence of issue 12 as a scenario: the steps, the actions sent (by name, in order), the
/// phase the link ends in, and words a reason must contain.
struct Scenario: Sendable, CustomTestStringConvertible {
    let sentence: String
    var policy: IncidentPolicy = .defaults
    let steps: [Step]
    let actions: [String]
    let phase: IncidentLink.Phase?
    let reason: String

    var testDescription: String { sentence }
}

let critical = IncidentPolicy(minimumSeverity: .critical)
let holdOff = IncidentPolicy.defaults.resolveAfter  // 600 s

let scenarios: [Scenario] = [
    Scenario(
        sentence: "a warning event below a critical minimum opens nothing", policy: critical,
        steps: [.change(.opened, .warning, t: 0)], actions: [], phase: .withheld(.belowMinimum),
        reason: "warning is below the minimum severity critical: no incident opened"),
    Scenario(
        sentence: "an info event below the default minimum (warning) opens nothing",
        steps: [.change(.opened, .info, t: 0)], actions: [], phase: .withheld(.belowMinimum),
        reason: "info is below the minimum severity warning"),
    Scenario(
        sentence: "a firing critical opens one incident", steps: [.change(.opened, t: 0)], actions: ["open"], phase: .open,
        reason: "critical is at or above the minimum warning: incident opened for inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@"),
    Scenario(
        sentence: "a severity change updates it", steps: [.change(.opened, .warning, t: 0), .change(.severityChanged, .critical, t: 30)],
        actions: ["open", "update"], phase: .open, reason: "severity changed to critical: ticket"),
    Scenario(
        sentence: "a severity drop below the minimum updates it and the ticket stays open", policy: critical,
        steps: [.change(.opened, t: 0), .change(.severityChanged, .warning, t: 30)], actions: ["open", "update"], phase: .open,
        reason: "below the minimum critical; the ticket stays open"),
    Scenario(
        sentence: "a warning below the minimum opens an incident when it escalates to the minimum", policy: critical,
        steps: [.change(.opened, .warning, t: 0), .change(.severityChanged, .critical, t: 30)], actions: ["open"], phase: .open,
        reason: "severity warning → critical at"),
    Scenario(
        sentence: "with update_on_severity_change false a severity change sends nothing and says so",
        policy: IncidentPolicy(updateOnSeverityChange: false),
        steps: [.change(.opened, .warning, t: 0), .change(.severityChanged, .critical, t: 30)], actions: ["open"], phase: .open,
        reason: "not sent (update_on_severity_change: false)"),
    Scenario(
        sentence: "resolved then re-fired within the hold-off keeps the same ticket (no new one)",
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 120, opened: 120)], actions: ["open", "update"],
        phase: .open, reason: "re-fired within the hold-off: ticket inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@"),
    Scenario(
        sentence: "resolved and clear until just before the hold-off ends sends nothing yet",
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .tick(60 + holdOff - 1)], actions: ["open"],
        phase: .clearing(since: at(60)), reason: "hold-off until"),
    Scenario(
        sentence: "resolved and clear past the hold-off resolves",
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .tick(60 + holdOff)], actions: ["open", "resolve"],
        phase: .resolved(at: at(60 + holdOff)), reason: "cleared at"),
    Scenario(
        sentence: "a re-fire after the hold-off (no tick between) resolves the old ticket and opens a new one",
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 1000, opened: 1000)],
        actions: ["open", "resolve", "open"], phase: .open, reason: "ticket inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@"),
    Scenario(
        sentence: "resolve_after 0 resolves when the event clears", policy: IncidentPolicy(resolveAfter: 0),
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60)], actions: ["open", "resolve"], phase: .resolved(at: at(60)),
        reason: "cleared at"),
    Scenario(
        sentence: "on_clear annotate_only never resolves", policy: IncidentPolicy(onClear: .annotateOnly),
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .tick(60 + holdOff), .tick(86_400)], actions: ["open", "annotate"],
        phase: .leftOpen(at: at(60 + holdOff)), reason: "annotated, not resolved (on_clear: annotate_only)"),
    Scenario(
        sentence: "data_missing annotates the ticket and never resolves it",
        steps: [.change(.opened, t: 0), .change(.dataMissing, t: 60, missing: ["DC-R1-A05-TH1/temperature"]), .tick(86_400)],
        actions: ["open", "annotate"], phase: .open, reason: "data missing: ticket"),
    Scenario(
        sentence: "data returned annotates the ticket, which stays open",
        steps: [
            .change(.opened, t: 0), .change(.dataMissing, t: 60, missing: ["DC-R1-A05-TH1/temperature"]), .change(.dataReturned, t: 120),
        ],
        actions: ["open", "annotate", "annotate"], phase: .open, reason: "data returned: ticket"),
    Scenario(
        sentence: "an event closed while its data is missing is annotated, not resolved",
        steps: [
            .change(.opened, t: 0), .change(.dataMissing, t: 60, missing: ["X"]), .change(.resolved, t: 120, missing: ["X"]), .tick(86_400),
        ],
        actions: ["open", "annotate", "annotate"], phase: .leftOpen(at: at(120)), reason: "closed while data missing: ticket"),
    Scenario(
        sentence: "a maintenance-suppressed event opens nothing and says so",
        steps: [.change(.opened, t: 0, suppressed: true)], actions: [], phase: .withheld(.suppressed),
        reason: "suppressed by maintenance window on DC-R1 until 2026-05-28T21:26:40.000Z (CHG-1234): no incident opened"),
    Scenario(
        sentence: "a suppressed event opens its incident when the window ends while it still fires",
        steps: [.change(.opened, t: 0, suppressed: true), .windowEnded(3600)], actions: ["open"], phase: .open,
        reason: "the maintenance window on DC-R1 ended at"),
    Scenario(
        sentence: "a suppressed event opens its incident at its first change after the window",
        steps: [.change(.opened, t: 0, suppressed: true), .change(.dataMissing, t: 4000, missing: ["X"])], actions: ["open"], phase: .open,
        reason: "data went missing at"),
    Scenario(
        sentence: "a suppressed event that clears under the window never opens one",
        steps: [.change(.opened, t: 0, suppressed: true), .change(.resolved, t: 60, suppressed: true)], actions: [],
        phase: .cleared(at: at(60)), reason: "before an incident was opened"),
    Scenario(
        sentence: "a silenced event's next opening opens nothing and says so",
        steps: [
            .change(.opened, t: 0), .op(.silence(until: at(7200), reason: "fan swap"), t: 10), .change(.resolved, t: 60),
            .tick(60 + holdOff),
            .change(.opened, t: 800, opened: 800),
        ], actions: ["open", "update", "resolve"], phase: .withheld(.silenced),
        reason: "silenced by ana until 2026-05-28T22:26:40.000Z (fan swap): no incident opened"),
    Scenario(
        sentence: "when a silence ends while the event still fires the incident opens",
        steps: [
            .change(.opened, t: 0), .op(.silence(until: at(7200), reason: "fan swap"), t: 10), .change(.resolved, t: 60),
            .tick(60 + holdOff),
            .change(.opened, t: 800, opened: 800), .tick(7199), .tick(7200),
        ], actions: ["open", "update", "resolve", "open"], phase: .open, reason: "the silence by ana ended at"),
    Scenario(
        sentence: "a silence on a withheld event is said so", policy: critical,
        steps: [.change(.opened, .warning, t: 0), .op(.silence(until: at(7200), reason: ""), t: 10)], actions: [],
        phase: .withheld(.silenced), reason: "silenced by ana until"),
    Scenario(
        sentence: "an acknowledgement on an open incident becomes an update",
        steps: [.change(.opened, t: 0), .op(.acknowledge, t: 30)], actions: ["open", "update"], phase: .open,
        reason: "acknowledged by ana"),
    Scenario(
        sentence: "a note on an open incident becomes an update",
        steps: [.change(.opened, t: 0), .op(.note("fan tray 2 replaced"), t: 30)], actions: ["open", "update"], phase: .open,
        reason: "note by ana: ticket"),
    Scenario(
        sentence: "an assignment on an open incident becomes an update",
        steps: [.change(.opened, t: 0), .op(.assign(to: "facilities"), t: 30)], actions: ["open", "update"], phase: .open,
        reason: "assigned to facilities by ana: ticket"),
    Scenario(
        sentence: "a note on a resolved incident becomes an annotation",
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .tick(60 + holdOff), .op(.note("root cause: blanking panel"), t: 900)],
        actions: ["open", "resolve", "annotate"], phase: .resolved(at: at(60 + holdOff)), reason: "annotated"),
    Scenario(
        sentence: "a note on an event without an incident stays on the event", policy: critical,
        steps: [.change(.opened, .warning, t: 0), .op(.note("watching it"), t: 30)], actions: [], phase: .withheld(.belowMinimum),
        reason: "no incident for this event"),
    Scenario(
        sentence: "a note on another opening touches nothing",
        steps: [.change(.opened, t: 0), .op(.note("old one"), t: 30, opened: -5000)], actions: ["open"], phase: .open,
        reason: "no incident for that opening"),
    Scenario(
        sentence: "flapping start and end update the ticket",
        steps: [.change(.opened, t: 0), .change(.flappingStarted, t: 300), .change(.flappingEnded, t: 2100)],
        actions: ["open", "update", "update"], phase: .open, reason: "flapping ended: ticket"),
    Scenario(
        sentence: "with update_on_flapping false flapping sends nothing and says so", policy: IncidentPolicy(updateOnFlapping: false),
        steps: [.change(.opened, t: 0), .change(.flappingStarted, t: 300)], actions: ["open"], phase: .open,
        reason: "not sent (update_on_flapping: false)"),
    Scenario(
        sentence: "a flapping start that is a new opening opens an incident",
        steps: [.change(.flappingStarted, t: 300, opened: 300)], actions: ["open"], phase: .open, reason: "started flapping at"),
    Scenario(
        sentence: "a re-fire within reopen_within reopens the resolved ticket",
        policy: IncidentPolicy(resolveAfter: 0, reopenWithin: 3600),
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 120, opened: 120)],
        actions: ["open", "resolve", "reopen"], phase: .open, reason: "reopened, no new incident"),
    Scenario(
        sentence: "a re-fire after reopen_within opens a new incident",
        policy: IncidentPolicy(resolveAfter: 0, reopenWithin: 3600),
        steps: [.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 5000, opened: 5000)],
        actions: ["open", "resolve", "open"], phase: .open, reason: "incident opened"),
]

@Suite("Incident policy (issue 12)")
struct IncidentPolicyTests {
    @Test("issue 12, sentence by sentence", arguments: scenarios)
    func scenario(_ s: Scenario) {
        let r = run(s.steps, policy: s.policy)
        #expect(r.names == s.actions, "\(r.reasons)")
        #expect(r.link?.phase == s.phase, "\(r.reasons)")
        #expect(r.reasons.contains { $0.contains(s.reason) }, "\(r.reasons)")
        // Every decision says why, nothing included, and the link carries a reason.
        #expect(r.decisions.allSatisfy { !$0.reason.isEmpty })
        #expect(r.link.map { !$0.reason.isEmpty } ?? true)
    }

    @Test("a re-fire within the hold-off is a new opening of the engine, joined to the first opening's ticket")
    func refireJoins() {
        let r = run([.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 120, opened: 120)])
        #expect(r.link?.opening == OpeningKey(event(opened: 0)))
        #expect(r.link?.joined == [at(120)])
        #expect(Set(r.actions.map(\.ticket)) == [OpeningKey(event(opened: 0))])
        // Its later changes go to the same ticket.
        let more = run(
            [.change(.severityChanged, .warning, t: 200, opened: 120), .change(.resolved, t: 300, opened: 120), .tick(300 + holdOff)],
            link: r.link, firstSeq: 10)
        #expect(more.names == ["update", "resolve"])
        #expect(more.actions.allSatisfy { $0.ticket == OpeningKey(event(opened: 0)) })
    }

    @Test("a re-fire after the hold-off is a new ticket for the new opening; the old link is handed back resolved")
    func refireAfterHoldOff() {
        let r = run([.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 1000, opened: 1000)])
        #expect(r.actions.map(\.ticket) == [OpeningKey(event(opened: 0)), OpeningKey(event(opened: 0)), OpeningKey(event(opened: 1000))])
        #expect(r.replaced.map(\.phase) == [.resolved(at: at(60 + holdOff))])
        #expect(r.link?.opening == OpeningKey(event(opened: 1000)))
    }

    @Test("the opened ticket's fields: subject, body, priority hint, CI, severity, dedup key, first seen")
    func ticketFields() throws {
        let r = run([.change(.opened, t: 0)])
        guard case .open(let f) = try #require(r.actions.first).action else {
            Issue.record("not an open: \(r.actions)")
            return
        }
        #expect(f.subject.hasPrefix("CRITICAL inlet-hot on DC-R1-A05-TH1: DC-R1-A05-TH1/temperature is 31 °C"))
        #expect(f.subject.count <= TicketFields.subjectLimit)
        #expect(f.priority == 2)
        #expect(f.ci == probe)
        #expect(f.severity == .critical)
        #expect(f.dedupKey == "inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature")
        #expect(f.firstSeen == at(0))
        for words in ["rack DC-R1-A05", "room DC-R1", "Evidence:", "Opened because: fired at", "First seen: 2026-"] {
            #expect(f.body.contains(words), "\(f.body)")
        }
    }

    @Test("the priority hint follows the severity and the policy's table", arguments: [(Severity.warning, 3), (.critical, 2)])
    func priority(_ severity: Severity, _ expected: Int) throws {
        let r = run([.change(.opened, severity, t: 0)])
        guard case .open(let f) = try #require(r.actions.first).action else { return }
        #expect(f.priority == expected)
        let custom = run([.change(.opened, severity, t: 0)], policy: IncidentPolicy(priorities: [.critical: 1, .warning: 4]))
        guard case .open(let g) = try #require(custom.actions.first).action else { return }
        #expect(g.priority == (severity == .critical ? 1 : 4))
    }

    @Test("a long message is cut to the subject limit")
    func longSubject() throws {
        var e = event()
        e.message = String(repeating: "x", count: 400)
        let d = IncidentPolicy.defaults.decide(
            .change(EventChange(change: .opened, event: e, at: at(0), notify: true), seq: 1), link: nil, now: at(0))
        guard case .open(let f) = try #require(d.actions.first).action else { return }
        #expect(f.subject.count == TicketFields.subjectLimit)
        #expect(f.subject.hasSuffix("…"))
    }

    @Test("the assignment and the acknowledgement carry their fields")
    func operatorFields() {
        let r = run([.change(.opened, t: 0), .op(.assign(to: "facilities"), t: 30), .op(.acknowledge, t: 40)])
        let updates = r.actions.compactMap { if case .update(let u) = $0.action { u } else { nil } }
        #expect(updates.map(\.assignee) == ["facilities", nil])
        #expect(updates.map(\.acknowledgedBy) == [nil, "ana"])
    }
}

@Suite("Incident policy: idempotence")
struct IncidentIdempotenceTests {
    @Test(
        "replaying the same change with the link it produced opens nothing more", arguments: [EventChange.Change.opened, .flappingStarted])
    func replayChange(_ change: EventChange.Change) {
        let first = run([.change(change, t: 0)])
        #expect(first.names == ["open"])
        let again = run([.change(change, t: 0)], link: first.link, firstSeq: 1)
        #expect(again.names == [])
        #expect(again.reasons == ["change #1 already handled (last #1): nothing to do"])
        #expect(again.link == first.link)
    }

    @Test("replaying a whole history from a lost link yields the same action keys (the dispatcher drops them)")
    func replayKeys() {
        let steps: [Step] = [
            .change(.opened, .warning, t: 0), .change(.severityChanged, .critical, t: 30), .op(.note("on it"), t: 40),
            .change(.resolved, t: 60), .tick(60 + holdOff), .change(.opened, t: 2000, opened: 2000),
        ]
        let a = run(steps)
        let b = run(steps)
        #expect(a.actions == b.actions)
        #expect(Set(a.actions.map(\.key)).count == a.actions.count)
        #expect(
            a.actions.map(\.key.description) == [
                "inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@1780000000000/open/1",
                "inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@1780000000000/update/c2",
                "inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@1780000000000/update/oop-40",
                "inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@1780000000000/resolve/t1780000660000",
                "inlet-hot|DC-R1-A05-TH1|DC-R1-A05-TH1/temperature@1780002000000/open/1",
            ])
    }

    @Test("the end of a hold-off has one key, whichever tick or change sees it first")
    func holdOffKey() {
        let byTick = run([.change(.opened, t: 0), .change(.resolved, t: 60), .tick(5000)])
        let byChange = run([.change(.opened, t: 0), .change(.resolved, t: 60), .change(.opened, t: 5000, opened: 5000)])
        #expect(byTick.actions[1].key == byChange.actions[1].key)
        #expect(byTick.actions[1].key.sequence == "t\(at(60 + holdOff).milliseconds)")
    }

    @Test("a second tick after the resolution sends nothing")
    func secondTick() {
        let r = run([.change(.opened, t: 0), .change(.resolved, t: 60), .tick(60 + holdOff), .tick(60 + holdOff), .tick(9999)])
        #expect(r.names == ["open", "resolve"])
    }

    @Test("the same input on the same link decides the same, twice")
    func pure() {
        let first = run([.change(.opened, t: 0), .change(.resolved, t: 60)])
        let d1 = IncidentPolicy.defaults.decide(.tick, link: first.link, now: at(5000))
        let d2 = IncidentPolicy.defaults.decide(.tick, link: first.link, now: at(5000))
        #expect(d1 == d2)
    }

    @Test("a change of an opening already resolved does nothing")
    func lateChange() {
        let r = run([.change(.opened, t: 0), .change(.resolved, t: 60), .tick(60 + holdOff), .change(.dataReturned, t: 61)])
        #expect(r.names == ["open", "resolve"])
        #expect(r.reasons.last?.contains("already resolved at") == true)
    }

    @Test("a link survives encoding (the service stores it)")
    func codable() throws {
        let r = run([.change(.opened, t: 0), .op(.silence(until: at(99), reason: "x"), t: 1), .change(.resolved, t: 60)])
        let link = try #require(r.link)
        let data = try JSONEncoder().encode(link)
        #expect(try JSONDecoder().decode(IncidentLink.self, from: data) == link)
    }
}
