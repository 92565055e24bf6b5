extension TimeChart {
    // MARK: Value ticks

    /// A tick step `mantissa × 10^exponent` with mantissa 1, 2 or 5.
    public struct NiceStep: Hashable, Sendable {
        /// 1, 2 or 5.
        public var mantissa: Int
        /// Power of ten.
        public var exponent: Int

        /// The step as a number.
        public var value: Double { tick(1) }

        /// Digits after the decimal point that print every multiple exactly (0.5 → 1, 20 → 0).
        public var decimals: Int { max(0, -exponent) }

        /// `k` steps, computed so that decimal ticks print cleanly (0.6, not 0.6000000000000001):
        /// an integer multiple divided by an exact power of ten.
        public func tick(_ k: Int) -> Double {
            exponent >= 0 ? Double(k * mantissa) * TimeChart.powerOfTen(exponent) : Double(k * mantissa) / TimeChart.powerOfTen(-exponent)
        }

        /// The smallest 1-2-5 step at least `raw`.
        public static func atLeast(_ raw: Double) -> NiceStep {
            guard raw.isFinite, raw > 0 else { return NiceStep(mantissa: 1, exponent: 0) }
            var e = 0
            while TimeChart.powerOfTen(e + 1) <= raw, e < 300 { e += 1 }
            while TimeChart.powerOfTen(e) > raw, e > -300 { e -= 1 }
            // Now 10^e ≤ raw < 10^(e+1).
            for m in [1, 2, 5] where NiceStep(mantissa: m, exponent: e).value >= raw { return NiceStep(mantissa: m, exponent: e) }
            return NiceStep(mantissa: 1, exponent: e + 1)
        }
    }

    /// 10^n as an exact Double for |n| ≤ 22, close enough beyond.
    static func powerOfTen(_ n: Int) -> Double {
        var v = 1.0
        for _ in 0..<abs(n) { v *= 10 }
        return n >= 0 ? v : 1 / v
    }

    /// About `count` intervals of a 1-2-5 step (…, 0.5, 1, 2, 5, 10, …) covering `min…max`:
    /// the first tick is at or below `min`, the last at or above `max`, every tick an integer
    /// multiple of the step. A flat range is widened by 5 % of its value (±1 around zero).
    public static func niceTicks(min lo: Double, max hi: Double, count: Int = 5) -> [Double] {
        niceScale(min: lo, max: hi, count: count).ticks
    }

    /// The step and ticks of ``niceTicks(min:max:count:)``.
    public static func niceScale(min lo: Double, max hi: Double, count: Int = 5) -> (step: NiceStep, ticks: [Double]) {
        guard lo.isFinite, hi.isFinite else { return (NiceStep(mantissa: 1, exponent: 0), [0, 1]) }
        var a = Swift.min(lo, hi)
        var b = Swift.max(lo, hi)
        if b - a <= abs(b) * 1e-12 {
            let pad = a == 0 ? 1 : abs(a) * 0.05
            a -= pad
            b += pad
        }
        let step = NiceStep.atLeast((b - a) / Double(Swift.max(1, count)))
        let s = step.value
        let first = Int((a / s).rounded(.down))
        let last = Int((b / s).rounded(.up))
        return (step, (first...Swift.max(first + 1, last)).map { step.tick($0) })
    }

    // MARK: Time ticks

    /// Time ticks: the step (nominal for months: 30 days per month) and the tick times.
    public struct TimeTicks: Hashable, Sendable {
        /// The step in ms; a month step is given as 30 days per month.
        public var stepMs: Int64
        /// True when ticks fall on the first of a month (local time).
        public var isMonthly: Bool
        /// Tick times, ms since the epoch, inside the range.
        public var ticks: [Int64]
    }

    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Steps tried for time ticks, shortest first.
    static let timeSteps: [Int64] = [
        1, 2, 5, 10, 15, 30,
    ].map { $0 * minute } + [1, 2, 3, 6, 12].map { $0 * hour } + [1, 2, 7, 14].map { $0 * day }

    /// About `target` ticks (never more than `target + 1`) over `from…to`, on round local
    /// times: the shortest step among 1–30 minutes, 1–12 hours, 1, 2, 7 or 14 days, or
    /// 1, 2, 3, 6 or 12 months that gives at most `target + 1` ticks. Hours and days fall on
    /// local multiples (`utcOffsetMs` is the site's offset), weeks on Mondays, months on the
    /// first of the month at local midnight (computed with civil-calendar arithmetic).
    public static func timeTicks(from: Int64, to: Int64, utcOffsetMs: Int64 = 0, target: Int = 6) -> TimeTicks {
        let span = Swift.max(1, to - from)
        let limit = Int64(Swift.max(1, target))  // span / step ≤ target → at most target + 1 ticks
        for step in timeSteps where span / step <= limit {
            // Weeks start on Monday: 1970-01-05 was one, four days after the epoch.
            let anchor: Int64 = step >= 7 * day ? 4 * day : 0
            var t = ceilDiv(from + utcOffsetMs - anchor, step) * step + anchor - utcOffsetMs
            var ticks: [Int64] = []
            while t <= to {
                ticks.append(t)
                t += step
            }
            return TimeTicks(stepMs: step, isMonthly: false, ticks: ticks)
        }
        for months: Int64 in [1, 2, 3, 6, 12] where span / (months * 28 * day) <= limit || months == 12 {
            let start = civil(floorDiv(from + utcOffsetMs, day))
            var (y, m) = (start.year, start.month)
            var ticks: [Int64] = []
            for _ in 0..<12_000 {  // a thousand years is enough for any chart
                let t = daysFromCivil(year: y, month: m, day: 1) * day - utcOffsetMs
                if t > to { break }
                if t >= from && (m - 1) % months == 0 { ticks.append(t) }
                m += 1
                if m > 12 {
                    m = 1
                    y += 1
                }
            }
            return TimeTicks(stepMs: months * 30 * day, isMonthly: true, ticks: ticks)
        }
        return TimeTicks(stepMs: span, isMonthly: false, ticks: [from])
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { -floorDiv(-a, b) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day d: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day number since 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
