public import Telemetry

/// A fixed limit a rule holds a point to: what a chart of that point draws as a line.
public struct PointLimit: Hashable, Sendable {
    /// The rule's id.
    public var rule: String
    /// The severity reached past it.
    public var severity: Severity
    /// The limit, in the point's unit.
    public var value: Double
    /// True when values above it are bad (false: below).
    public var rising: Bool

    public init(rule: String, severity: Severity, value: Double, rising: Bool) {
        self.rule = rule
        self.severity = severity
        self.value = value
        self.rising = rising
    }
}

extension CompiledRuleSet {
    /// The threshold rules' warning and critical levels bound to each point (sensor pages draw
    /// them); points without a threshold rule are absent.
    public var pointLimits: [PointID: [PointLimit]] {
        var out: [PointID: [PointLimit]] = [:]
        for rule in rules {
            guard case .threshold(let levels, let points) = rule.kind else { continue }
            for p in points {
                if let w = levels.warning { out[p, default: []].append(PointLimit(rule: rule.id, severity: .warning, value: w, rising: levels.rising)) }
                if let c = levels.critical { out[p, default: []].append(PointLimit(rule: rule.id, severity: .critical, value: c, rising: levels.rising)) }
            }
        }
        return out
    }
}
