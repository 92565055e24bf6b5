public import Telemetry

/// A maintenance window on a CI or a whole room: events are recorded but not notified.
public struct MaintenanceWindow: Hashable, Sendable, Codable {
    /// The CI (sensor, device, rack) or room it covers.
    public var ci: CIID
    /// Start, inclusive.
    public var start: Timestamp
    /// End, exclusive.
    public var end: Timestamp
    /// Why (for the record).
    public var reason: String

    /// Creates a window.
    public init(ci: CIID, start: Timestamp, end: Timestamp, reason: String = "") {
        self.ci = ci
        self.start = start
        self.end = end
        self.reason = reason
    }

    /// True when it is open at `now`.
    public func isOpen(at now: Timestamp) -> Bool { start <= now && now < end }
}
