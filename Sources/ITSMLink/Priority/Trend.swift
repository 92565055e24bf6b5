public import Telemetry

/// Where a reading is heading, seen from the harm it does: getting worse, holding, getting better.
public enum Trend: String, Hashable, Sendable, Codable, CaseIterable {
    /// Moving towards harm faster than the deadband.
    case worsening
    /// Inside the deadband.
    case steady
    /// Moving away from harm faster than the deadband.
    case improving
    /// Too few samples to say (fewer than ``TrendEstimate/minimumSamples``).
    case unknown

    /// Which way is worse for a quantity.
    public enum Worse: String, Hashable, Sendable, Codable, CaseIterable {
        /// A rising value is worse (temperature, particles, corrosion, load).
        case rising
        /// A falling value is worse (humidity under a low limit, pressure difference, supply voltage).
        case falling
    }

    /// The trend of `samples` (time, value), from their Theil–Sen slope: the median of the
    /// slopes between every pair of samples, which one outlier cannot flip (its breakdown point
    /// is about 29 % of the samples, where one bad point can turn a least-squares slope around).
    ///
    /// - Parameters:
    ///   - samples: readings in any order; non-finite values are left out. Fewer than 3 (or all
    ///     at one instant) give ``unknown``. The work is O(n²) in the samples: pass a window
    ///     (`itsm.priority.trend_window`), not a year.
    ///   - worseWhen: which direction is worse for this quantity.
    ///   - deadband: the slope, in the samples' unit per minute, within which the trend is
    ///     ``steady`` (inclusive); a negative deadband counts as 0.
    ///   - unit: the samples' unit for the text (`°C`, `%RH`), may be empty.
    /// - Returns: the trend with the slope that decided it.
    public static func of(samples: [(Timestamp, Double)], worseWhen: Worse, deadband: Double, unit: String = "") -> TrendEstimate {
        let points = samples.filter { $0.1.isFinite }
        let band = max(0, deadband.isFinite ? deadband : 0)
        guard points.count >= TrendEstimate.minimumSamples else {
            return TrendEstimate(.unknown, sampleCount: points.count, deadband: band, unit: unit)
        }
        var slopes: [Double] = []
        slopes.reserveCapacity(points.count * (points.count - 1) / 2)
        for i in points.indices {
            for j in points.indices where j > i {
                let dt = points[j].0.seconds(since: points[i].0)
                if dt != 0 { slopes.append((points[j].1 - points[i].1) * 60 / dt) }
            }
        }
        let times = points.map(\.0.milliseconds)
        let span = Double(times.max()! - times.min()!) / 1000
        guard !slopes.isEmpty else { return TrendEstimate(.unknown, sampleCount: points.count, deadband: band, unit: unit) }
        slopes.sort()
        let mid = slopes.count / 2
        let slope = slopes.count % 2 == 1 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2
        let towardsHarm = worseWhen == .rising ? slope : -slope
        let trend: Trend = abs(slope) <= band ? .steady : towardsHarm > 0 ? .worsening : .improving
        return TrendEstimate(trend, slopePerMinute: slope, spanSeconds: span, sampleCount: points.count, deadband: band, unit: unit)
    }
}

/// A trend with the numbers behind it, for a ticket's reasons.
public struct TrendEstimate: Hashable, Sendable, Codable {
    /// The fewest samples that give a trend.
    public static let minimumSamples = 3

    /// No trend known (no samples looked at).
    public static let unknown = TrendEstimate(.unknown)

    /// The trend.
    public var trend: Trend
    /// The Theil–Sen slope in the samples' unit per minute; nil when the trend is unknown.
    public var slopePerMinute: Double?
    /// Seconds from the first sample to the last.
    public var spanSeconds: Double
    /// Samples used.
    public var sampleCount: Int
    /// The deadband it was judged with (unit per minute).
    public var deadband: Double
    /// The samples' unit (`°C`), may be empty.
    public var unit: String

    /// Creates one from its parts (a trend known by other means may be given without numbers).
    public init(_ trend: Trend, slopePerMinute: Double? = nil, spanSeconds: Double = 0, sampleCount: Int = 0, deadband: Double = 0, unit: String = "") {
        self.trend = trend
        self.slopePerMinute = slopePerMinute
        self.spanSeconds = spanSeconds
        self.sampleCount = sampleCount
        self.deadband = deadband
        self.unit = unit
    }

    /// For a ticket: `worsening (+0.8 °C/min over 10 min)`, `steady (+0.01 °C/min over 15 min,
    /// inside ±0.05)`, `trend unknown (2 samples, 3 needed)`.
    public var text: String {
        guard let slope = slopePerMinute else {
            if trend != .unknown { return trend.rawValue }
            return sampleCount > 0 ? "trend unknown (\(sampleCount) sample\(sampleCount == 1 ? "" : "s"), \(Self.minimumSamples) needed)" : "trend unknown"
        }
        let perMinute = unit.isEmpty ? "/min" : " \(unit)/min"
        let rate = "\(slope > 0 ? "+" : slope < 0 ? "-" : "")\(Self.number(abs(slope)))\(perMinute) over \(Self.span(spanSeconds))"
        if trend == .steady { return "steady (\(rate), inside ±\(Self.number(deadband))\(perMinute))" }
        return "\(trend.rawValue) (\(rate))"
    }

    /// About three significant digits, no trailing zeros: `0.8`, `0.0042`, `12.3`, `1234`.
    static func number(_ v: Double) -> String {
        guard v.isFinite, v != 0 else { return "0" }
        var decimals = 2
        var m = abs(v)
        while m < 1, decimals < 8 {
            m *= 10
            decimals += 1
        }
        while m >= 10, decimals > 0 {
            m /= 10
            decimals -= 1
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let r = (v * scale).rounded() / scale
        return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
    }

    /// `10 min`, `45 s`, `2 h`.
    static func span(_ seconds: Double) -> String {
        if seconds >= 7200 { return "\(number((seconds / 3600 * 10).rounded() / 10)) h" }
        if seconds >= 120 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int(seconds.rounded())) s"
    }
}
