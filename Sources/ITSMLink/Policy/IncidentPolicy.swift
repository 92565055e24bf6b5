public import ContaminationRules

/// What the ITSM link does with events (issue 12, Lampiran II H.1 and F.1): which events become
/// incidents, what updates them, and how they end. Pure data; ``decide(_:link:now:)`` applies it.
///
/// Written in the config as `itsm.policy` (``RawIncidentPolicy``); every key is optional and
/// falls back to the defaults below.
public struct IncidentPolicy: Hashable, Sendable {
    /// What happens to a ticket when its event clears and stays clear for ``resolveAfter``.
    public enum ClearAction: String, Hashable, Sendable, Codable, CaseIterable {
        /// The ticket is resolved (ServiceNow's auto-close of an incident whose alert closed).
        case resolve
        /// The ticket only gets a note saying so; a person closes it.
        case annotateOnly = "annotate_only"
    }

    /// The lowest severity that opens an incident. Default `warning` (an `info` event is for
    /// the record: stranded capacity and the like).
    public var minimumSeverity: Severity
    /// Seconds an event must stay clear before its ticket is resolved (or annotated). A re-fire
    /// of the same condition within it goes to the same ticket. Default 10 minutes; 0 acts at
    /// once.
    public var resolveAfter: Double
    /// Resolve, or only annotate, a ticket whose event cleared. Default ``ClearAction/resolve``.
    public var onClear: ClearAction
    /// Whether a severity change updates the ticket (with the new severity and priority).
    /// Default true.
    public var updateOnSeverityChange: Bool
    /// Whether a flapping start or end updates the ticket. Default true.
    public var updateOnFlapping: Bool
    /// Seconds after the policy resolved a ticket during which a new opening of the same
    /// condition reopens that ticket instead of opening a new one. Default 0: never (a new
    /// opening after the hold-off is a new incident).
    public var reopenWithin: Double
    /// What happens when a person closes a ticket in the ITSM tool while its event still fires
    /// (issue 15, both directions). Default ``ClosedByHandAction/reopen``.
    public var onClosedByHand: ClosedByHandAction = .reopen
    /// The priority hint sent with each severity (1 highest … 5 lowest, ServiceNow's scale).
    /// Default critical 2, warning 3, info 4: priority 1 is left to a person's judgement of
    /// impact.
    public var priorities: [Severity: Int]

    /// What to do with a ticket closed by hand in the ITSM tool while its event fires.
    public enum ClosedByHandAction: String, Hashable, Sendable, Codable, CaseIterable {
        /// Reopen it, with a note saying why.
        case reopen
        /// Leave it closed and open a new incident for the anomaly, naming the closed one.
        case new
    }

    /// The defaults.
    public static let defaults = IncidentPolicy()

    /// Creates a policy; every argument defaults.
    public init(
        minimumSeverity: Severity = .warning, resolveAfter: Double = 600, onClear: ClearAction = .resolve,
        updateOnSeverityChange: Bool = true, updateOnFlapping: Bool = true, reopenWithin: Double = 0,
        priorities: [Severity: Int] = [.critical: 2, .warning: 3, .info: 4]
    ) {
        self.minimumSeverity = minimumSeverity
        self.resolveAfter = resolveAfter
        self.onClear = onClear
        self.updateOnSeverityChange = updateOnSeverityChange
        self.updateOnFlapping = updateOnFlapping
        self.reopenWithin = reopenWithin
        self.priorities = priorities
    }

    /// The priority hint of a severity (3 when the table lacks it).
    public func priority(of severity: Severity) -> Int { priorities[severity] ?? 3 }
}
