import Foundation

/// An ASHRAE TC9.9 thermal class (Thermal Guidelines, 5th ed., 2021), coded as a number for the
/// derived point `ROOM/ashrae_class`: 0 recommended, 1 A1, 2 A2, 3 A3, 4 A4, 5 outside A4.
public enum ASHRAEClass: Int, Hashable, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// Inside the recommended envelope.
    case recommended = 0
    /// Inside allowable A1.
    case a1 = 1
    /// Inside allowable A2.
    case a2 = 2
    /// Inside allowable A3.
    case a3 = 3
    /// Inside allowable A4.
    case a4 = 4
    /// Outside every envelope.
    case outside = 5

    /// `recommended`, `A1`…`A4`, `outside`.
    public var description: String {
        switch self {
        case .recommended: "recommended"
        case .outside: "outside A4"
        default: "A\(rawValue)"
        }
    }

    /// Parses `recommended`, `A1`…`A4` (case-insensitive).
    public init?(name: String) {
        switch name.lowercased() {
        case "recommended": self = .recommended
        case "a1": self = .a1
        case "a2": self = .a2
        case "a3": self = .a3
        case "a4": self = .a4
        default: return nil
        }
    }

    public static func < (a: ASHRAEClass, b: ASHRAEClass) -> Bool { a.rawValue < b.rawValue }
}

/// One envelope: dry-bulb range and humidity limits, every bound inclusive.
public struct ThermalEnvelope: Hashable, Sendable, Codable {
    /// Lowest dry-bulb temperature, °C.
    public var minTemperature: Double
    /// Highest dry-bulb temperature, °C.
    public var maxTemperature: Double
    /// Lowest dew point, °C.
    public var minDewPoint: Double
    /// Lowest relative humidity, % (0 when the envelope has none).
    public var minRH: Double
    /// Highest dew point, °C.
    public var maxDewPoint: Double
    /// Highest relative humidity, %.
    public var maxRH: Double

    /// Creates an envelope.
    public init(minTemperature: Double, maxTemperature: Double, minDewPoint: Double, minRH: Double, maxDewPoint: Double, maxRH: Double) {
        self.minTemperature = minTemperature
        self.maxTemperature = maxTemperature
        self.minDewPoint = minDewPoint
        self.minRH = minRH
        self.maxDewPoint = maxDewPoint
        self.maxRH = maxRH
    }

    /// True when the point (dry bulb °C, RH %, dew point °C) lies inside, bounds included.
    public func contains(temperature t: Double, rh: Double, dewPoint dp: Double) -> Bool {
        t >= minTemperature && t <= maxTemperature && dp >= minDewPoint && rh >= minRH && dp <= maxDewPoint && rh <= maxRH
    }
}

/// The ASHRAE envelopes (STANDARDS.md table) and the classifier of a (temperature, RH) point.
public struct ThermalGuidelines: Hashable, Sendable, Codable {
    /// Recommended envelope: 18–27 °C, −9 °C DP to 15 °C DP and 70 % RH.
    public var recommended: ThermalEnvelope
    /// RH ceiling of the recommended envelope where pollutants are high (coupons above G1): 50 %.
    public var recommendedMaxRHHighPollutants: Double
    /// Allowable envelopes A1…A4, in order.
    public var allowable: [ThermalEnvelope]

    /// The 5th-edition (2021) figures from STANDARDS.md.
    public static let ashrae2021 = ThermalGuidelines(
        recommended: ThermalEnvelope(minTemperature: 18, maxTemperature: 27, minDewPoint: -9, minRH: 0, maxDewPoint: 15, maxRH: 70),
        recommendedMaxRHHighPollutants: 50,
        allowable: [
            ThermalEnvelope(minTemperature: 15, maxTemperature: 32, minDewPoint: -12, minRH: 8, maxDewPoint: 17, maxRH: 80),
            ThermalEnvelope(minTemperature: 10, maxTemperature: 35, minDewPoint: -12, minRH: 8, maxDewPoint: 21, maxRH: 80),
            ThermalEnvelope(minTemperature: 5, maxTemperature: 40, minDewPoint: -12, minRH: 8, maxDewPoint: 24, maxRH: 85),
            ThermalEnvelope(minTemperature: 5, maxTemperature: 45, minDewPoint: -12, minRH: 8, maxDewPoint: 24, maxRH: 90),
        ])

    /// Creates guidelines from explicit envelopes.
    public init(recommended: ThermalEnvelope, recommendedMaxRHHighPollutants: Double, allowable: [ThermalEnvelope]) {
        self.recommended = recommended
        self.recommendedMaxRHHighPollutants = recommendedMaxRHHighPollutants
        self.allowable = allowable
    }

    /// The best class whose envelope holds the point; `.outside` when none does, or when an
    /// input is not finite or RH is outside 0…100.
    public func classify(temperature t: Double, rh: Double, highPollutants: Bool = false) -> ASHRAEClass {
        guard t.isFinite, rh.isFinite, rh > 0, rh <= 100, let dp = Self.dewPoint(temperature: t, rh: rh) else { return .outside }
        var rec = recommended
        if highPollutants { rec.maxRH = min(rec.maxRH, recommendedMaxRHHighPollutants) }
        if rec.contains(temperature: t, rh: rh, dewPoint: dp) { return .recommended }
        for (index, envelope) in allowable.enumerated() where envelope.contains(temperature: t, rh: rh, dewPoint: dp) {
            return ASHRAEClass(rawValue: index + 1) ?? .outside
        }
        return .outside
    }

    /// Magnus coefficient a (STANDARDS.md: 17.62).
    public static let magnusA = 17.62
    /// Magnus coefficient b in °C (STANDARDS.md: 243.12).
    public static let magnusB = 243.12

    /// Dew point (°C) from dry bulb (°C) and RH (%) by the Magnus formula; nil for RH ≤ 0 or > 100.
    public static func dewPoint(temperature t: Double, rh: Double) -> Double? {
        guard rh > 0, rh <= 100, t.isFinite else { return nil }
        let gamma = log(rh / 100) + magnusA * t / (magnusB + t)
        return magnusB * gamma / (magnusA - gamma)
    }
}
