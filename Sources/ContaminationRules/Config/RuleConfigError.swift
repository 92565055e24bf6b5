/// One problem in a rule file, naming the rule and the key.
public struct RuleProblem: Hashable, Sendable, CustomStringConvertible {
    /// The rule's id (or `#index` when it has none; `rooms`, `flapping` for top-level sections).
    public var rule: String
    /// The key path inside the rule (`warning`, `select.points[2]`).
    public var key: String
    /// What is wrong, for a person.
    public var message: String

    /// `rule 'inlet-hot', key 'warning': …`.
    public var description: String { "rule '\(rule)', key '\(key)': \(message)" }
}

/// A rule file that cannot be compiled: every problem found, not only the first.
public struct RuleConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Hashable, Sendable {
        /// One or more rules are invalid.
        case invalidRules
    }

    /// The failure's kind.
    public let code: Code
    /// The file (or source label) the rules came from.
    public let source: String
    /// Every problem found, in file order.
    public let problems: [RuleProblem]

    /// Invalid rules found in `source`.
    public static func invalidRules(_ problems: [RuleProblem], source: String) -> RuleConfigError {
        RuleConfigError(code: .invalidRules, source: source, problems: problems)
    }

    /// One line per problem, headed by the source.
    public var description: String {
        (["\(source): \(problems.count) problem(s) in the rules"] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}
