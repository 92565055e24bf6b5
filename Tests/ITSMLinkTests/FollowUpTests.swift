import ContaminationRules
import ITSMLink
import Telemetry
import Testing

/// Recurring → problem and needs a change → RFC (issue 15): the thresholds, the window, the
/// trend, the category, and the closed-by-hand rule of the incident policy.
@Suite("Follow-up: recurrence, RFC drafting, tickets closed by hand", .timeLimit(.minutes(1)))
struct FollowUpTests {
    static let day = 86_400.0

    /// An incident of the fixture's condition first seen `d` days after t0.
    static func incident(day d: Double, priority: Int = 3, ticket: String? = nil) -> IncidentRecord {
        let e = event(opened: d * day)
        return IncidentRecord(opening: OpeningKey(e), ticket: ticket ?? "INC-\(Int(d))", event: e, priority: priority)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let sentence: String
        let history: [Double]
        let now: Double
        let policy: RecurrencePolicy
        let problem: Bool
        var testDescription: String { sentence }
    }

    static let cases: [Case] = [
        Case(sentence: "the third incident within 30 days opens a problem", history: [0, 10], now: 20, policy: .defaults, problem: true),
        Case(sentence: "two incidents within 30 days do not", history: [10], now: 20, policy: .defaults, problem: false),
        Case(sentence: "an incident just outside the window does not count", history: [0, 10], now: 30.001, policy: .defaults, problem: false),
        Case(sentence: "an incident exactly at the window's start counts", history: [0, 10], now: 30, policy: .defaults, problem: true),
        Case(
            sentence: "a threshold of 2 in 7 days opens on the second within a week", history: [3], now: 9,
            policy: RecurrencePolicy(incidents: 2, within: 7 * day), problem: true),
        Case(
            sentence: "a threshold of 2 in 7 days ignores one 8 days before", history: [1], now: 9,
            policy: RecurrencePolicy(incidents: 2, within: 7 * day), problem: false),
        Case(sentence: "later incidents in the history are ignored", history: [25, 40, 50], now: 20, policy: .defaults, problem: false),
    ]

    @Test("recurrence thresholds and windows", arguments: cases)
    func recurrence(_ c: Case) {
        let d = FollowUp.decide(
            Self.incident(day: c.now), history: c.history.map { Self.incident(day: $0) }, openProblem: nil, policy: c.policy, need: nil,
            openChange: nil)
        #expect((d.openProblem != nil) == c.problem, "\(d.reasons)")
        if let p = d.openProblem {
            // The problem's identity is its first incident's first-seen time in the window.
            let first = c.history.filter { $0 >= c.now - c.policy.within / Self.day && $0 < c.now }.min() ?? c.now
            #expect(p.opening == FollowUp.problemOpening(key: p.key, firstSeen: at(first * Self.day)))
            #expect(p.incidents.count >= c.policy.incidents)
            #expect(p.body.contains("INC-\(Int(c.now))"))
        }
    }

    @Test("an open problem is joined, not opened again")
    func joins() {
        let open = FollowUp.problemOpening(key: "k", firstSeen: at(0))
        let d = FollowUp.decide(
            Self.incident(day: 20), history: [Self.incident(day: 0), Self.incident(day: 10)], openProblem: open, policy: .defaults, need: nil,
            openChange: nil)
        #expect(d.openProblem == nil)
        #expect(d.joinProblem == open)
    }

    @Test("the trend counts the halves of the window and the mean gap")
    func trend() {
        // Window of 30 days ending at day 30: days 2 and 20, 25, 29 → 1 earlier, 3 later.
        let times = [2.0, 20, 25, 29].map { at($0 * Self.day) }
        let t = FollowUp.trend(times, end: at(30 * Self.day), within: 30 * Self.day)
        #expect(t.hasPrefix("rising: 1 in the earlier half of the window, 3 in the later half"), "\(t)")
        // (29 − 2) days / 3 gaps = 9 days.
        #expect(t.hasSuffix("one every 9d on average"), "\(t)")
        let falling = FollowUp.trend([1.0, 2, 20].map { at($0 * Self.day) }, end: at(30 * Self.day), within: 30 * Self.day)
        #expect(falling.hasPrefix("falling: 2 in the earlier half"))
    }

    @Test("a rule that needs a change drafts an RFC: emergency for a P1 incident, normal otherwise, the checklist on its rack")
    func drafts() {
        let need = ChangeNeed(summary: "Rebalance the rack's load", checklist: "cable-check")
        let p1 = FollowUp.decide(Self.incident(day: 0, priority: 1), history: [], openProblem: nil, policy: .defaults, need: need, openChange: nil)
        let c = try! #require(p1.draftChange)
        #expect(c.category == .emergency)
        #expect(c.cis.map(\.rawValue) == ["DC-R1-A05-TH1", "DC-R1-A05", "DC-R1"])
        #expect(c.checklist == "cable-check" && c.rack?.rawValue == "DC-R1-A05")
        #expect(c.body.contains("Evidence:") && c.body.contains("= 31.0"), "\(c.body)")
        #expect(c.body.contains("not the requester"))
        let p3 = FollowUp.decide(Self.incident(day: 0, priority: 3), history: [], openProblem: nil, policy: .defaults, need: need, openChange: nil)
        #expect(p3.draftChange?.category == .normal)
        let again = FollowUp.decide(Self.incident(day: 1), history: [], openProblem: nil, policy: .defaults, need: need, openChange: "CHG-000004")
        #expect(again.draftChange == nil)
        #expect(again.reasons.contains { $0.contains("CHG-000004 is already open") })
        let none = FollowUp.decide(Self.incident(day: 0), history: [], openProblem: nil, policy: .defaults, need: nil, openChange: nil)
        #expect(none.draftChange == nil)
    }

    @Test("a ticket closed by hand while its event fires is reopened; during the hold-off the close stands; deleted is left, never silently")
    func closedByHand() {
        let opened = run([.change(.opened, t: 0)])
        let reopened = IncidentPolicy.defaults.decide(.closedInTool(status: "resolved", at: at(100)), link: opened.link, now: at(100))
        #expect(reopened.actions.map(\.action.name) == ["reopen"])
        #expect(reopened.actions.first?.action.text.contains("resolved by hand") == true)
        #expect(reopened.link?.phase == .open)
        // The same sighting twice gives the same action key (the outbox skips the second).
        let twice = IncidentPolicy.defaults.decide(.closedInTool(status: "resolved", at: at(100)), link: opened.link, now: at(100))
        #expect(twice.actions.map(\.key) == reopened.actions.map(\.key))

        let clearing = run([.change(.opened, t: 0), .change(.resolved, t: 60)])
        let stands = IncidentPolicy.defaults.decide(.closedInTool(status: "resolved", at: at(120)), link: clearing.link, now: at(120))
        #expect(stands.actions.isEmpty)
        #expect(stands.link?.phase == .resolved(at: at(120)))
        #expect(stands.reason.contains("the close stands"))

        // on_closed_by_hand: new — the closed ticket stays closed, a new incident opens for the
        // anomaly, and the event's later changes reach the new ticket.
        var newPolicy = IncidentPolicy.defaults
        newPolicy.onClosedByHand = .new
        let fresh = newPolicy.decide(.closedInTool(status: "resolved", at: at(100)), link: opened.link, now: at(100))
        #expect(fresh.actions.map(\.action.name) == ["open"])
        #expect(fresh.actions.first?.key.opening == OpeningKey(dedupKey: opened.link!.opening.dedupKey, firstSeen: at(100)))
        #expect(fresh.actions.first?.action.text.contains("resolved by hand") == true)
        #expect(fresh.replaced?.phase == .leftOpen(at: at(100)) && fresh.replaced?.opening == opened.link?.opening)
        #expect(fresh.link?.phase == .open && fresh.link?.covers(opened.link!.opening) == true)
        let later = run([.change(.severityChanged, .warning, t: 200)], policy: newPolicy, link: fresh.link, firstSeq: 10)
        #expect(later.actions.map(\.key.opening) == [fresh.link!.opening], "the severity change goes to the new ticket")
        let deleted = IncidentPolicy.defaults.decide(.closedInTool(status: "deleted", at: at(100)), link: opened.link, now: at(100))
        #expect(deleted.actions.isEmpty)
        #expect(deleted.link?.phase == .leftOpen(at: at(100)))
        #expect(deleted.reason.contains("not reopened"))
    }
}
