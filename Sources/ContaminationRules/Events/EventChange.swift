public import Telemetry

/// What happened to an event: at one evaluation of the rules, or by an operator's action (the
/// engine never makes those; they are logged in the same order so every consumer sees one
/// history).
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
        /// An operator acknowledged the firing event (Lampiran II H.1: someone is on it).
        case acknowledged
        /// An operator wrote a note on it.
        case annotated
        /// An operator assigned it to a person (or took the assignment away).
        case assigned
        /// An operator silenced it until a time: it keeps firing, but opens no ticket and sends
        /// no notification meanwhile.
        case silenced
        /// An operator ended a silence early.
        case unsilenced

        /// True for the changes an operator makes (never the engine).
        public var isOperatorAction: Bool {
            switch self {
            case .acknowledged, .annotated, .assigned, .silenced, .unsilenced: true
            default: false
            }
        }
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
