public import Foundation
import Telemetry

/// JSON for the engine's values that survives NaN and infinite values (a bad reading carries
/// NaN): sorted keys, non-finite numbers as the strings `nan`, `inf`, `-inf`. The engine state
/// and the stored events both use it.
public enum RuleJSON {
    /// Encodes a value.
    public static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder().encode(value) }

    /// The encoder ``encode(_:)`` uses, to encode many values with one.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
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
    ///
    /// The same JSON as `RuleJSON.encode(self)`, but the point memories — nearly all of it —
    /// are written by hand and spliced in: `JSONEncoder` builds a tree of the whole value
    /// before writing it, about three times the size of the JSON (at 10 000 points the daemon's
    /// peak memory, at every checkpoint), and its boxed values cost a quarter of the daemon's
    /// CPU there.
    public func encoded() throws -> Data {
        guard !points.isEmpty else { return try RuleJSON.encode(self) }
        var rest = self
        rest.points = [:]
        let encoder = RuleJSON.encoder()
        let head = try encoder.encode(rest)
        guard let slot = Self.emptyPointsSlot(in: head) else { return try RuleJSON.encode(self) }
        // A dictionary keyed by a non-string type is a JSON array of key, value, key, value;
        // each memory written by hand (``PointMemory/appendJSON(to:)``).
        var body: [UInt8] = [UInt8(ascii: "[")]
        body.reserveCapacity(points.count * 200)
        var first = true
        for (id, memory) in points {
            if !first { body.append(UInt8(ascii: ",")) }
            first = false
            JSONText.append(string: id.description, to: &body)
            body.append(UInt8(ascii: ","))
            memory.appendJSON(to: &body)
        }
        body.append(UInt8(ascii: "]"))
        var out = Data()
        out.reserveCapacity(head.count + body.count)
        out.append(head[head.startIndex..<slot.lowerBound])
        out.append(contentsOf: body)
        out.append(head[slot.upperBound...])
        return out
    }

    /// The `[]` of the top-level key `"points"` in the JSON of a state without points.
    static func emptyPointsSlot(in json: Data) -> Range<Data.Index>? {
        let bytes = Array(json)
        let key = Array("\"points\":[]".utf8)
        var depth = 0
        var inString = false
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                if depth == 1, bytes[i...].starts(with: key) {
                    let start = json.startIndex + i + key.count - 2
                    return start..<(start + 2)
                }
                inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
            i += 1
        }
        return nil
    }

    /// Decodes the JSON written by ``encoded()``.
    public init(encoded data: Data) throws { self = try RuleJSON.decode(RuleEngineState.self, from: data) }
}
