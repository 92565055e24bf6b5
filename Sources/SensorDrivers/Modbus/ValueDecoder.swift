/// The value of one point decoded from its units.
public enum DecodedValue: Hashable, Sendable {
    /// An engineering value (raw × scale + offset), or a state number.
    case number(Double)
    /// Text of a `string(n)` point.
    case text(String)
    /// The raw value is one of the vendor's "not present" sentinels.
    case absent
    /// The raw value is one of the vendor's "could not measure" sentinels (over range, sensor
    /// error); the text says what the vendor means by it.
    case sentinel(raw: Double, meaning: String)
    /// The raw value is not a number (float NaN or infinity).
    case notFinite
}

/// Decodes one point from the units of the request that read it: one generic path for every
/// table and type (STYLE: no near-identical function per register kind).
public enum ValueDecoder {
    /// Decodes the `point.width` units starting at `point.address` within `units` read from `start`.
    public static func decode(_ point: ModbusPointPlan, units: [UInt16], start: Int) -> DecodedValue {
        let from = point.address - start
        precondition(from >= 0 && from + point.width <= units.count, "point outside its request")
        let words = units[from..<(from + point.width)]
        let raw: Double
        switch point.type {
        case .boolean:
            raw = words.first! != 0 ? 1 : 0
        case .bit(let n):
            raw = Double((words.first! >> UInt16(n)) & 1)
        case .string:
            let bytes = point.order.bigEndianBytes(of: words).prefix { $0 != 0 }
            return .text(String(decoding: bytes, as: UTF8.self).trimmingSpaces())
        default:
            raw = number(point.type, bytes: point.order.bigEndianBytes(of: words))
        }
        guard raw.isFinite else { return .notFinite }
        if point.absent.contains(raw) { return .absent }
        if let meaning = point.bad[raw] { return .sentinel(raw: raw, meaning: meaning) }
        return .number(scaled(raw, by: point.scale) + point.offset)
    }

    /// raw × scale, dividing by the reciprocal when it is a whole number so that decimal scales
    /// give the nearest double (4550 × 0.01 → 45.5, not 45.500000000000007).
    static func scaled(_ raw: Double, by scale: Double) -> Double {
        guard scale != 0, scale != 1 else { return scale == 1 ? raw : 0 }
        let reciprocal = 1 / scale
        let whole = reciprocal.rounded()
        if abs(reciprocal) > 1, abs(reciprocal - whole) < 1e-9 * abs(whole) { return raw / whole }
        return raw * scale
    }

    /// The raw number of big-endian bytes as `type`.
    static func number(_ type: DataType, bytes: [UInt8]) -> Double {
        let bits = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        switch type {
        case .int16: return Double(Int16(truncatingIfNeeded: bits))
        case .uint16: return Double(UInt16(truncatingIfNeeded: bits))
        case .int32: return Double(Int32(truncatingIfNeeded: bits))
        case .uint32: return Double(UInt32(truncatingIfNeeded: bits))
        case .int64: return Double(Int64(bitPattern: bits))
        case .uint64: return Double(bits)
        case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: return Double(bitPattern: bits)
        case .string, .bit, .boolean: preconditionFailure("not a numeric type")
        }
    }
}
