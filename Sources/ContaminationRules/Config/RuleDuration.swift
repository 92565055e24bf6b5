import Foundation
public import Telemetry

/// A duration written in rule files as `90s`, `2m`, `15m`, `1h`, `30d`, `1y` (365 d) or plain seconds.
public struct RuleDuration: Hashable, Sendable, TextCodable, Comparable, CustomStringConvertible {
    /// The duration in seconds.
    public let seconds: Double

    /// Creates a duration from seconds.
    public init(seconds: Double) { self.seconds = seconds }

    /// Parses `<number><unit>` with unit `s`, `m`, `h`, `d`, `w` or `y`; a bare number is seconds.
    /// Nil for negative, non-finite or malformed text.
    public init?(parsing text: String) {
        guard let s = DurationText.seconds(text.lowercased(), bareSeconds: true) else { return nil }
        self.seconds = s
    }

    /// The shortest exact spelling (`2m`, `1h`, `30d`, `45s`). Never traps: a duration too long
    /// for an `Int` (a rule file's `for: 1e300`) is written as plain seconds.
    public var description: String {
        for (suffix, factor) in [("d", 86_400.0), ("h", 3600), ("m", 60)]
        where seconds >= factor && seconds.truncatingRemainder(dividingBy: factor) == 0 {
            if let n = Int(exactly: seconds / factor) { return "\(n)\(suffix)" }
        }
        return Int(exactly: seconds).map { "\($0)s" } ?? "\(seconds)s"
    }

    public static func < (a: RuleDuration, b: RuleDuration) -> Bool { a.seconds < b.seconds }

    public init?(text: String) { self.init(parsing: text) }
    public static let textForm = "a duration (use 90s, 2m, 1h, 30d)"

    /// Also accepts plain seconds written as a number (`for: 90`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Double.self), n.isFinite, n >= 0 {
            self.seconds = n
            return
        }
        self = try Self.decodeText(c.decode(String.self), in: c)
    }
}
