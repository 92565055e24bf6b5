import Foundation
public import Telemetry

/// An ISO 14644-1 cleanliness class in steps of 0.1 (`ISO 8`, `ISO 7.3`), stored as tenths.
public struct ISOClass: Hashable, Sendable, TextCodable, Comparable, CustomStringConvertible {
    /// The class × 10 (80 is ISO 8, 73 is ISO 7.3).
    public let tenths: Int

    /// Creates a class from tenths (10…90 are the classes the standard defines).
    public init(tenths: Int) { self.tenths = tenths }

    /// Creates a whole class (1…9).
    public init(_ whole: Int) { self.tenths = whole * 10 }

    /// The class as a number (7.3).
    public var number: Double { Double(tenths) / 10 }

    /// `ISO 8` or `ISO 7.3`.
    public var description: String {
        tenths % 10 == 0 ? "ISO \(tenths / 10)" : "ISO \(tenths / 10).\(tenths % 10)"
    }

    /// Parses `8`, `7.3`, `ISO 8`, `iso8`.
    public init?(parsing text: String) {
        var t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasPrefix("iso") { t = String(t.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
        guard let v = Double(t), v >= 1, v <= 9 else { return nil }
        let tenths = (v * 10).rounded()
        guard abs(tenths - v * 10) < 1e-6 else { return nil }
        self.tenths = Int(tenths)
    }

    public static func < (a: ISOClass, b: ISOClass) -> Bool { a.tenths < b.tenths }

    public init?(text: String) { self.init(parsing: text) }
    public static let textForm = "an ISO 14644-1 class (1–9, steps of 0.1)"

    /// Also accepts the class written as a number (`8`, `7.3`); encoded as that number.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Double.self), let v = ISOClass(parsing: String(n)) {
            self = v
            return
        }
        self = try Self.decodeText(c.decode(String.self), in: c)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(number)
    }
}

/// ISO 14644-1:2015 classification: pure functions, table-tested at every boundary.
public enum ParticleClassifier {
    /// The particle sizes (µm) of the standard's Table 1.
    public static let sizes: [Double] = [0.1, 0.2, 0.3, 0.5, 1, 5]

    /// Sizes for which the standard's Table 1 gives a limit for each whole class 1…9.
    /// Classes 5–9 follow STANDARDS.md; classes 1–4 follow the published 2015 table
    /// (*unverified* here: STANDARDS.md does not list them).
    public static let validSizesByWholeClass: [Int: Set<Double>] = [
        1: [0.1],
        2: [0.1, 0.2, 0.3, 0.5],
        3: [0.1, 0.2, 0.3, 0.5, 1],
        4: [0.1, 0.2, 0.3, 0.5, 1],
        5: [0.1, 0.2, 0.3, 0.5, 1],
        6: [0.1, 0.2, 0.3, 0.5, 1, 5],
        7: [0.5, 1, 5],
        8: [0.5, 1, 5],
        9: [0.5, 1, 5],
    ]

    /// The exact formula limit `Cn = 10^N × (0.1 / D)^2.08` in particles per m³ (≥ D).
    public static func formulaLimit(_ cls: ISOClass, size: Double) -> Double {
        pow(10, cls.number) * pow(0.1 / size, 2.08)
    }

    /// The class limit as the standard tabulates it: the formula rounded to three significant
    /// figures (class 8 at 0.5 µm: 3 516 757 → 3 520 000). Classification compares against this.
    public static func limit(_ cls: ISOClass, size: Double) -> Double {
        roundToSignificantFigures(formulaLimit(cls, size: size), 3)
    }

    /// The sizes valid for a class: for a whole class its Table 1 row; for an intermediate class
    /// the sizes valid for both neighbouring whole classes.
    public static func validSizes(_ cls: ISOClass) -> Set<Double> {
        let lower = cls.tenths / 10
        let upper = (cls.tenths + 9) / 10
        let a = validSizesByWholeClass[lower] ?? []
        let b = validSizesByWholeClass[upper] ?? []
        return a.intersection(b)
    }

    /// The best class (lowest number, steps of 0.1 from ISO 1 to ISO 9) that the measured
    /// concentrations meet: every measured size valid for the class is at or below its limit,
    /// and at least one measured size is valid for it. Nil when even ISO 9 is not met, or
    /// when the readings hold no valid size. Concentrations are particles per m³, ≥ size.
    public static func classAchieved(concentrations: [Double: Double]) -> ISOClass? {
        let measured = concentrations.filter { $0.value.isFinite && $0.value >= 0 }
        guard !measured.isEmpty else { return nil }
        for tenths in 10...90 {
            let cls = ISOClass(tenths: tenths)
            let valid = validSizes(cls)
            let considered = measured.filter { entry in valid.contains(where: { sameSize($0, entry.key) }) }
            guard !considered.isEmpty else { continue }
            if considered.allSatisfy({ $0.value <= limit(cls, size: $0.key) }) { return cls }
        }
        return nil
    }

    /// Minimum number of sample locations for a cleanroom area (ISO 14644-1:2015 Table A.1).
    /// Rows other than 52 m² → 10 and the rule above 1000 m² are *unverified*. Nil for area ≤ 0.
    public static func minimumSampleLocations(areaSquareMetres area: Double) -> Int? {
        guard area.isFinite, area > 0 else { return nil }
        if area > 1000 { return Int((27 * area / 1000).rounded(.up)) }
        return sampleLocationTable.first(where: { area <= $0.area })?.locations
    }

    /// Table A.1 rows: area (m², at most) → minimum number of locations.
    public static let sampleLocationTable: [(area: Double, locations: Int)] = [
        (2, 1), (4, 2), (6, 3), (8, 4), (10, 5), (24, 6), (28, 7), (32, 8), (36, 9), (52, 10),
        (56, 11), (64, 12), (68, 13), (72, 14), (76, 15), (104, 16), (108, 17), (116, 18), (148, 19),
        (156, 20), (192, 21), (232, 22), (276, 23), (352, 24), (436, 25), (636, 26), (1000, 27),
    ]

    /// Minimum sample volume per location in litres: `Vs = 20 / Cn,m × 1000`, at least 2 L
    /// (*unverified*), where Cn,m is the class limit at the largest considered size.
    public static func minimumSampleVolumeLitres(_ cls: ISOClass, largestSize size: Double) -> Double {
        max(2, 20 / limit(cls, size: size) * 1000)
    }

    /// Concentration per m³ from a count and a sample volume in m³; nil for a volume ≤ 0.
    public static func concentration(count: Double, volumeCubicMetres volume: Double) -> Double? {
        guard volume > 0, volume.isFinite, count.isFinite, count >= 0 else { return nil }
        return count / volume
    }

    /// Cumulative counts (≥ size) from differential counts (between this size and the next).
    public static func cumulative(fromDifferential counts: [Double: Double]) -> [Double: Double] {
        var result: [Double: Double] = [:]
        for size in counts.keys {
            result[size] = counts.filter { $0.key >= size }.reduce(0) { $0 + $1.value }
        }
        return result
    }

    static func sameSize(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

    /// Rounds to `n` significant figures.
    public static func roundToSignificantFigures(_ x: Double, _ n: Int) -> Double {
        guard x != 0, x.isFinite else { return x }
        let magnitude = floor(log10(abs(x)))
        let scale = pow(10, Double(n - 1) - magnitude)
        return (x * scale).rounded() / scale
    }
}
