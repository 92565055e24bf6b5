public import ContaminationRules
public import Telemetry

/// An operator's action on an event, as the operator-actions work records it (modelled here
/// without its store types): acknowledge, note, assign, silence for a time.
public struct OperatorAction: Hashable, Sendable, Codable {
    /// What was done.
    public enum Kind: Hashable, Sendable, Codable {
        /// Someone took it.
        case acknowledge
        /// A note with its text.
        case note(String)
        /// Assigned to a person or group.
        case assign(to: String)
        /// Silenced until a time, for a reason.
        case silence(until: Timestamp, reason: String)
    }

    /// Its id where it is recorded (the dedup part of its outbox key).
    public var id: String
    /// The opening it was taken on.
    public var opening: OpeningKey
    /// Who did it.
    public var by: String
    /// When.
    public var at: Timestamp
    /// What.
    public var kind: Kind

    /// Creates one from its parts.
    public init(id: String, opening: OpeningKey, by: String, at: Timestamp, kind: Kind) {
        self.id = id
        self.opening = opening
        self.by = by
        self.at = at
        self.kind = kind
    }
}

/// One input of the incident policy.
public enum IncidentInput: Hashable, Sendable {
    /// An event change read from the change log at sequence number `seq`; `window` is the
    /// maintenance window that suppresses it, when the service knows it (for the reason).
    case change(EventChange, seq: Int64, window: MaintenanceWindow? = nil)
    /// The clock: hold-offs and silences that end by `now`.
    case tick
    /// A maintenance window that suppressed the event ended. The engine records no change when
    /// a window ends; the service, which reads the windows, says so.
    case maintenanceEnded(MaintenanceWindow)
    /// An operator's action.
    case operatorAction(OperatorAction)
    /// The ITSM tool reports the ticket closed by a person there (`resolved`, `rejected`,
    /// `deleted`), seen at `at` (issue 15: both directions).
    case closedInTool(status: String, at: Timestamp)
}
