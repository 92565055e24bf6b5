/// A Modbus data type the simulator serves (the subset the shipped profiles use).
enum RegisterDataType: Sendable, Equatable {
    case int16, uint16, int32, uint32, float32

    /// How many 16-bit registers one value occupies.
    var wordCount: Int {
        switch self {
        case .int16, .uint16: 1
        case .int32, .uint32, .float32: 2
        }
    }
}

/// Byte and word order of a value on the wire, named by the ABCD convention
/// (A is the most significant byte): ABCD big-endian, CDAB word-swapped,
/// BADC byte-swapped, DCBA fully reversed.
enum WordOrder: Sendable, Equatable {
    case abcd, cdab, badc, dcba
}

/// The one encoder from engineering values to register words, for every type and order.
enum RegisterEncoder {
    /// Encodes `value` as `type` after dividing by `scale` (so `scale: 0.1` stores tenths).
    /// Integer types round to nearest and clamp to the type's range, as a device saturates.
    static func encode(_ value: Double, as type: RegisterDataType, order: WordOrder = .abcd, scale: Double = 1)
        -> [UInt16]
    {
        let scaled = value / scale
        let bits: UInt32
        switch type {
        case .int16: bits = UInt32(UInt16(bitPattern: Int16(clamped(scaled, Double(Int16.min), Double(Int16.max)))))
        case .uint16: bits = UInt32(clamped(scaled, 0, Double(UInt16.max)))
        case .int32: bits = UInt32(bitPattern: Int32(clamped(scaled, Double(Int32.min), Double(Int32.max))))
        case .uint32: bits = UInt32(clamped(scaled, 0, Double(UInt32.max)))
        case .float32: bits = Float(scaled).bitPattern
        }
        return words(bits, count: type.wordCount, order: order)
    }

    /// Splits a bit pattern (the low `count` × 16 bits of `bits`) into registers in `order`.
    static func words(_ bits: UInt32, count: Int, order: WordOrder) -> [UInt16] {
        let high = UInt16(truncatingIfNeeded: bits >> 16)
        let low = UInt16(truncatingIfNeeded: bits)
        let swapBytes = order == .badc || order == .dcba
        let lowFirst = order == .cdab || order == .dcba
        let fix: (UInt16) -> UInt16 = { swapBytes ? $0.byteSwapped : $0 }
        if count == 1 { return [fix(low)] }
        return lowFirst ? [fix(low), fix(high)] : [fix(high), fix(low)]
    }

    private static func clamped(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        guard x.isFinite else { return x.sign == .minus ? lo : hi }
        return min(max(x.rounded(), lo), hi)
    }
}
