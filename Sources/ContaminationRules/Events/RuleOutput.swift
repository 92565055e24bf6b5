public import Telemetry

/// What one evaluation produced: event changes and derived readings (DESIGN decision 8).
public struct RuleOutput: Hashable, Sendable {
    /// Event changes, in order.
    public var changes: [EventChange]
    /// Derived points (`ROOM/ashrae_class`, `CTR/iso_class`, `MON/copper.rate30`, …).
    public var derived: [Reading]
    /// Creates an output.
    public init(changes: [EventChange] = [], derived: [Reading] = []) {
        self.changes = changes
        self.derived = derived
    }
}
