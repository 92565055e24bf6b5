/// One problem in a config file: the file, the key path, where the parser saw it, and why.
package struct ConfigProblem: Error, CustomStringConvertible, Equatable, Sendable {
    package var file: String
    /// Dotted key path with indexes: `sensors[2].endpoint`.
    package var path: String
    package var line: Int?
    package var column: Int?
    package var reason: String

    package var description: String {
        var loc = file
        if let line {
            loc += ":\(line)"
            if let column { loc += ":\(column)" }
        }
        return path.isEmpty ? "\(loc): \(reason)" : "\(loc): \(path): \(reason)"
    }
}

/// Every problem found in one or more config files.
package struct ConfigErrors: Error, CustomStringConvertible {
    package var problems: [ConfigProblem]
    package var description: String {
        "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the configuration:\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
