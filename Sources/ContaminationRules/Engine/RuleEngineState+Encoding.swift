public import Foundation

/// JSON for the engine's values that survives NaN and infinite values (a bad reading carries
/// NaN): sorted keys, non-finite numbers as the strings `nan`, `inf`, `-inf`. The engine state
/// and the stored events both use it.
public enum RuleJSON {
    /// Encodes a value.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }

    /// Decodes what ``encode(_:)`` wrote.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }
}

extension RuleEngineState {
    /// The form the store keeps (``RuleJSON``).
    public func encoded() throws -> Data { try RuleJSON.encode(self) }

    /// Decodes the JSON written by ``encoded()``.
    public init(encoded data: Data) throws { self = try RuleJSON.decode(RuleEngineState.self, from: data) }
}
