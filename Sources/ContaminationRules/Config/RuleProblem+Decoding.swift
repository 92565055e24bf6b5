import Foundation

extension RuleProblem {
    /// A problem from a decoding error of a rule file (a value of the wrong type, a missing
    /// `rules` list): the rule is `#n` from the coding path, the key is the rest of the path.
    public init(decodingError error: DecodingError) {
        let (path, message): ([any CodingKey], String) =
            switch error {
            case .typeMismatch(let type, let c): (c.codingPath, "expected \(Self.typeName(type)): \(c.debugDescription)")
            case .valueNotFound(let type, let c): (c.codingPath, "missing \(Self.typeName(type)): \(c.debugDescription)")
            case .keyNotFound(let key, let c): (c.codingPath + [key], "required key is missing")
            case .dataCorrupted(let c): (c.codingPath, c.debugDescription)
            @unknown default: ([], "\(error)")
            }
        var rule = "(file)"
        var keys = path.map(\.stringValue)
        if keys.first == "rules", path.count >= 2, let index = path[1].intValue {
            rule = "#\(index + 1)"
            keys.removeFirst(2)
        }
        self.init(rule: rule, key: keys.isEmpty ? "(root)" : keys.joined(separator: "."), message: message)
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type: "a number"
        case is String.Type: "a text"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
