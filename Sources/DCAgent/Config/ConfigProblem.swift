/// One problem in a config file: the file, the key path, where the parser saw it, and why.
struct ConfigProblem: Error, CustomStringConvertible, Equatable, Sendable {
    var file: String
    /// Dotted key path with indexes: `sensors[2].endpoint`.
    var path: String
    var line: Int?
    var column: Int?
    var reason: String

    var description: String {
        var loc = file
        if let line {
            loc += ":\(line)"
            if let column { loc += ":\(column)" }
        }
        return path.isEmpty ? "\(loc): \(reason)" : "\(loc): \(path): \(reason)"
    }
}

/// Every problem found in one or more config files.
struct ConfigErrors: Error, CustomStringConvertible {
    var problems: [ConfigProblem]
    var description: String {
        "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the configuration:\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
