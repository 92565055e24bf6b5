import ContaminationRules

/// `itsm.policy` as written in the config: every key optional, snake_case, decoded by Yams
/// (or any decoder). ``policy(at:)`` validates it into an ``IncidentPolicy``.
///
/// ```yaml
/// itsm:
///   policy:
///     minimum_severity: warning     # info | warning | critical
///     resolve_after: 10m            # hold-off before a cleared event's ticket is resolved
///     on_clear: resolve             # resolve | annotate_only
///     update_on_severity_change: true
///     update_on_flapping: true
///     reopen_within: 0s             # reopen a resolved ticket on a re-fire within this time
///     on_closed_by_hand: reopen     # reopen | new: a ticket closed in the tool while its event fires
///     priorities: {critical: 2, warning: 3, info: 4}
/// ```
public struct RawIncidentPolicy: Codable, Hashable, Sendable {
    /// `minimum_severity`: info, warning or critical.
    public var minimumSeverity: String?
    /// `resolve_after`: a duration (`10m`).
    public var resolveAfter: String?
    /// `on_clear`: resolve or annotate_only.
    public var onClear: String?
    /// `update_on_severity_change`.
    public var updateOnSeverityChange: Bool?
    /// `update_on_flapping`.
    public var updateOnFlapping: Bool?
    /// `reopen_within`: a duration (`0s`: never).
    public var reopenWithin: String?
    /// `on_closed_by_hand`: reopen or new.
    public var onClosedByHand: String?
    /// `priorities`: severity name → 1…5.
    public var priorities: [String: Int]?

    /// The snake_case keys.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case minimumSeverity = "minimum_severity"
        case resolveAfter = "resolve_after"
        case onClear = "on_clear"
        case updateOnSeverityChange = "update_on_severity_change"
        case updateOnFlapping = "update_on_flapping"
        case reopenWithin = "reopen_within"
        case onClosedByHand = "on_closed_by_hand"
        case priorities
    }

    /// Creates one from its parts.
    public init(
        minimumSeverity: String? = nil, resolveAfter: String? = nil, onClear: String? = nil, updateOnSeverityChange: Bool? = nil,
        updateOnFlapping: Bool? = nil, reopenWithin: String? = nil, priorities: [String: Int]? = nil
    ) {
        self.minimumSeverity = minimumSeverity
        self.resolveAfter = resolveAfter
        self.onClear = onClear
        self.updateOnSeverityChange = updateOnSeverityChange
        self.updateOnFlapping = updateOnFlapping
        self.reopenWithin = reopenWithin
        self.priorities = priorities
    }

    /// The policy this spells, the defaults where a key is absent; throws every problem at once,
    /// each naming its key under `path` (`itsm.policy.resolve_after: …`).
    public func policy(at path: String = "itsm.policy") throws(IncidentPolicyErrors) -> IncidentPolicy {
        var p = IncidentPolicy.defaults
        var problems: [IncidentPolicyProblem] = []
        func problem(_ key: CodingKeys, _ reason: String, _ sub: String? = nil) {
            problems.append(IncidentPolicyProblem(key: "\(path).\(key.rawValue)" + (sub.map { ".\($0)" } ?? ""), reason: reason))
        }
        let severities = Severity.allCases.map(\.rawValue).joined(separator: ", ")
        if let s = minimumSeverity {
            if let v = Severity(rawValue: s) {
                p.minimumSeverity = v
            } else {
                problem(.minimumSeverity, "'\(s)' is not a severity (use \(severities))")
            }
        }
        func duration(_ text: String?, _ key: CodingKeys) -> Double? {
            guard let text else { return nil }
            guard let d = RuleDuration(parsing: text) else {
                problem(key, "'\(text)' is not \(RuleDuration.textForm)")
                return nil
            }
            return d.seconds
        }
        if let d = duration(resolveAfter, .resolveAfter) { p.resolveAfter = d }
        if let d = duration(reopenWithin, .reopenWithin) { p.reopenWithin = d }
        if let s = onClear {
            if let v = IncidentPolicy.ClearAction(rawValue: s) {
                p.onClear = v
            } else {
                problem(.onClear, "'\(s)' is not one of \(IncidentPolicy.ClearAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let b = updateOnSeverityChange { p.updateOnSeverityChange = b }
        if let b = updateOnFlapping { p.updateOnFlapping = b }
        if let table = priorities {
            for (name, value) in table.sorted(by: { $0.key < $1.key }) {
                guard let s = Severity(rawValue: name) else {
                    problem(.priorities, "'\(name)' is not a severity (use \(severities))", name)
                    continue
                }
                guard (1...5).contains(value) else {
                    problem(.priorities, "\(value) is not a priority from 1 (highest) to 5 (lowest)", name)
                    continue
                }
                p.priorities[s] = value
            }
        }
        if let s = onClosedByHand {
            if let v = IncidentPolicy.ClosedByHandAction(rawValue: s) {
                p.onClosedByHand = v
            } else {
                problem(
                    .onClosedByHand,
                    "'\(s)' is not one of \(IncidentPolicy.ClosedByHandAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if p.reopenWithin > 0, p.onClear == .annotateOnly {
            problem(.reopenWithin, "has no effect with on_clear: annotate_only (the policy never resolves a ticket to reopen)")
        }
        guard problems.isEmpty else { throw IncidentPolicyErrors(problems: problems) }
        return p
    }
}

/// One problem in `itsm.policy`, `itsm.correlation` or `itsm.priority`: the key and why.
public struct IncidentPolicyProblem: Hashable, Sendable, CustomStringConvertible {
    /// The dotted key: `itsm.policy.minimum_severity`, `itsm.policy.priorities.urgent`, `itsm.correlation.by`,
    /// `itsm.priority.matrix[1][2]`.
    public var key: String
    /// Why the value is refused.
    public var reason: String

    /// Creates one from its parts.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `key: reason`.
    public var description: String { "\(key): \(reason)" }
}

/// Every problem of an `itsm.policy`, an `itsm.correlation` or an `itsm.priority`.
public struct IncidentPolicyErrors: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problems, in key order.
    public var problems: [IncidentPolicyProblem]

    /// Creates one from its parts.
    public init(problems: [IncidentPolicyProblem]) { self.problems = problems }

    /// One problem a line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
