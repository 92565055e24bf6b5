/// A fixed decimal factor (`0.01`, `0.1`, `1000`) kept as mantissa × 10^−exponent, so that
/// raw 121 × 0.01 is computed as 121 / 100 and gives exactly the literal 1.21.
public struct SNMPScale: Hashable, Sendable, CustomStringConvertible {
    /// The integer mantissa.
    public let mantissa: Int64
    /// The power of ten the mantissa is divided by (≥ 0).
    public let exponent: Int

    /// The unit factor.
    public static let one = SNMPScale(mantissa: 1, exponent: 0)

    /// Creates a scale from a mantissa and a decimal exponent.
    public init(mantissa: Int64, exponent: Int) {
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// Finds the decimal form of a factor written in a profile; nil when it has more than 12 decimals,
    /// is zero, or is not finite.
    public init?(_ factor: Double) {
        guard factor.isFinite, factor != 0, abs(factor) < 1e12 else { return nil }
        for e in 0...12 {
            let scaled = factor * pow10(e)
            let rounded = scaled.rounded()
            if abs(scaled - rounded) <= abs(scaled) * 1e-12, let m = Int64(exactly: rounded) {
                self.init(mantissa: m, exponent: e)
                return
            }
        }
        return nil
    }

    /// `raw × factor × 10^−extraDecimals`, exact to the last bit when `raw × mantissa` fits in 2⁵³.
    public func apply(_ raw: Double, extraDecimals: Int = 0) -> Double {
        let e = exponent + extraDecimals
        let product = raw * Double(mantissa)
        return e >= 0 ? product / pow10(e) : product * pow10(-e)
    }

    /// The factor as a decimal number.
    public var description: String { String(Double(mantissa) / pow10(exponent)) }
}

/// 10^e for 0 ≤ e ≤ 22 exactly (every such power is a double), by repeated multiplication beyond.
func pow10(_ e: Int) -> Double {
    var r = 1.0
    for _ in 0..<max(0, e) { r *= 10 }
    return r
}
