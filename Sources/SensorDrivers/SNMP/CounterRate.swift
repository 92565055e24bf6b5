/// The per-second rate of an SNMP counter between two reads, with wrap detection and a reset guard.
public enum CounterRate {
    /// One read of a counter.
    public struct Sample: Hashable, Sendable {
        /// The counter value.
        public var value: SNMPValue
        /// When it was read, in milliseconds since the epoch.
        public var milliseconds: Int64
    }

    /// What two samples give.
    public enum Outcome: Hashable, Sendable {
        /// Counts per second.
        case rate(Double, wrapped: Bool)
        /// The counter went back by more than a plausible wrap: the device restarted or cleared it.
        case reset
        /// No time passed between the samples (or the clock went back).
        case noInterval
        /// Not two counters of the same width.
        case notCounters
    }

    /// The rate from `previous` to `current`. A Counter32 that went down is taken as one wrap
    /// when the wrapped delta is under half the range (2³¹); otherwise, and for any decrease of a
    /// Counter64 (which does not wrap in practice), it is a reset and gives no rate.
    public static func rate(from previous: Sample, to current: Sample) -> Outcome {
        let dt = Double(current.milliseconds - previous.milliseconds) / 1000
        let delta: UInt64
        let wrapped: Bool
        switch (previous.value, current.value) {
        case (.counter32(let a), .counter32(let b)):
            if b >= a {
                (delta, wrapped) = (UInt64(b - a), false)
            } else {
                let d = (UInt64(UInt32.max) - UInt64(a)) + UInt64(b) + 1
                guard d < UInt64(1) << 31 else { return .reset }
                (delta, wrapped) = (d, true)
            }
        case (.counter64(let a), .counter64(let b)):
            guard b >= a else { return .reset }
            (delta, wrapped) = (b - a, false)
        default:
            return .notCounters
        }
        guard dt > 0 else { return .noInterval }
        return .rate(Double(delta) / dt, wrapped: wrapped)
    }
}
