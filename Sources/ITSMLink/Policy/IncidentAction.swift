public import ContaminationRules
public import Telemetry

/// The fields of a new ticket (ServiceNow: short description, description, priority, CI,
/// message key).
public struct TicketFields: Hashable, Sendable, Codable {
    /// One line, at most ``subjectLimit`` characters: `CRITICAL inlet-hot on DC-R1-A05-TH1: …`.
    public var subject: String
    /// What a person needs: message, rule, CI, rack, room, times, evidence, why now.
    public var body: String
    /// 1 (highest) … 5 (lowest), from the severity (``IncidentPolicy/priorities``).
    public var priority: Int
    /// The CI the event concerns.
    public var ci: CIID
    /// The event's severity.
    public var severity: Severity
    /// The event's dedup key (the ITSM tool's message key).
    public var dedupKey: String
    /// The opening's first-seen time.
    public var firstSeen: Timestamp

    /// ServiceNow's short description is 160 characters.
    public static let subjectLimit = 160

    /// Creates one from its parts.
    public init(subject: String, body: String, priority: Int, ci: CIID, severity: Severity, dedupKey: String, firstSeen: Timestamp) {
        self.subject = subject
        self.body = body
        self.priority = priority
        self.ci = ci
        self.severity = severity
        self.dedupKey = dedupKey
        self.firstSeen = firstSeen
    }
}

/// A change to an open ticket's fields with a work note.
public struct TicketUpdate: Hashable, Sendable, Codable {
    /// The work note.
    public var text: String
    /// The new severity, when it changed.
    public var severity: Severity?
    /// The new priority hint, when the severity changed.
    public var priority: Int?
    /// The new assignee, on an assignment.
    public var assignee: String?
    /// Who acknowledged it, on an acknowledgement.
    public var acknowledgedBy: String?

    /// Creates one from its parts.
    public init(text: String, severity: Severity? = nil, priority: Int? = nil, assignee: String? = nil, acknowledgedBy: String? = nil) {
        self.text = text
        self.severity = severity
        self.priority = priority
        self.assignee = assignee
        self.acknowledgedBy = acknowledgedBy
    }
}

/// What the dispatcher is asked to do to a ticket.
public enum IncidentAction: Hashable, Sendable, Codable {
    /// Open a ticket.
    case open(TicketFields)
    /// Change an open ticket's fields, with a work note.
    case update(TicketUpdate)
    /// Resolve the ticket, with a closing note.
    case resolve(String)
    /// Reopen a ticket the policy resolved, with a note.
    case reopen(String)
    /// A work note only, no field changes.
    case annotate(String)

    /// `open`, `update`, `resolve`, `reopen`, `annotate`.
    public var name: String {
        switch self {
        case .open: "open"
        case .update: "update"
        case .resolve: "resolve"
        case .reopen: "reopen"
        case .annotate: "annotate"
        }
    }

    /// The text it sends (the body for an opening).
    public var text: String {
        switch self {
        case .open(let f): f.body
        case .update(let u): u.text
        case .resolve(let t), .reopen(let t), .annotate(let t): t
        }
    }
}

/// The dispatcher's dedup key of an action: (opening, action, sequence). The same input
/// always yields the same key, so a replay after a crash is recognised by the dispatcher even
/// when the link state was lost. The sequence is `1` for an opening (one per ticket), `c<seq>`
/// for a change, `t<ms>` for the end of a hold-off (its deadline, whichever tick sees it),
/// `o<id>` for an operator action. A correlation member's actions go to its parent's opening,
/// their sequence prefixed with the member's opening (`<member opening>/c42`), its joining note
/// `<member opening>/join`.
public struct ActionKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The ticket's opening.
    public var opening: OpeningKey
    /// The action's name.
    public var action: String
    /// Its sequence within the ticket.
    public var sequence: String

    /// Creates one from its parts.
    public init(opening: OpeningKey, action: String, sequence: String) {
        self.opening = opening
        self.action = action
        self.sequence = sequence
    }

    /// `rule|scope|point@ms/update/c42`.
    public var description: String { "\(opening)/\(action)/\(sequence)" }
}

/// One outbox row: an action on the ticket of an opening, with its dedup key.
public struct OutboxAction: Hashable, Sendable, Codable {
    /// The dispatcher's dedup key.
    public var key: ActionKey
    /// What to do.
    public var action: IncidentAction

    /// Creates one from its parts.
    public init(key: ActionKey, action: IncidentAction) {
        self.key = key
        self.action = action
    }

    /// The ticket's opening.
    public var ticket: OpeningKey { key.opening }
}

/// What the policy decided for one input: the outbox actions (often none), the link's new
/// state, and why — always, nothing included.
public struct IncidentDecision: Hashable, Sendable {
    /// Actions for the outbox, in order.
    public var actions: [OutboxAction]
    /// The link after the input; nil when there was none and nothing is worth keeping.
    public var link: IncidentLink?
    /// Why, for a person: `suppressed by maintenance window on DC-R05 until …: no incident opened`.
    public var reason: String
    /// The link of an earlier opening of the same condition that this input ended or left
    /// behind (a new opening after a resolved ticket): keep it, it is that ticket's last state.
    public var replaced: IncidentLink?
    /// Links of other openings of the input's correlation group that the input changed: the
    /// parent when a member joins it or its state moves; the members when the group's ticket
    /// ends. Keep each (by its opening) as the latest of its dedup key.
    public var others: [IncidentLink]

    /// Creates one from its parts.
    public init(actions: [OutboxAction], link: IncidentLink?, reason: String, replaced: IncidentLink? = nil, others: [IncidentLink] = []) {
        self.actions = actions
        self.link = link
        self.reason = reason
        self.replaced = replaced
        self.others = others
    }
}
