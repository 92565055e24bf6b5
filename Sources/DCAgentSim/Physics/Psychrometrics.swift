import Foundation

/// Dew point and relative humidity by the Magnus formula (STANDARDS.md: a = 17.62, b = 243.12 °C).
enum Psychrometrics {
    static let a = 17.62
    static let b = 243.12

    /// Dew point (°C) of air at `temperature` °C and `relativeHumidity` %.
    static func dewPoint(temperature t: Double, relativeHumidity rh: Double) -> Double {
        let g = log(max(rh, 0.1) / 100) + a * t / (b + t)
        return b * g / (a - g)
    }

    /// Relative humidity (%) of air at `temperature` °C whose dew point is `dewPoint` °C.
    static func relativeHumidity(temperature t: Double, dewPoint td: Double) -> Double {
        min(100, 100 * exp(a * td / (b + td) - a * t / (b + t)))
    }
}
