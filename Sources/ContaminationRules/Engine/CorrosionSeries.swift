public import Telemetry

/// Cumulative film thickness of one metal of a real-time corrosion monitor, kept at about one
/// sample per hour for the last 30 days. A drop larger than the replacement tolerance means a
/// new sensor and starts a new series (STANDARDS.md, "Gaseous corrosion").
public struct CorrosionSeries: Hashable, Sendable, Codable {
    /// One kept sample.
    public struct Sample: Hashable, Sendable, Codable {
        /// When.
        public var time: Timestamp
        /// Cumulative thickness, Å.
        public var value: Double
    }

    /// Samples of the current sensor, oldest first.
    public var samples: [Sample] = []
    /// How many sensor replacements were detected.
    public var replacements: Int = 0

    static let spacing = 3600.0
    static let thirtyDays = 30.0 * 86_400

    /// Adds a cumulative value; a drop of more than `replacementDrop` Å starts a new series.
    mutating func add(time: Timestamp, value: Double, replacementDrop: Double) {
        if let last = samples.last {
            guard time > last.time else { return }
            if value < last.value - replacementDrop {
                samples = []
                replacements += 1
            }
        }
        if samples.count >= 2, time.seconds(since: samples[samples.count - 2].time) < Self.spacing {
            samples[samples.count - 1] = Sample(time: time, value: value)
        } else {
            samples.append(Sample(time: time, value: value))
        }
        let cutoff = time.adding(seconds: -Self.thirtyDays)
        if let firstInside = samples.firstIndex(where: { $0.time >= cutoff }), firstInside > 1 {
            samples.removeFirst(firstInside - 1)
        }
    }

    /// The time the current series covers, seconds; nil before its first sample.
    public var span: Double? {
        guard let first = samples.first, let last = samples.last else { return nil }
        return last.time.seconds(since: first.time)
    }

    /// The increase over the last 30 days, normalised to exactly 30 days; when the series is
    /// shorter, extrapolated from its whole span if that is at least `minSpan` seconds; else nil.
    public func ratePer30Days(minSpan: Double) -> Double? {
        guard let latest = samples.last, let first = samples.first, latest.time > first.time else { return nil }
        let cutoff = latest.time.adding(seconds: -Self.thirtyDays)
        let base = samples.last(where: { $0.time <= cutoff }) ?? first
        let span = latest.time.seconds(since: base.time)
        guard span >= minSpan || span >= Self.thirtyDays else { return nil }
        return max(0, latest.value - base.value) * Self.thirtyDays / span
    }
}
