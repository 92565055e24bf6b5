/// ANSI/ISA-71.04-2013 gaseous corrosivity severity levels (STANDARDS.md, "Gaseous corrosion").
public enum CorrosionLevel: Int, Hashable, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// G1 mild: copper < 300 Å/30 d, silver < 200 Å/30 d.
    case g1 = 1
    /// G2 moderate: < 1000 Å/30 d.
    case g2 = 2
    /// G3 harsh: < 2000 Å/30 d.
    case g3 = 3
    /// GX severe: ≥ 2000 Å/30 d.
    case gx = 4

    /// The level's name as the standard writes it (`G1`, `GX`).
    public var description: String { self == .gx ? "GX" : "G\(rawValue)" }

    /// Parses `G1`…`G3`, `GX` (case-insensitive).
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = level
    }

    public static func < (a: CorrosionLevel, b: CorrosionLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The metal of a reactivity coupon or of a real-time monitor's sensor.
public enum CorrosionMetal: String, Hashable, Sendable, Codable, CaseIterable {
    /// Copper (Cu).
    case copper
    /// Silver (Ag).
    case silver
}

/// ISA-71.04 classification: pure functions, table-tested at every boundary.
public enum CorrosionClassifier {
    /// Upper bounds (exclusive) of G1, G2 and G3 for copper, in Å per 30 days.
    public static let copperBounds: [Double] = [300, 1000, 2000]
    /// Upper bounds (exclusive) of G1, G2 and G3 for silver, in Å per 30 days.
    public static let silverBounds: [Double] = [200, 1000, 2000]

    /// The level of one metal's 30-day reactivity rate; nil for a negative or non-finite rate.
    public static func level(_ metal: CorrosionMetal, ratePer30Days rate: Double) -> CorrosionLevel? {
        guard rate.isFinite, rate >= 0 else { return nil }
        let bounds = metal == .copper ? copperBounds : silverBounds
        if rate < bounds[0] { return .g1 }
        if rate < bounds[1] { return .g2 }
        if rate < bounds[2] { return .g3 }
        return .gx
    }

    /// The location's class: the worse of the two metals; a missing metal is ignored,
    /// nil when neither gives a level.
    public static func level(copper: Double?, silver: Double?) -> CorrosionLevel? {
        let levels = [copper.flatMap { level(.copper, ratePer30Days: $0) }, silver.flatMap { level(.silver, ratePer30Days: $0) }]
        return levels.compactMap { $0 }.max()
    }

    /// A coupon's thickness normalised linearly to 30 days: `thickness × 30 / days`
    /// (usual practice; *unverified* against the standard text). Nil when days ≤ 0.
    public static func ratePer30Days(thickness: Double, exposureDays days: Double) -> Double? {
        guard days > 0, thickness.isFinite, days.isFinite else { return nil }
        return thickness * 30 / days
    }
}
