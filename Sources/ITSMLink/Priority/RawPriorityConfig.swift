import ContaminationRules

/// `itsm.priority` as written in the config: every key optional, snake_case, decoded by Yams
/// (or any decoder). ``config(at:)`` validates it into a ``PriorityConfig``.
///
/// ```yaml
/// itsm:
///   priority:
///     matrix:                 # rows impact 1 (high) … 3 (low), columns urgency 1 (high) … 3 (low)
///       - [1, 2, 3]
///       - [2, 3, 4]
///       - [3, 4, 4]
///     urgency: {critical: 1, warning: 2, info: 3}
///     trend_window: 15m
/// ```
public struct RawPriorityConfig: Codable, Hashable, Sendable {
    /// `matrix`: 3 rows of 3 priorities 1…5.
    public var matrix: [[Int]]?
    /// `urgency`: severity name → urgency level 1…3.
    public var urgency: [String: Int]?
    /// `trend_window`: a duration (`15m`).
    public var trendWindow: String?

    /// The snake_case keys.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case matrix, urgency
        case trendWindow = "trend_window"
    }

    /// The longest trend window accepted (the trend is O(n²) in the samples it looks at).
    public static let longestTrendWindow = 86_400.0

    /// Creates one from its parts.
    public init(matrix: [[Int]]? = nil, urgency: [String: Int]? = nil, trendWindow: String? = nil) {
        self.matrix = matrix
        self.urgency = urgency
        self.trendWindow = trendWindow
    }

    /// The configuration this spells, the defaults where a key is absent; throws every problem
    /// at once, each naming its key under `path` (`itsm.priority.matrix[1][2]: 6 is not a
    /// priority 1…5`; matrix indexes count from 0, as everywhere in config paths).
    public func config(at path: String = "itsm.priority") throws(PriorityConfigErrors) -> PriorityConfig {
        var c = PriorityConfig.defaults
        var problems: [PriorityConfigProblem] = []
        func problem(_ key: CodingKeys, _ sub: String, _ reason: String) {
            problems.append(PriorityConfigProblem(key: "\(path).\(key.rawValue)\(sub)", reason: reason))
        }
        if let cells = matrix {
            let found = PriorityMatrix.problems(cells)
            for p in found { problem(.matrix, p.index, p.reason) }
            if found.isEmpty, let m = PriorityMatrix(cells) { c.matrix = m }
        }
        if let table = urgency {
            let severities = Severity.allCases.map(\.rawValue).joined(separator: ", ")
            let levels = PriorityMatrix.levels
            for (name, value) in table.sorted(by: { $0.key < $1.key }) {
                guard let s = Severity(rawValue: name) else {
                    problem(.urgency, ".\(name)", "'\(name)' is not a severity (use \(severities))")
                    continue
                }
                guard levels.contains(value) else {
                    problem(.urgency, ".\(name)", "\(value) is not an urgency \(levels.lowerBound) (high) … \(levels.upperBound) (low)")
                    continue
                }
                c.urgency[s] = value
            }
        }
        if let text = trendWindow {
            if let d = RuleDuration(parsing: text) {
                if d.seconds <= 0 || d.seconds > Self.longestTrendWindow {
                    problem(.trendWindow, "", "'\(text)' must be longer than 0 and at most \(RuleDuration(seconds: Self.longestTrendWindow))")
                } else {
                    c.trendWindow = d.seconds
                }
            } else {
                problem(.trendWindow, "", "'\(text)' is not \(RuleDuration.textForm)")
            }
        }
        guard problems.isEmpty else { throw PriorityConfigErrors(problems: problems) }
        return c
    }
}

/// One problem in `itsm.priority`: the key and why (the shape of every `itsm` key's problem).
public typealias PriorityConfigProblem = IncidentPolicyProblem

/// Every problem of an `itsm.priority`.
public typealias PriorityConfigErrors = IncidentPolicyErrors
