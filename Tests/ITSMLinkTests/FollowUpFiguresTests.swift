import Foundation
import ITSMLink
import Telemetry
import Testing

/// The follow-up figures (issue 15 item 6) over a generated month whose answers are worked out
/// by hand below — never by the code under test.
@Suite("Follow-up figures: MTTA, MTTR, per rack, room and month, recurring events")
struct FollowUpFiguresTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!
    static let november = ReportMonth(year: 2026, month: 11)!
    static let december = ReportMonth(year: 2026, month: 12)!

    static func t(_ iso: String) -> Timestamp { Timestamp(parsing: iso)! }

    /// Local midnight of 1 November 2026 in Jakarta (UTC+7, no daylight saving).
    static let novemberStart = t("2026-10-31T17:00:00Z")

    /// 30 openings first seen in November 2026 in Jakarta, plus two just outside it.
    ///
    /// Opening i (0…28) is first seen at novemberStart + i days + 3 h — opening 0 at
    /// 2026-10-31T20:00Z, which is still October in UTC but 1 November 03:00 in Jakarta. Opening
    /// 29 is first seen at 2026-11-30T16:59:59.999Z, the last millisecond of November there.
    /// - acknowledged (i + 1) minutes after first seen, except i = 4, 9, 14, 19, 24, 29 (never);
    /// - resolved 60·(i + 1)² seconds after first seen, except i = 2, 5, 8, …, 29 (still firing);
    /// - rack DC-R01, DC-R02, DC-R03 for i % 4 = 0, 1, 2; none for i % 4 = 3; room DC-H1 with a
    ///   rack, DC-H2 without, none at all for i = 27;
    /// - a built-in ticket INC-i for even i, resolved 2 h after first seen when i % 4 = 0;
    ///   opening 6 has an RT ticket 1006 too, resolved 1 h after first seen;
    /// - dedup key k(i % 7), except opening 29: `lonely`.
    static func month() -> [FollowUpOpening] {
        (0..<30).map { i in
            let first = i == 29 ? t("2026-11-30T16:59:59.999Z") : novemberStart.adding(seconds: Double(i) * 86_400 + 3 * 3600)
            let n = Double(i + 1)
            let rack: CIID? = i % 4 == 3 ? nil : CIID(unchecked: "DC-R0\(i % 4 + 1)")
            let room: CIID? = i == 27 ? nil : rack == nil ? "DC-H2" : "DC-H1"
            var tickets: [FollowUpTicket] = []
            if i % 2 == 0 {
                tickets.append(
                    FollowUpTicket(target: "builtin", reference: "INC-\(i)", resolvedAt: i % 4 == 0 ? first.adding(seconds: 7200) : nil))
            }
            if i == 6 { tickets.append(FollowUpTicket(target: "rt", reference: "1006", resolvedAt: first.adding(seconds: 3600))) }
            let key = i == 29 ? "lonely" : "k\(i % 7)"
            return FollowUpOpening(
                eventID: Int64(i + 1), dedupKey: key, rule: "rule-\(key)", scope: CIID(unchecked: "DC-TH\(i)"), rack: rack, room: room,
                firstSeen: first, acknowledgedAt: i % 5 == 4 ? nil : first.adding(seconds: 60 * n),
                resolvedAt: i % 3 == 2 ? nil : first.adding(seconds: 60 * n * n), tickets: tickets)
        }
    }

    /// Just outside November in Jakarta: the last millisecond of October there, and the first of December.
    static let outside = [
        FollowUpOpening(
            eventID: 100, dedupKey: "k0", rule: "rule-k0", scope: "DC-TH100", rack: "DC-R01", room: "DC-H1",
            firstSeen: t("2026-10-31T16:59:59.999Z"), acknowledgedAt: nil, resolvedAt: nil),
        FollowUpOpening(
            eventID: 101, dedupKey: "k0", rule: "rule-k0", scope: "DC-TH101", rack: "DC-R01", room: "DC-H1",
            firstSeen: t("2026-11-30T17:00:00Z"), acknowledgedAt: nil, resolvedAt: nil,
            tickets: [FollowUpTicket(target: "builtin", reference: "INC-101", resolvedAt: nil)]),
    ]

    @Test("a month of 30 openings: MTTA, MTTR and the ticket figure with their counts; per rack, room, month; top recurring keys")
    func novemberFigures() {
        let f = FollowUpFigures(
            site: "DC", timeZone: Self.jakarta, from: Self.november, through: Self.november, openings: Self.month() + Self.outside)
        #expect(f.site == "DC" && f.timeZone == "Asia/Jakarta")
        #expect(f.openings == 30)
        // INC-0, INC-2, …, INC-28 (15) and RT 1006.
        #expect(f.tickets == 16)

        // Acknowledged: i + 1 ∈ 1…30 without 5, 10, 15, 20, 25, 30 → 24 openings; the sum of i + 1
        // is 465 − 105 = 360 minutes → mean 360 · 60 / 24 = 900 s. Sorted, the 12th and 13th
        // values are 14 and 16 minutes → median 15 min = 900 s.
        #expect(f.acknowledge.count == 24 && f.acknowledge.notReached == 6)
        #expect(f.acknowledge.meanSeconds == 900)
        #expect(f.acknowledge.medianSeconds == 900)

        // Resolved: i + 1 ∈ 1…30 not a multiple of 3 → 20 openings; Σ k² over 1…30 = 9455, over
        // the multiples of 3 = 9 · 385 = 3465 → 5990 · 60 s / 20 = 17 970 s. The 10th and 11th of
        // the sorted k are 14 and 16 → (196 + 256) / 2 · 60 = 13 560 s.
        #expect(f.resolve.count == 20 && f.resolve.notReached == 10)
        #expect(f.resolve.meanSeconds == 17_970)
        #expect(f.resolve.medianSeconds == 13_560)

        // Tickets: 15 openings have one; a resolve time is known for i % 4 = 0 (8 openings, 7200 s)
        // and for opening 6 (its RT ticket, 3600 s) → 9; mean (8 · 7200 + 3600) / 9 = 6800 s,
        // median 7200 s; 6 still open.
        #expect(f.ticketResolve.count == 9 && f.ticketResolve.notReached == 6)
        #expect(f.ticketResolve.meanSeconds == 6800)
        #expect(f.ticketResolve.medianSeconds == 7200)

        // i % 4 = 0: 0, 4, …, 28 (8, all even: 8 tickets); = 1: 1, 5, …, 29 (8, odd: none);
        // = 2: 2, 6, …, 26 (7, even: 7 built-in + RT 1006); = 3: 3, 7, …, 27 (7, no rack, odd).
        #expect(
            f.byRack.map { "\($0.key?.rawValue ?? "-") \($0.events) \($0.tickets)" } == ["DC-R01 8 8", "DC-R02 8 0", "DC-R03 7 8", "- 7 0"])
        // DC-H1: the 23 with a rack; DC-H2: 3, 7, …, 23 (6); none: 27.
        #expect(f.byRoom.map { "\($0.key?.rawValue ?? "-") \($0.events) \($0.tickets)" } == ["DC-H1 23 16", "DC-H2 6 0", "- 1 0"])
        #expect(f.byMonth.map { "\($0.key!) \($0.events) \($0.tickets)" } == ["2026-11 30 16"])

        // k0: 0, 7, 14, 21, 28 (5); k1: 1, 8, 15, 22 (4, 29 is `lonely`); k2…k6: 4 each. `lonely`
        // opened once: not recurring. Ties by key; the rule and scope are the latest opening's.
        #expect(f.recurring.map { "\($0.dedupKey) \($0.openings)" } == ["k0 5", "k1 4", "k2 4", "k3 4", "k4 4", "k5 4", "k6 4"])
        #expect(f.recurring.first.map { "\($0.rule) \($0.scope)" } == "rule-k0 DC-TH28")
        let top3 = FollowUpFigures(
            site: "DC", timeZone: Self.jakarta, from: Self.november, through: Self.november, openings: Self.month(), recurringLimit: 3)
        #expect(top3.recurring.map(\.dedupKey) == ["k0", "k1", "k2"])
    }

    @Test("a month is the site's: 2026-10-31T20:00Z is November in Jakarta, and October in UTC")
    func siteMonth() {
        let opening = Self.month()[0]
        #expect(opening.firstSeen == Self.t("2026-10-31T20:00:00Z"))
        #expect(ReportMonth.of(opening.firstSeen, in: Self.jakarta) == Self.november)
        #expect(ReportMonth.of(opening.firstSeen, in: TimeZone(identifier: "UTC")!) == ReportMonth(year: 2026, month: 10)!)
        let november = Self.november.interval(in: Self.jakarta)
        #expect(november.start == Self.t("2026-10-31T17:00:00Z") && november.end == Self.t("2026-11-30T17:00:00Z"))
        // A zone with daylight saving: March 2026 in Amsterdam starts at UTC+1 and ends at UTC+2.
        let march = ReportMonth(year: 2026, month: 3)!.interval(in: TimeZone(identifier: "Europe/Amsterdam")!)
        #expect(march.start == Self.t("2026-02-28T23:00:00Z") && march.end == Self.t("2026-03-31T22:00:00Z"))
        // Read in UTC the same openings fall otherwise: opening 0 is October's.
        let utc = FollowUpFigures(
            site: "DC", timeZone: TimeZone(identifier: "UTC")!, from: Self.november, through: Self.november,
            openings: Self.month() + Self.outside)
        // Openings 1…28 and 29, and 2026-11-30T17:00Z (December in Jakarta, November in UTC); not opening 0.
        #expect(utc.openings == 30)
        #expect(!utc.byRack.isEmpty && utc.byRack[0].events == 8, "DC-R01: 4, 8, …, 28 (7) and the 2026-11-30T17:00Z opening")
        #expect(utc.byMonth.map(\.events) == [30])
    }

    @Test("several months: every month listed, zero when nothing opened; an opening counts in its first-seen month")
    func months() {
        let f = FollowUpFigures(
            site: "DC", timeZone: Self.jakarta, from: ReportMonth(year: 2026, month: 10)!, through: ReportMonth(year: 2027, month: 1)!,
            openings: Self.month() + Self.outside)
        #expect(
            f.byMonth.map { "\($0.key!) \($0.events) \($0.tickets)" } == ["2026-10 1 0", "2026-11 30 16", "2026-12 1 1", "2027-01 0 0"])
        #expect(f.openings == 32 && f.tickets == 17)
        #expect(f.acknowledge.notReached == 8 && f.resolve.notReached == 12)
    }

    @Test("no openings: counts 0, no mean or median")
    func empty() {
        let f = FollowUpFigures(site: "DC", timeZone: Self.jakarta, from: Self.december, through: Self.december, openings: [])
        #expect(f.openings == 0 && f.tickets == 0)
        #expect(f.acknowledge == DurationFigure(seconds: [], notReached: 0))
        #expect(f.acknowledge.meanSeconds == nil && f.resolve.medianSeconds == nil)
        #expect(f.byRack.isEmpty && f.byRoom.isEmpty && f.recurring.isEmpty)
        #expect(f.byMonth.map(\.events) == [0])
    }

    @Test("a month is written YYYY-MM; anything else is refused with the reason")
    func parsing() throws {
        #expect(try ReportMonth(parsing: "2026-11") == Self.november)
        #expect(Self.november.description == "2026-11" && ReportMonth(year: 2027, month: 1)!.description == "2027-01")
        for bad in ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", "abcd-ef", "", "1969-12", "２０２６-11"] {
            #expect(throws: ReportMonth.Invalid.self, "\(bad)") { try ReportMonth(parsing: bad) }
        }
        do {
            _ = try ReportMonth(parsing: "2026-13")
        } catch {
            #expect(error.description == "'2026-13': the month must be 01 to 12 and the year 1970 to 9999")
        }
        #expect(
            Self.november.through(ReportMonth(year: 2027, month: 2)!).map(\.description) == ["2026-11", "2026-12", "2027-01", "2027-02"])
    }
}
