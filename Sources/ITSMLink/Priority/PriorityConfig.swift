public import ContaminationRules
public import FloorModel

/// A ticket's priority with the reasons a person reads on the event and the ticket
/// (decree Lampiran II F.1.b.1).
public struct PriorityAssessment: Hashable, Sendable, Codable {
    /// P1 (highest) … P5 (lowest), from the matrix.
    public var priority: Int
    /// Impact level: 1 (high) … 3 (low).
    public var impact: Int
    /// Urgency level: 1 (high) … 3 (low).
    public var urgency: Int
    /// One line each for impact, urgency and priority:
    /// `impact 1 (high): SVC-SPAN criticality 1 via DC-R05 → DC-R05-SRV01`,
    /// `urgency 1 (high): warning (2), raised one step: worsening (+0.8 °C/min over 10 min)`,
    /// `P1 from the impact × urgency matrix (impact 1 × urgency 1)`.
    public var reasons: [String]

    /// Creates one from its parts.
    public init(priority: Int, impact: Int, urgency: Int, reasons: [String]) {
        self.priority = priority
        self.impact = impact
        self.urgency = urgency
        self.reasons = reasons
    }

    /// `P1`.
    public var label: String { "P\(priority)" }
}

/// How a ticket's priority is worked out: impact from the services the CI graph reaches, urgency
/// from the severity and the trend, priority from the impact × urgency matrix. Pure data;
/// written in the config as `itsm.priority` (``RawPriorityConfig``), every key optional.
public struct PriorityConfig: Hashable, Sendable {
    /// Impact × urgency → priority. Default ``PriorityMatrix/itil``.
    public var matrix: PriorityMatrix
    /// Urgency level (1 high … 3 low) of each severity before the trend. Default critical 1,
    /// warning 2, info 3.
    public var urgency: [Severity: Int]
    /// Seconds of readings the trend is judged over. Default 15 minutes.
    public var trendWindow: Double

    /// The defaults.
    public static let defaults = PriorityConfig()

    /// Creates one; every argument defaults.
    public init(matrix: PriorityMatrix = .itil, urgency: [Severity: Int] = [.critical: 1, .warning: 2, .info: 3], trendWindow: Double = 900) {
        self.matrix = matrix
        self.urgency = urgency
        self.trendWindow = trendWindow
    }

    /// The urgency level of a severity before the trend (2 when the table lacks it).
    public func urgency(of severity: Severity) -> Int { PriorityMatrix.clamp(urgency[severity] ?? 2) }

    /// The priority of an event: impact from the most critical service it threatens, urgency
    /// from its severity moved one step by its trend, priority from the matrix; with the
    /// reasons for each.
    public func assess(severity: Severity, trend: TrendEstimate, impact: ServiceImpact) -> PriorityAssessment {
        let (i, impactReason) = Self.impactLevel(impact)
        let (u, urgencyReason) = urgencyLevel(severity: severity, trend: trend)
        let p = matrix.priority(impact: i, urgency: u)
        return PriorityAssessment(
            priority: p, impact: i, urgency: u,
            reasons: [impactReason, urgencyReason, "P\(p) from the impact × urgency matrix (impact \(i) × urgency \(u))"])
    }

    /// The impact level of what an anomaly threatens: the criticality of the most critical
    /// service reached (criticality 1 → impact 1 …), 3 when no service is reached.
    public static func impactLevel(_ impact: ServiceImpact) -> (level: Int, reason: String) {
        guard let top = impact.mostCritical else {
            let level = PriorityMatrix.levels.upperBound
            let why = impact.onFloor ? "no service depends on \(impact.ci)" : "\(impact.ci) is not on the floor, so no service is known to depend on it"
            return (level, "impact \(level) (\(PriorityMatrix.levelName(level))): \(why)")
        }
        let level = PriorityMatrix.clamp(top.effectiveCriticality)
        var text = "impact \(level) (\(PriorityMatrix.levelName(level))): \(describe(top))"
        let others = impact.services.dropFirst()
        if !others.isEmpty {
            let shown = others.prefix(5).map { "\($0.service) (criticality \($0.effectiveCriticality))" }
            text += "; also \(shown.joined(separator: ", "))" + (others.count > 5 ? " and \(others.count - 5) more" : "")
        }
        return (level, text)
    }

    /// `SVC-SPAN criticality 1 via DC-R05 → DC-R05-SRV01`.
    static func describe(_ s: ImpactedService) -> String {
        let criticality = s.criticality.map { "criticality \($0)" } ?? "criticality not set (counts as \(s.effectiveCriticality))"
        let via = s.path.count > 1 ? "via \(s.via)" : "(the event is on the service)"
        return "\(s.service) \(criticality) \(via)"
    }

    /// The urgency level of a severity and a trend: the severity's level from ``urgency``,
    /// raised one step (towards 1) while the reading is worsening and lowered one step (towards
    /// 3) while it is improving. ITIL's urgency is how long the resolution can wait before the
    /// business is hurt; a reading heading for harm shortens that wait, one heading back from it
    /// lengthens it. A steady or unknown trend leaves the level as it is.
    public func urgencyLevel(severity: Severity, trend: TrendEstimate) -> (level: Int, reason: String) {
        let base = urgency(of: severity)
        let levels = PriorityMatrix.levels
        var level = base
        var how: String
        switch trend.trend {
        case .worsening:
            if base > levels.lowerBound {
                level = base - 1
                how = ", raised one step: \(trend.text)"
            } else {
                how = ", \(trend.text), already the highest"
            }
        case .improving:
            if base < levels.upperBound {
                level = base + 1
                how = ", lowered one step: \(trend.text)"
            } else {
                how = ", \(trend.text), already the lowest"
            }
        case .steady, .unknown:
            how = ", \(trend.text)"
        }
        return (level, "urgency \(level) (\(PriorityMatrix.levelName(level))): \(severity.rawValue) (\(base))\(how)")
    }
}
