/// The identifier of a configuration item, chosen by the operator and unique in its site
/// (`DC-R1-A05`, `DC-R1-A05-PDU-A`). DESIGN decision 1.
public struct CIID: Hashable, Comparable, Sendable, TextCodable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The id as the operator wrote it.
    public let rawValue: String

    /// Creates an id, or returns nil when the text is not a valid id (see ``isValid(_:)``).
    public init?(validating text: String) {
        guard Self.isValid(text) else { return nil }
        self.rawValue = text
    }

    /// Creates an id from a literal; literals are trusted to be valid.
    public init(stringLiteral value: String) {
        precondition(Self.isValid(value), "invalid CI id literal \(value)")
        self.rawValue = value
    }

    /// Creates an id without validation; for values read back from the store.
    public init(unchecked text: String) { self.rawValue = text }

    /// A valid id is 1–64 characters of letters, digits, `-`, `_` and `.`,
    /// starting with a letter or digit.
    public static func isValid(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.utf8.count <= 64 else { return false }
        guard isAlnum(first) else { return false }
        return text.unicodeScalars.allSatisfy { isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isAlnum(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s))
    }

    public var description: String { rawValue }
    public static func < (a: CIID, b: CIID) -> Bool { a.rawValue < b.rawValue }

    public init?(text: String) { self.init(validating: text) }
    public static let textForm = "a valid CI id (letters, digits, '-', '_', '.'; at most 64; starts with a letter or digit)"
}

/// The identifier of a measured or derived point: `CI-ID/point-name`
/// (`DC-R1-A05-TH1/temperature`). DESIGN decision 1.
public struct PointID: Hashable, Comparable, Sendable, TextCodable, CustomStringConvertible {
    /// The CI the point belongs to.
    public let ci: CIID
    /// The point's name inside its CI (`temperature`, `outlet.3.current`).
    public let name: String

    /// Creates a point id from its parts; nil when the name is empty or invalid.
    public init?(ci: CIID, name: String) {
        guard Self.isValidName(name) else { return nil }
        self.ci = ci
        self.name = name
    }

    /// Parses `CI-ID/point-name`; nil when the text is not of that form.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        guard let ci = CIID(validating: String(text[..<slash])) else { return nil }
        self.init(ci: ci, name: String(text[text.index(after: slash)...]))
    }

    /// A point name is 1–96 characters of letters, digits, `-`, `_` and `.`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 96
            && name.unicodeScalars.allSatisfy { s in
                s.isASCII
                    && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
                        || s == "-" || s == "_" || s == ".")
            }
    }

    /// The text form, `CI-ID/point-name`.
    public var description: String { "\(ci.rawValue)/\(name)" }

    public static func < (a: PointID, b: PointID) -> Bool { a.description < b.description }

    public init?(text: String) { self.init(text) }
    public static let textForm = "a point id of the form CI-ID/point-name"
}
