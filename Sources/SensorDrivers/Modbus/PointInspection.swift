public import Telemetry

/// One point of a commissioning read: where it was read, the raw registers, and what they became.
public struct PointInspection: Hashable, Sendable, CustomStringConvertible {
    /// The point's name.
    public let name: String
    /// The table read.
    public let kind: RegisterKind
    /// The 0-based protocol address.
    public let address: Int
    /// The data type.
    public let type: DataType
    /// The engineering unit.
    public let unit: Unit
    /// The raw units read, nil when the request failed.
    public let raw: [UInt16]?
    /// The reading (nil for text points).
    public let reading: Reading?
    /// The text of a `string(n)` point.
    public let text: String?

    /// One line: `temperature  input[0] int16  raw 00D7 → 21.5 °C [good]`.
    public var description: String {
        let words = raw.map { $0.map(Self.hex).joined(separator: " ") } ?? "—"
        let result: String
        if let text {
            result = "\"\(text)\""
        } else if let r = reading {
            result = r.quality.hasValue ? "\(r.value) \(unit.rawValue) [\(r.quality)]" : "[\(r.quality)]"
        } else {
            result = "—"
        }
        return "\(name)  \(kind.rawValue)[\(address)] \(type)  raw \(words) → \(result)"
    }

    private static func hex(_ w: UInt16) -> String {
        let s = String(w, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
