public import ContaminationRules
public import Telemetry

/// How events of one rack or room are grouped under one ticket (issue 15): a cooling failure
/// that trips twelve temperature probes is one incident, not twelve. Pure data;
/// ``IncidentPolicy/decide(_:link:correlation:now:)`` applies it.
///
/// Written in the config as `itsm.correlation` (``RawCorrelationPolicy``); every key is optional
/// and falls back to the defaults: by rack, a 10-minute window.
public struct CorrelationPolicy: Hashable, Sendable {
    /// What events are grouped by.
    public enum Grouping: String, Hashable, Sendable, Codable, CaseIterable {
        /// The event's rack; an event with no rack, its room.
        case rack
        /// The event's room, always.
        case room
        /// No grouping: every opening has its own ticket.
        case off
    }

    /// What events are grouped by. Default ``Grouping/rack``.
    public var by: Grouping
    /// Seconds after the parent's first-seen time within which a later opening of the same
    /// group joins the parent's ticket (exclusive). Default 10 minutes.
    public var window: Double

    /// The defaults: by rack, 10 minutes.
    public static let defaults = CorrelationPolicy()
    /// No grouping.
    public static let off = CorrelationPolicy(by: .off)

    /// Creates a policy; every argument defaults.
    public init(by: Grouping = .rack, window: Double = 600) {
        self.by = by
        self.window = window
    }

    /// The group of an event: its rack when it has one (by rack), else its room; its room (by
    /// room). Nil when it has neither, or grouping is off: such an event is never grouped.
    public func groupKey(of e: Event) -> CIID? {
        switch by {
        case .rack: e.rack ?? e.room
        case .room: e.room
        case .off: nil
        }
    }

    /// True when an opening first seen at `firstSeen` lies within the window after a parent
    /// first seen at `parent`: at or after it, and less than ``window`` seconds later.
    public func within(_ firstSeen: Timestamp, after parent: Timestamp) -> Bool {
        let d = firstSeen.seconds(since: parent)
        return d >= 0 && d < window
    }
}

/// What ``IncidentPolicy/decide(_:link:correlation:now:)`` is told of an input's group: the
/// grouping and the latest links of the openings it may touch — the open tickets of the input
/// event's rack or room (a parent to join), its own parent, its own members. The service loads
/// them; the policy picks from them and hands changed ones back in ``IncidentDecision/others``.
public struct CorrelationContext: Hashable, Sendable {
    /// The grouping in force.
    public var policy: CorrelationPolicy
    /// The links of other openings, in any order.
    public var links: [IncidentLink]

    /// No grouping and no other links: every opening stands alone.
    public static let none = CorrelationContext(policy: .off, links: [])

    /// Creates one from its parts.
    public init(policy: CorrelationPolicy, links: [IncidentLink]) {
        self.policy = policy
        self.links = links
    }
}

/// One member of a correlation group, as the parent's link records it: which opening, on
/// which CI, and whether it still fires.
public struct GroupMember: Hashable, Sendable, Codable {
    /// The member's opening (it has its own link, whose ``IncidentLink/parent`` names the parent).
    public var opening: OpeningKey
    /// The member's CI (its notes on the ticket start with it).
    public var ci: CIID
    /// Its latest severity.
    public var severity: Severity
    /// When it cleared; nil while it fires.
    public var clearedAt: Timestamp?
    /// True when it closed while its data was missing: no evidence that it cleared, so the
    /// policy does not resolve the group's ticket.
    public var unconfirmed: Bool

    /// Creates one from its parts.
    public init(opening: OpeningKey, ci: CIID, severity: Severity, clearedAt: Timestamp? = nil, unconfirmed: Bool = false) {
        self.opening = opening
        self.ci = ci
        self.severity = severity
        self.clearedAt = clearedAt
        self.unconfirmed = unconfirmed
    }
}

/// The group a parent's ticket stands for: its key (a rack or room), the grouping, its members
/// in the order they joined.
public struct CorrelationGroup: Hashable, Sendable, Codable {
    /// The rack or room: `DC-R05`.
    public var key: CIID
    /// Rack or room.
    public var by: CorrelationPolicy.Grouping
    /// The members, in the order they joined (member 1 first).
    public var members: [GroupMember]

    /// Creates one from its parts.
    public init(key: CIID, by: CorrelationPolicy.Grouping, members: [GroupMember] = []) {
        self.key = key
        self.by = by
        self.members = members
    }
}

/// `itsm.correlation` as written in the config: every key optional, decoded by Yams (or any
/// decoder). ``policy(at:)`` validates it into a ``CorrelationPolicy``.
///
/// ```yaml
/// itsm:
///   correlation:
///     by: rack        # rack | room | off
///     window: 10m     # a later opening within this time after the group's first joins its ticket
/// ```
public struct RawCorrelationPolicy: Codable, Hashable, Sendable {
    /// `by`: rack, room or off.
    public var by: String?
    /// `window`: a duration (`10m`).
    public var window: String?

    /// The keys.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case by, window
    }

    /// Creates one from its parts.
    public init(by: String? = nil, window: String? = nil) {
        self.by = by
        self.window = window
    }

    /// The policy this spells, the defaults where a key is absent; throws every problem at once,
    /// each naming its key under `path` (`itsm.correlation.window: …`).
    public func policy(at path: String = "itsm.correlation") throws(IncidentPolicyErrors) -> CorrelationPolicy {
        var p = CorrelationPolicy.defaults
        var problems: [IncidentPolicyProblem] = []
        func problem(_ key: CodingKeys, _ reason: String) {
            problems.append(IncidentPolicyProblem(key: "\(path).\(key.rawValue)", reason: reason))
        }
        if let s = by {
            if let v = CorrelationPolicy.Grouping(rawValue: s) {
                p.by = v
            } else {
                problem(.by, "'\(s)' is not one of \(CorrelationPolicy.Grouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let text = window {
            if let d = RuleDuration(parsing: text) {
                if d.seconds <= 0, p.by != .off {
                    problem(.window, "must be more than 0s (or use by: off to turn correlation off)")
                } else {
                    p.window = d.seconds
                }
            } else {
                problem(.window, "'\(text)' is not \(RuleDuration.textForm)")
            }
        }
        guard problems.isEmpty else { throw IncidentPolicyErrors(problems: problems) }
        return p
    }
}
