public import Foundation

/// A UTC instant with millisecond resolution, stored as milliseconds since the Unix epoch
/// (DESIGN decision 2).
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates a timestamp from milliseconds since the epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// Creates a timestamp from a `Date`, truncated to the millisecond.
    public init(_ date: Date) {
        self.milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Creates a timestamp from whole seconds since the epoch.
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// The start of the UTC hour containing this instant.
    public var hourStart: Timestamp { Timestamp(milliseconds: milliseconds - Self.mod(milliseconds, 3_600_000)) }

    /// This instant moved by a number of seconds (may be fractional).
    public func adding(seconds: Double) -> Timestamp {
        Timestamp(milliseconds: milliseconds + Int64((seconds * 1000).rounded()))
    }

    /// Seconds from `other` to this instant (positive when self is later).
    public func seconds(since other: Timestamp) -> Double { Double(milliseconds - other.milliseconds) / 1000 }

    /// Now, from the system clock.
    public static var now: Timestamp { Timestamp(Date()) }

    /// ISO 8601 in UTC with milliseconds: `2026-11-29T08:53:40.123Z`.
    public var description: String {
        let secs = Self.floorDiv(milliseconds, 1000)
        let ms = Self.mod(milliseconds, 1000)
        let days = Self.floorDiv(secs, 86_400)
        let sod = Self.mod(secs, 86_400)
        let (y, m, d) = Self.civil(fromDays: days)
        func pad(_ v: Int64, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod % 3600 / 60, 2)):\(pad(sod % 60, 2)).\(pad(ms, 3))Z"
    }

    /// Parses ISO 8601 UTC (`2026-11-29T08:53:40Z`, optional fraction, `Z` or `+00:00`),
    /// or a bare integer of milliseconds since the epoch.
    public init?(parsing text: String) {
        if let ms = Int64(text) {
            self.init(milliseconds: ms)
            return
        }
        guard let date = Self.parseISO(text) else { return nil }
        self.init(date)
    }

    private static func parseISO(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - mod(a, b)) / b }
    static func mod(_ a: Int64, _ b: Int64) -> Int64 { ((a % b) + b) % b }

    /// Howard Hinnant's days-to-civil algorithm.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
