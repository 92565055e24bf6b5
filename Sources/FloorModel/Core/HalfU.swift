/// A rack position or height in integer half rack units (STYLE habit 12): 24 halves = U12.
///
/// NetBox stores positions as decimals in steps of 0.5 U; integer half-units keep the same
/// invariant without floating-point comparisons.
public struct HalfU: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The value in half units.
    public var halves: Int

    /// Creates a value from half units.
    public init(halves: Int) { self.halves = halves }

    /// Creates a value from whole units.
    public init(units: Int) { self.halves = units * 2 }

    /// Creates a value from a decimal number of units; nil unless it is a multiple of 0.5.
    public init?(exactly units: Double) {
        guard units.isFinite else { return nil }
        let doubled = units * 2
        guard doubled == doubled.rounded(), abs(doubled) < 1_000_000 else { return nil }
        self.halves = Int(doubled)
    }

    /// The value in units (12.5 for 25 halves).
    public var units: Double { Double(halves) / 2 }

    /// True when the value is a whole number of units.
    public var isWhole: Bool { halves % 2 == 0 }

    /// Zero units.
    public static let zero = HalfU(halves: 0)

    /// `12`, `12.5`.
    public var description: String { isWhole ? String(halves / 2) : String(halves / 2) + ".5" }

    public static func < (a: HalfU, b: HalfU) -> Bool { a.halves < b.halves }
    /// Sum of two values.
    public static func + (a: HalfU, b: HalfU) -> HalfU { HalfU(halves: a.halves + b.halves) }
    /// Difference of two values.
    public static func - (a: HalfU, b: HalfU) -> HalfU { HalfU(halves: a.halves - b.halves) }
}

/// The span of units a mounted thing occupies: from `bottom` (its position) for `height`.
public struct USpan: Hashable, Sendable, CustomStringConvertible {
    /// The lowest unit occupied (the device's position, as NetBox counts it).
    public var bottom: HalfU
    /// How many units it occupies.
    public var height: HalfU

    /// Creates a span.
    public init(bottom: HalfU, height: HalfU) {
        self.bottom = bottom
        self.height = height
    }

    /// One past the highest half unit occupied.
    public var end: HalfU { bottom + height }

    /// True when the two spans share at least one half unit.
    public func overlaps(_ other: USpan) -> Bool {
        bottom.halves < other.end.halves && other.bottom.halves < end.halves && height.halves > 0
            && other.height.halves > 0
    }

    /// `U12–U13` for whole units, `U12` for one unit, `U12.5 (0.5U)` for half-unit spans.
    public var description: String {
        guard bottom.isWhole, height.isWhole else { return "U\(bottom) (\(height)U)" }
        let first = bottom.halves / 2
        let last = (end.halves - 1) / 2
        return first >= last ? "U\(first)" : "U\(first)–U\(last)"
    }
}
