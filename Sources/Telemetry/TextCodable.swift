/// A value that files and JSON write as one string (`C07`, `ABCD`, `DC-R05/temperature`):
/// decoded by parsing the text and refused with "'<text>' is not <textForm>"; encoded as its
/// `description`, or as its raw value when it is a string enum.
///
/// A type with other written forms too (a number) writes its own `init(from:)` and calls
/// ``decodeText(_:in:)`` for the text.
public protocol TextCodable: Codable {
    /// Parses the written form (aliases included); nil when the text is not one.
    init?(text: String)
    /// What the text must be, ending the sentence "'…' is not …" (`a tile (row letter A–Z + column number, e.g. C07)`).
    static var textForm: String { get }
}

extension TextCodable {
    /// Parses `text`, or throws the data-corrupted error naming the text and ``textForm``.
    public static func decodeText(_ text: String, in c: any SingleValueDecodingContainer) throws -> Self {
        guard let value = Self(text: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is not \(textForm)")
        }
        return value
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = try Self.decodeText(c.decode(String.self), in: c)
    }
}

extension TextCodable where Self: CustomStringConvertible {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension TextCodable where Self: RawRepresentable, RawValue == String {
    // Chosen over the standard library's raw-value decoding, which knows no aliases; the
    // standard encoding (the raw value) stays.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = try Self.decodeText(c.decode(String.self), in: c)
    }
}
