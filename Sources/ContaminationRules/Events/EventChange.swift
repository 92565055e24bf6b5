public import Telemetry

/// What happened to an event at one evaluation.
public struct EventChange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kind of change.
    public enum Change: String, Hashable, Sendable, Codable {
        /// A new event fired.
        case opened
        /// A firing event changed severity.
        case severityChanged
        /// A firing event started to flap: one flapping event instead of a storm.
        case flappingStarted
        /// A flapping event stopped flapping and still fires.
        case flappingEnded
        /// The event resolved.
        case resolved
        /// A firing event lost the evidence it stands on: inputs that made it fire went stale,
        /// bad or absent (``Event/dataMissing``). It stays firing.
        case dataMissing
        /// The missing inputs of a firing event report good readings again; it still fires.
        case dataReturned
    }

    /// The change.
    public var change: Change
    /// The event after the change.
    public var event: Event
    /// When it happened (the evaluation's `now`).
    public var at: Timestamp
    /// False when a maintenance window suppresses notification (the change is still recorded).
    public var notify: Bool

    /// Creates a change.
    public init(change: Change, event: Event, at: Timestamp, notify: Bool) {
        self.change = change
        self.event = event
        self.at = at
        self.notify = notify
    }

    /// `2026-…Z opened critical inlet-hot|DC-R1-A05-TH1|… : message`.
    public var description: String {
        "\(at) \(change.rawValue) \(event.severity.rawValue) \(event.dedupKey)\(notify ? "" : " [suppressed]"): \(event.message)"
    }
}
