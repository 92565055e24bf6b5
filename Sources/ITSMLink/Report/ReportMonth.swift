public import Foundation
public import Telemetry

/// A calendar month as a site reads it (`2026-11`): the report period of the follow-up figures
/// (issue 15; Lampiran II F.1). A month begins at local midnight of its first day in the site's
/// time zone, not at UTC midnight — in Asia/Jakarta (UTC+7) November 2026 runs from
/// 2026-10-31T17:00Z to 2026-11-30T17:00Z.
public struct ReportMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year (1970 through 9999).
    public let year: Int
    /// The month of the year, 1 through 12.
    public let month: Int

    /// A refused month text: what was given and why.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        /// The text given.
        public let text: String
        /// Why it is not a month.
        public let reason: String
        /// `'TEXT': reason`.
        public var description: String { "'\(text)': \(reason)" }
    }

    /// The month, or nil outside 1970-01 … 9999-12.
    public init?(year: Int, month: Int) {
        guard (1970...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM` (`2026-11`); anything else is refused with the reason.
    public init(parsing text: String) throws(Invalid) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let y = Int(parts[0]), let m = Int(parts[1])
        else { throw Invalid(text: text, reason: "expected a month as YYYY-MM, such as 2026-11") }
        guard let month = ReportMonth(year: y, month: m) else {
            throw Invalid(text: text, reason: "the month must be 01 to 12 and the year 1970 to 9999")
        }
        self = month
    }

    /// `YYYY-MM`.
    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(m)"
    }

    /// Earlier months first.
    public static func < (a: ReportMonth, b: ReportMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    /// The month after this one (9999-12 has none: itself).
    public var next: ReportMonth {
        month == 12 ? ReportMonth(year: year + 1, month: 1) ?? self : ReportMonth(year: year, month: month + 1)!
    }

    /// Every month from `self` through `last`, in order (empty when `last` is earlier).
    public func through(_ last: ReportMonth) -> [ReportMonth] {
        var out: [ReportMonth] = []
        var m = self
        while m <= last {
            out.append(m)
            if m.next == m { break }
            m = m.next
        }
        return out
    }

    /// The instants of the month in `zone`: from local midnight of its first day (included) to
    /// local midnight of the next month's first day (excluded).
    public func interval(in zone: TimeZone) -> (start: Timestamp, end: Timestamp) {
        let start = Self.localMidnight(year: year, month: month, zone)
        let end = month == 12 ? Self.localMidnight(year: year + 1, month: 1, zone) : Self.localMidnight(year: year, month: month + 1, zone)
        return (start, end)
    }

    /// The month an instant falls in, read in `zone`.
    public static func of(_ t: Timestamp, in zone: TimeZone) -> ReportMonth {
        let c = calendar(zone).dateComponents([.year, .month], from: t.date)
        // Outside 1970…9999 (a corrupt time): clamped, so the opening is still counted somewhere.
        return ReportMonth(year: min(max(c.year ?? 1970, 1970), 9999), month: c.month ?? 1) ?? ReportMonth(year: 1970, month: 1)!
    }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    static func localMidnight(year: Int, month: Int, _ zone: TimeZone) -> Timestamp {
        let date = calendar(zone).date(from: DateComponents(year: year, month: month, day: 1, hour: 0, minute: 0, second: 0))
        return Timestamp(date ?? Date(timeIntervalSince1970: 0))
    }
}
