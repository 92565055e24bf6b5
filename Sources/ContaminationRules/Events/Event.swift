public import Telemetry

/// How urgent an event is.
public enum Severity: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// For the record (stranded capacity, an obligation due soon is `warning`).
    case info
    /// Needs attention.
    case warning
    /// Needs action now.
    case critical

    var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Whether an event's condition holds.
public enum EventState: String, Hashable, Sendable, Codable {
    /// The condition holds (or flaps).
    case firing
    /// The condition has cleared.
    case resolved
}

/// The rule kinds, as spelled in rule files.
public enum RuleKindName: String, Hashable, Sendable, Codable, CaseIterable {
    case threshold, rate, stale, frozen, quality, offline, state, envelope, capacity, allocation, corrosion, particles, obligation
    /// A device's own clock (the time it stamps its records with) against the agent's.
    case clock
    /// The agent's own health (readings dropped by a full store queue): built in, not
    /// configurable in a rule file.
    case agent

    /// The kinds a rule file may name.
    public static var configurable: [RuleKindName] { allCases.filter { $0 != .agent } }
}

/// An anomaly event (Lampiran II H.1): what the ITSM link records, analyses and follows up.
public struct Event: Hashable, Sendable, Codable {
    /// Stable dedup key: `rule|scope CI|point` (point empty for CI-level rules).
    public var dedupKey: String
    /// The rule that raised it.
    public var ruleID: String
    /// The rule's kind.
    public var kind: RuleKindName
    /// Current severity.
    public var severity: Severity
    /// Firing or resolved.
    public var state: EventState
    /// The CI it concerns: a sensor, device, rack or room.
    public var scope: CIID
    /// The room the CI is in (for maintenance windows and reports).
    public var room: CIID?
    /// The rack the CI is, or is mounted in (a sensor, PDU or device on a rack): where a floor
    /// engineer goes, and what `events list --rack` filters on.
    public var rack: CIID?
    /// The point it concerns, if one.
    public var point: PointID?
    /// When it first fired.
    public var firstSeen: Timestamp
    /// When its condition was last seen.
    public var lastSeen: Timestamp
    /// How many times it fired under this key while open (1, more when it flaps).
    public var count: Int
    /// For a person: value, limit, where.
    public var message: String
    /// The readings that show it (the latest few).
    public var evidence: [Reading]
    /// True while a maintenance window covers its CI or room: recorded, not notified.
    public var suppressed: Bool
    /// True while its condition flaps (many transitions within the flapping window).
    public var flapping: Bool
    /// While it fires without evidence that its condition still holds or has cleared: the
    /// inputs that made it fire and now have no fresh reading of good quality (stale, bad,
    /// absent, uncertain, a restarted series). Nil when its evidence is whole. Missing data
    /// never clears an event: it stays firing, marked, until fresh good readings decide.
    public var dataMissing: [String]?

    /// Creates an event.
    public init(
        dedupKey: String, ruleID: String, kind: RuleKindName, severity: Severity, state: EventState, scope: CIID, room: CIID?,
        rack: CIID? = nil, point: PointID?, firstSeen: Timestamp, lastSeen: Timestamp, count: Int, message: String, evidence: [Reading],
        suppressed: Bool, flapping: Bool, dataMissing: [String]? = nil
    ) {
        self.dedupKey = dedupKey
        self.ruleID = ruleID
        self.kind = kind
        self.severity = severity
        self.state = state
        self.scope = scope
        self.room = room
        self.rack = rack
        self.point = point
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.message = message
        self.evidence = evidence
        self.suppressed = suppressed
        self.flapping = flapping
        self.dataMissing = dataMissing
    }

    /// The dedup key for a rule, a scope CI and an optional point.
    public static func dedupKey(rule: String, scope: CIID, point: PointID?) -> String {
        "\(rule)|\(scope)|\(point?.description ?? "")"
    }
}
