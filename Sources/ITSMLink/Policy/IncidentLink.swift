public import ContaminationRules
public import Telemetry


/// An operator's silence of an event: no incident is opened for it until `until`.
public struct Silence: Hashable, Sendable, Codable {
    /// When it ends (exclusive).
    public var until: Timestamp
    /// Who silenced it.
    public var by: String
    /// Why.
    public var reason: String

    /// Creates one from its parts.
    public init(until: Timestamp, by: String, reason: String) {
        self.until = until
        self.by = by
        self.reason = reason
    }

    /// True while it holds at `t`.
    public func holds(at t: Timestamp) -> Bool { t < until }
}

/// What the ITSM link knows of one condition (one dedup key) and its ticket: the state
/// ``IncidentPolicy/decide(_:link:now:)`` reads and returns. The ITSM service keeps the latest
/// one per dedup key (keyed by ``opening``, the ticket's opening).
public struct IncidentLink: Hashable, Sendable, Codable {
    /// Why a firing event has no ticket.
    public enum Withheld: String, Hashable, Sendable, Codable {
        /// A maintenance window covers its CI or room (``Event/suppressed``, ``EventChange/notify``).
        case suppressed
        /// An operator silenced it (``Silence``).
        case silenced
        /// Its severity is below ``IncidentPolicy/minimumSeverity``.
        case belowMinimum = "below_minimum"
    }

    /// Where the ticket stands.
    public enum Phase: Hashable, Sendable, Codable {
        /// The event fires; no ticket, for this reason.
        case withheld(Withheld)
        /// The ticket is open and its event fires.
        case open
        /// The ticket is open, its event cleared at `since`: the hold-off runs.
        case clearing(since: Timestamp)
        /// The policy resolved the ticket at `at` (end of this opening's ticket).
        case resolved(at: Timestamp)
        /// The ticket stays open for a person to close: `on_clear: annotate_only` after the
        /// hold-off, or an event closed while its data was missing (end of the policy's part).
        case leftOpen(at: Timestamp)
        /// The event cleared at `at` before a ticket was opened: none will be.
        case cleared(at: Timestamp)
    }

    /// The opening the ticket belongs to (the first one, when later ones joined it).
    public var opening: OpeningKey
    /// First-seen times of later openings of the same condition that re-fired within the
    /// hold-off (or ``IncidentPolicy/reopenWithin``) and went to this ticket.
    public var joined: [Timestamp]
    /// Where it stands.
    public var phase: Phase
    /// The event as last seen (to open a ticket late: when a silence or window ends).
    public var event: Event
    /// An operator's silence of this condition, while it holds (it outlives an opening).
    public var silence: Silence?
    /// The change-log sequence number last handled (replays at or below it do nothing).
    public var lastSeq: Int64?
    /// The reason of the latest decision: what a person reads next to the event.
    public var reason: String
    /// A correlation member's parent: the opening whose ticket this one joined (issue 15). Its
    /// actions go to that ticket; its phase follows its own event until the group's ticket ends.
    public var parent: OpeningKey?
    /// A correlation parent's group: the rack or room and the members that joined its ticket.
    public var group: CorrelationGroup?
    /// The priority its ticket was given (1 highest), as the ITSM service assessed it: at the
    /// open, on a severity change, or raised by a member of its group (issue 15).
    public var priority: Int? = nil

    /// Creates one from its parts.
    public init(
        opening: OpeningKey, joined: [Timestamp] = [], phase: Phase, event: Event, silence: Silence? = nil, lastSeq: Int64? = nil,
        reason: String = "", parent: OpeningKey? = nil, group: CorrelationGroup? = nil
    ) {
        self.opening = opening
        self.joined = joined
        self.phase = phase
        self.event = event
        self.silence = silence
        self.lastSeq = lastSeq
        self.reason = reason
        self.parent = parent
        self.group = group
    }

    /// The opening whose ticket this link's actions go to: its parent's, or its own.
    public var ticketOpening: OpeningKey { parent ?? opening }

    /// True when a ticket exists for this opening (open, clearing, resolved or left open).
    public var hasTicket: Bool {
        switch phase {
        case .open, .clearing, .resolved, .leftOpen: true
        case .withheld, .cleared: false
        }
    }

    /// True while the ticket is open and the policy still acts on it.
    public var ticketOpen: Bool {
        switch phase {
        case .open, .clearing: true
        default: false
        }
    }

    /// True when this link is done: the next opening of its condition starts a new one.
    public var isFinished: Bool {
        switch phase {
        case .resolved, .leftOpen, .cleared: true
        default: false
        }
    }

    /// True when `key` is this link's opening or one that joined it.
    public func covers(_ key: OpeningKey) -> Bool {
        key.dedupKey == opening.dedupKey && (key.firstSeen == opening.firstSeen || joined.contains(key.firstSeen))
    }
}
