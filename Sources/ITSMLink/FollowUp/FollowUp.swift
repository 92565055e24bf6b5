public import ContaminationRules
public import Telemetry

/// When recurring incidents open a problem (issue 15, Lampiran II H.2 with F.3.b.1): `incidents`
/// incidents of one condition (its dedup key) within `within` seconds. Written as
/// `itsm.recurrence` (``RawFollowUpPolicy``).
public struct RecurrencePolicy: Hashable, Sendable {
    /// How many incidents make a recurrence. Default 3.
    public var incidents: Int
    /// Within how long, seconds. Default 30 days.
    public var within: Double

    /// The defaults: 3 incidents within 30 days.
    public static let defaults = RecurrencePolicy(incidents: 3, within: 30 * 86_400)

    /// Creates one from its parts.
    public init(incidents: Int, within: Double) {
        self.incidents = incidents
        self.within = within
    }
}

/// One incident as the follow-up sees it: the opening whose ticket was opened, and its event.
public struct IncidentRecord: Hashable, Sendable, Codable {
    /// The incident's opening (its ticket's identity).
    public var opening: OpeningKey
    /// The target's ticket reference, once known.
    public var ticket: String?
    /// The event when its incident opened.
    public var event: Event
    /// The incident's priority (1 highest … 5), as sent with its ticket.
    public var priority: Int

    /// Creates one from its parts.
    public init(opening: OpeningKey, ticket: String?, event: Event, priority: Int) {
        self.opening = opening
        self.ticket = ticket
        self.event = event
        self.priority = priority
    }
}

/// A problem the agent opens for a recurring condition: its key, the incidents behind it and
/// their trend, in words for the ticket.
public struct ProblemDraft: Hashable, Sendable, Codable {
    /// The problem's identity in the outbox and the target: `problem|<dedup key>` with the
    /// first incident's first-seen time.
    public var opening: OpeningKey
    /// The condition that recurs (the incidents' dedup key).
    public var key: String
    /// One line.
    public var subject: String
    /// What a person needs: the condition, the incidents, the trend, what to do next.
    public var body: String
    /// The incidents it was opened for, oldest first.
    public var incidents: [OpeningKey]
    /// The CI the condition concerns.
    public var ci: CIID
    /// The trend of the incidents in the window, in words.
    public var trend: String

    /// Creates one from its parts.
    public init(opening: OpeningKey, key: String, subject: String, body: String, incidents: [OpeningKey], ci: CIID, trend: String) {
        self.opening = opening
        self.key = key
        self.subject = subject
        self.body = body
        self.incidents = incidents
        self.ci = ci
        self.trend = trend
    }
}

/// The category of a request for change (ITIL: standard, normal, emergency).
public enum ChangeCategory: String, Hashable, Sendable, Codable, CaseIterable {
    /// Threatens a priority-1 service: expedited approval.
    case emergency
    /// Assessed and approved in the normal way.
    case normal
}

/// A request for change the agent drafts for an anomaly that needs one (a rule's
/// `needs_change:`). A person with the approver role, never its requester, approves it (J.2).
public struct ChangeDraft: Hashable, Sendable, Codable {
    /// The change's identity in the outbox and the target: `change|<dedup key>` with the
    /// triggering incident's first-seen time.
    public var opening: OpeningKey
    /// The incident that asked for it.
    public var incident: OpeningKey
    /// One line.
    public var subject: String
    /// Why, the evidence, the affected CIs and the checklist.
    public var body: String
    /// Emergency when a priority-1 service is threatened, otherwise normal.
    public var category: ChangeCategory
    /// Why that category.
    public var categoryReason: String
    /// The CIs it touches: the event's CI, its rack and room.
    public var cis: [CIID]
    /// The checklist template to run on ``rack`` with it, when the change touches the floor.
    public var checklist: String?
    /// The rack the checklist runs on.
    public var rack: CIID?

    /// Creates one from its parts.
    public init(
        opening: OpeningKey, incident: OpeningKey, subject: String, body: String, category: ChangeCategory, categoryReason: String,
        cis: [CIID], checklist: String?, rack: CIID?
    ) {
        self.opening = opening
        self.incident = incident
        self.subject = subject
        self.body = body
        self.category = category
        self.categoryReason = categoryReason
        self.cis = cis
        self.checklist = checklist
        self.rack = rack
    }
}

/// What the follow-up asks the dispatcher to do to a problem or change ticket (outbox actions
/// `problem.open`, `problem.link`, `problem.annotate`, `change.open`, `change.link`, `change.annotate`).
public enum FollowUpAction: Hashable, Sendable, Codable {
    /// Open the problem ticket, linked to its incidents.
    case openProblem(ProblemDraft)
    /// Link another ticket (by its opening) to this one: an incident to its problem (member),
    /// a problem to a change drafted before it (refers to).
    case linkIncident(OpeningKey, note: String)
    /// Open the change ticket, linked to its incident (and problem, when there is one).
    case openChange(ChangeDraft, problem: OpeningKey?)
    /// A note on the problem or change ticket.
    case annotate(String)

    /// The outbox action's name: `problem.open`, `change.open`, `<kind>.link`, `<kind>.annotate`.
    public func name(kind: String) -> String {
        switch self {
        case .openProblem: "problem.open"
        case .linkIncident: "\(kind).link"
        case .openChange: "change.open"
        case .annotate: "\(kind).annotate"
        }
    }
}

/// What the follow-up of one new incident decided: the problem to open or join, the change to
/// draft, and why, in words.
public struct FollowUpDecision: Hashable, Sendable {
    /// A problem to open for this recurrence.
    public var openProblem: ProblemDraft?
    /// The open problem this incident joins (its opening).
    public var joinProblem: OpeningKey?
    /// A change to draft.
    public var draftChange: ChangeDraft?
    /// Why, for a person.
    public var reasons: [String]

    /// Creates one from its parts.
    public init(openProblem: ProblemDraft? = nil, joinProblem: OpeningKey? = nil, draftChange: ChangeDraft? = nil, reasons: [String] = []) {
        self.openProblem = openProblem
        self.joinProblem = joinProblem
        self.draftChange = draftChange
        self.reasons = reasons
    }
}

/// The follow-up of an incident (issue 15): recurring → problem (F.3.b.1), needs a change →
/// request for change (E.1). Pure: the store gives it the history, it answers what to open.
public enum FollowUp {
    /// The problem's opening for a condition first seen at `firstSeen`.
    public static func problemOpening(key: String, firstSeen: Timestamp) -> OpeningKey {
        OpeningKey(dedupKey: "problem|\(key)", firstSeen: firstSeen)
    }

    /// The change's opening for an incident.
    public static func changeOpening(incident: OpeningKey) -> OpeningKey {
        OpeningKey(dedupKey: "change|\(incident.dedupKey)", firstSeen: incident.firstSeen)
    }

    /// Decides the follow-up of `incident`, a newly opened incident.
    ///
    /// - `history`: the earlier incidents of the same dedup key (any order; later ones and the
    ///   incident itself are ignored).
    /// - `openProblem`: the open problem of that key, when there is one (the incident joins it).
    /// - `need`: the rule's `needs_change:`, when it declares one.
    /// - `openChange`: true when a change for this key is already drafted or approved and not
    ///   closed (no second one is drafted).
    public static func decide(
        _ incident: IncidentRecord, history: [IncidentRecord], openProblem: OpeningKey?, policy: RecurrencePolicy, need: ChangeNeed?,
        openChange: String?
    ) -> FollowUpDecision {
        var d = FollowUpDecision()
        let e = incident.event
        let key = incident.opening.dedupKey
        let start = incident.opening.firstSeen.adding(seconds: -policy.within)
        let window = (history.filter {
            $0.opening.dedupKey == key && $0.opening.firstSeen >= start && $0.opening.firstSeen < incident.opening.firstSeen
        } + [incident]).sorted { $0.opening.firstSeen < $1.opening.firstSeen }
        let span = RuleDuration(seconds: policy.within).description
        if let p = openProblem {
            d.joinProblem = p
            d.reasons.append("recurs: joins open problem \(p.dedupKey.dropFirst("problem|".count))@\(p.firstSeen.milliseconds)")
        } else if window.count >= policy.incidents {
            let trend = trend(window.map(\.opening.firstSeen), end: incident.opening.firstSeen, within: policy.within)
            let opening = problemOpening(key: key, firstSeen: window[0].opening.firstSeen)
            let head = "Recurring: \(e.ruleID) on \(e.scope), \(window.count) incidents in \(span)"
            var lines = [
                "\(window.count) incidents of the same condition within \(span) (threshold \(policy.incidents) in \(span)): "
                    + "a problem to find the root cause (Lampiran II H.2, F.3.b.1).", "",
                "Condition: \(e.ruleID) (\(e.kind.rawValue)) on \(e.scope)"
                    + (e.rack.map { ", rack \($0)" } ?? "") + (e.room.map { ", room \($0)" } ?? ""),
                "Dedup key: \(key)", "Trend: \(trend)", "Incidents:",
            ]
            for r in window {
                lines.append("  \(r.ticket ?? "(ticket pending)") first seen \(r.opening.firstSeen), \(r.event.severity.rawValue): \(r.event.message)")
            }
            lines.append("")
            lines.append("Record the root cause and the workaround on this problem (dcagent problem known-error); later incidents of this condition carry the workaround.")
            d.openProblem = ProblemDraft(
                opening: opening, key: key, subject: String(head.prefix(TicketFields.subjectLimit)), body: lines.joined(separator: "\n"),
                incidents: window.map(\.opening), ci: e.scope, trend: trend)
            d.reasons.append("\(window.count) incidents within \(span) (threshold \(policy.incidents)): problem opened")
        } else {
            d.reasons.append("\(window.count) of \(policy.incidents) incidents within \(span): no problem yet")
        }
        if let need {
            if let existing = openChange {
                d.reasons.append("needs a change: \(existing) is already open for this condition")
            } else {
                d.draftChange = change(incident, need: need, problem: d.openProblem?.opening ?? d.joinProblem)
                d.reasons.append("needs a change (\(need.summary)): \(d.draftChange!.category.rawValue) RFC drafted")
            }
        }
        return d
    }

    /// The RFC for an incident whose rule needs a change.
    static func change(_ incident: IncidentRecord, need: ChangeNeed, problem: OpeningKey?) -> ChangeDraft {
        let e = incident.event
        let (category, why): (ChangeCategory, String) =
            incident.priority <= 1
            ? (.emergency, "the incident is P1: a priority-1 service is threatened")
            : (.normal, "the incident is P\(incident.priority): no priority-1 service is threatened")
        var cis = [e.scope]
        if let r = e.rack, !cis.contains(r) { cis.append(r) }
        if let r = e.room, !cis.contains(r) { cis.append(r) }
        let checklist = e.rack == nil ? nil : need.checklist
        var lines = [
            "\(need.summary).", "",
            "Requested by the agent for incident \(incident.ticket ?? "(ticket pending)") (\(e.ruleID) on \(e.scope), first seen \(e.firstSeen)).",
            "Category: \(category.rawValue) (\(why)).",
            "Affected CIs: \(cis.map(\.rawValue).joined(separator: ", "))",
            "Anomaly: \(e.severity.rawValue): \(e.message)",
        ]
        if !e.evidence.isEmpty {
            lines.append("Evidence:")
            for r in e.evidence { lines.append("  \(r.point) = \(r.value) (\(r.quality)) at \(r.time)") }
        }
        if let checklist, let rack = e.rack {
            lines.append("Checklist: \(checklist) on rack \(rack), started with this RFC; the change is done when the run is approved.")
        } else if need.checklist != nil {
            lines.append("Checklist: \(need.checklist!) not started (the event names no rack).")
        }
        if let problem { lines.append("Problem: \(problem.dedupKey.dropFirst("problem|".count)) (first seen \(problem.firstSeen))") }
        lines.append("Approval: a user with the approver role who is not the requester (Lampiran II J.2).")
        let head = "RFC: \(need.summary) (\(e.scope))"
        return ChangeDraft(
            opening: changeOpening(incident: incident.opening), incident: incident.opening, subject: String(head.prefix(TicketFields.subjectLimit)),
            body: lines.joined(separator: "\n"), category: category, categoryReason: why, cis: cis, checklist: checklist, rack: checklist == nil ? nil : e.rack)
    }

    /// The trend of incidents in a window ending at `end`: how many fell in its earlier and its
    /// later half, and the mean gap between them.
    public static func trend(_ times: [Timestamp], end: Timestamp, within: Double) -> String {
        let mid = end.adding(seconds: -within / 2)
        let later = times.filter { $0 >= mid }.count
        let earlier = times.count - later
        let word = later > earlier ? "rising" : later < earlier ? "falling" : "steady"
        let sorted = times.sorted()
        var gap = ""
        if sorted.count >= 2 {
            let mean = sorted.last!.seconds(since: sorted.first!) / Double(sorted.count - 1)
            gap = ", one every \(RuleDuration(seconds: (mean / 60).rounded() * 60).description) on average"
        }
        return "\(word): \(earlier) in the earlier half of the window, \(later) in the later half\(gap)"
    }
}
