public import Telemetry

/// Everything the engine must persist so that a restart neither forgets a firing event nor
/// fires it twice (issue 5): encode it, store it, decode it into `RuleEngine(rules:state:)`.
public struct RuleEngineState: Hashable, Sendable, Codable {
    /// Condition states by dedup key.
    public var alerts: [String: AlertState] = [:]
    /// Point memories.
    public var points: [PointID: PointMemory] = [:]
    /// Corrosion series per thickness point.
    public var corrosion: [PointID: CorrosionSeries] = [:]
    /// Latest particle sample time processed per counter (a sample is counted once).
    public var particleSamples: [CIID: Timestamp] = [:]
    /// Readings the store dropped (the agent's own data loss), if any were.
    public var dataLoss: DataLoss?
    /// The agent's clock event, while its clock is not synchronised.
    public var clockEvent: Event?
    /// Latest health per device.
    public var devices: [CIID: DeviceHealth] = [:]
    /// When the engine first evaluated (stale timers of never-seen points start here).
    public var startedAt: Timestamp?
    /// Since when a stale rule has watched each point that has never had a usable reading
    /// (later than ``startedAt`` for a sensor added by a reload).
    public var staleSince: [PointID: Timestamp] {
        get { staleWatchStart ?? [:] }
        set { staleWatchStart = newValue.isEmpty ? nil : newValue }
    }
    /// ``staleSince`` as stored (optional: states saved before it existed decode).
    var staleWatchStart: [PointID: Timestamp]?
    /// When the engine last resumed after a restart: stale timers count from here at the
    /// earliest, since the daemon's own downtime is not a sensor's silence.
    public var resumedAt: Timestamp?

    /// An empty state.
    public init() {}

    /// Marks a restart at `now` (see ``resumedAt``).
    public mutating func resume(at now: Timestamp) {
        resumedAt = now
        if startedAt == nil { startedAt = now }
    }

    /// Every open event (firing, possibly flapping): the rules' sorted by dedup key, then the agent's own.
    public var openEvents: [Event] {
        alerts.keys.sorted().compactMap { alerts[$0]?.event } + [dataLoss?.event, clockEvent].compactMap { $0 }
    }
}
