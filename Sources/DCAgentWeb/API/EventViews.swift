public import AgentStore
public import ContaminationRules
import Telemetry

/// An event as the v1 API and `dcagent events list --json` show it: ids as the operator writes
/// them (DESIGN decision 1), times ISO 8601 UTC, NaN values as null.
public struct EventView: Codable, Sendable, Equatable {
    public var id: Int64
    public var dedupKey: String
    public var rule: String
    public var kind: String
    public var severity: String
    public var state: String
    public var scope: String
    /// The site it belongs to; null for the agent's own events (clock, data loss).
    @Nullable public var site: String?
    @Nullable public var room: String?
    @Nullable public var rack: String?
    @Nullable public var point: String?
    public var firstSeen: String
    public var lastSeen: String
    @Nullable public var resolvedAt: String?
    public var count: Int
    public var message: String
    public var suppressed: Bool
    public var flapping: Bool
    /// The inputs whose silence keeps the event from clearing (issue 22), or null.
    @Nullable public var dataMissing: [String]?
    public var evidence: [Evidence]
    /// Who acknowledged it first, and when (null: nobody yet).
    @Nullable public var acknowledgedBy: String?
    @Nullable public var acknowledgedAt: String?
    /// Who it is assigned to.
    @Nullable public var assignee: String?
    /// Until when it is silenced (null: not silenced; a past time: the silence ended).
    @Nullable public var silencedUntil: String?
    /// How many notes operators wrote on it.
    public var notes: Int

    /// A reading that made the event.
    public struct Evidence: Codable, Sendable, Equatable {
        public var point: String
        public var time: String
        @Nullable public var value: Double?
        public var quality: String
    }

    public init(_ s: StoredEvent) {
        let e = s.event
        id = s.id
        dedupKey = e.dedupKey
        rule = e.ruleID
        kind = e.kind.rawValue
        severity = e.severity.rawValue
        state = e.state.rawValue
        scope = e.scope.rawValue
        site = s.site?.rawValue
        room = e.room?.rawValue
        rack = e.rack?.rawValue
        point = e.point?.description
        firstSeen = "\(e.firstSeen)"
        lastSeen = "\(e.lastSeen)"
        resolvedAt = s.resolvedAt.map { "\($0)" }
        count = e.count
        message = e.message
        suppressed = e.suppressed
        flapping = e.flapping
        dataMissing = e.dataMissing
        evidence = e.evidence.map {
            Evidence(point: $0.point.description, time: "\($0.time)", value: $0.value.isFinite ? $0.value : nil, quality: "\($0.quality)")
        }
        let o = s.operatorState
        (acknowledgedBy, acknowledgedAt, assignee) = (o.acknowledgedBy, o.acknowledgedAt.map { "\($0)" }, o.assignee)
        (silencedUntil, notes) = (o.silencedUntil.map { "\($0)" }, o.notes)
    }
}

/// One entry of the event change log (`event_changes`), the feed of ITSM and the live pages.
public struct EventChangeView: Codable, Sendable, Equatable {
    public var seq: Int64
    public var eventId: Int64
    public var at: String
    public var change: String
    public var notify: Bool
    public var event: EventView
    /// For an operator's action: who, the note, the assignee, the silence's end (null otherwise).
    @Nullable public var actor: String?
    @Nullable public var text: String?
    @Nullable public var assignee: String?
    @Nullable public var until: String?

    public init(_ c: StoredEventChange) {
        seq = c.seq
        eventId = c.eventID
        at = "\(c.change.at)"
        change = c.change.change.rawValue
        notify = c.change.notify
        (actor, text, assignee, until) = (c.action?.actor, c.action?.text, c.action?.assignee, c.action?.until.map { "\($0)" })
        event = EventView(
            StoredEvent(id: c.eventID, event: c.change.event, resolvedAt: c.change.event.state == .resolved ? c.change.at : nil))
    }
}

/// `GET /api/v1/events`.
public struct EventList: Codable, Sendable, Equatable {
    public var events: [EventView]
    public init(events: [EventView]) { self.events = events }
}

/// `GET /api/v1/events/changes`.
public struct EventChangeList: Codable, Sendable, Equatable {
    public var changes: [EventChangeView]
    /// The sequence number to ask after next (the last one here, or the one asked after).
    public var next: Int64
}

/// `GET /api/v1/events/{id}`: the event and its history, oldest change first.
public struct EventDetail: Codable, Sendable, Equatable {
    public var event: EventView
    public var changes: [EventChangeView]
    /// The ticket the event became at each ITSM target, and why (or why none).
    public var tickets: [TicketView]
}

/// Which ticket an event's opening became at one target, and why.
public struct TicketView: Codable, Sendable, Equatable {
    /// `builtin`, `rt`, …
    public var target: String
    /// The target's reference (`INC-000001`), null while none was made.
    @Nullable public var ticket: String?
    /// The policy's state: `withheld`, `open`, `clearing`, `resolved`, `leftOpen`, `cleared`.
    public var state: String
    /// Why, in words.
    public var reason: String
    public var updated: String

    public init(_ l: TicketLink) {
        (target, ticket, state, reason, updated) = (l.target, l.ticket, l.state, l.reason, "\(l.updated)")
    }
}
