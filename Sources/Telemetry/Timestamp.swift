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
        guard let t = Self.parseISO(text) else { return nil }
        self = t
    }

    /// RFC 3339 (the internet profile of ISO 8601): `YYYY-MM-DDTHH:MM:SS`, an optional fraction
    /// (truncated to the millisecond), then `Z` or an offset `±HH:MM`. Parsed here by hand, not
    /// with Foundation's `ISO8601DateFormatter`, which loads ICU's calendar and locale data into
    /// the daemon (megabytes of resident memory) for a fixed-format string.
    static func parseISO(_ text: String) -> Timestamp? {
        var p = Array(text.utf8)[...]
        func number(_ n: Int) -> Int64? {
            guard p.count >= n else { return nil }
            var v: Int64 = 0
            for c in p.prefix(n) {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            p = p.dropFirst(n)
            return v
        }
        func take(_ c: UInt8...) -> Bool {
            guard let f = p.first, c.contains(f) else { return false }
            p = p.dropFirst()
            return true
        }
        guard let y = number(4), take(0x2D), let mo = number(2), take(0x2D), let d = number(2),
            take(0x54, 0x74), let h = number(2), take(0x3A), let mi = number(2), take(0x3A), let s = number(2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h <= 23, mi <= 59, s <= 60 else { return nil }
        var ms: Int64 = 0
        if take(0x2E) {
            var digits = 0
            while let c = p.first, c >= 0x30 && c <= 0x39 {
                if digits < 3 { ms = ms * 10 + Int64(c - 0x30) }
                digits += 1
                p = p.dropFirst()
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { ms *= 10 }
        }
        var offset: Int64 = 0
        if take(0x5A, 0x7A) {
            offset = 0
        } else if let sign = p.first, sign == 0x2B || sign == 0x2D {
            p = p.dropFirst()
            guard let oh = number(2), take(0x3A), let om = number(2), oh <= 23, om <= 59 else { return nil }
            offset = (oh * 60 + om) * 60 * (sign == 0x2D ? -1 : 1)
        } else {
            return nil
        }
        guard p.isEmpty else { return nil }
        // A leap second (:60) is read as the next second, as the formatter did.
        let secs = days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset
        return Timestamp(milliseconds: secs * 1000 + ms)
    }

    static func daysIn(month m: Int64, year y: Int64) -> Int64 {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Howard Hinnant's days-from-civil algorithm: days since 1970-01-01 of a proleptic
    /// Gregorian date.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
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
