public import Telemetry

/// Replays recorded readings through a fresh (or given) engine: what would fire and clear.
/// The pure core of `dcagent rules test RULES.yaml --readings FILE.csv`; the CLI parses the
/// files and prints `lines`.
public enum RuleReplay {
    /// The outcome of a replay.
    public struct Result: Hashable, Sendable {
        /// Every event change, in time order.
        public var changes: [EventChange]
        /// Every derived reading.
        public var derived: [Reading]
        /// The engine state at the end (events still open are in it).
        public var state: RuleEngineState

        /// One line per change: `TIME opened warning KEY: message`.
        public var lines: [String] { changes.map(\.description) }
        /// Events still firing at the end.
        public var openEvents: [Event] { state.openEvents }
    }

    /// Replays readings grouped by timestamp, each group ingested at its own time, with a tick
    /// every `tickEvery` seconds in between (stale data, sustain expiry, flapping end). Device
    /// health reports and obligation records are optional inputs.
    public static func run(
        rules: CompiledRuleSet, readings: [Reading], health: [(at: Timestamp, report: DeviceHealth)] = [],
        records: [ObligationRecord] = [], maintenance: [MaintenanceWindow] = [], tickEvery: Double = 60,
        state: RuleEngineState = RuleEngineState()
    ) -> Result {
        var engine = RuleEngine(rules: rules, state: state)
        engine.records = records
        engine.maintenance = maintenance
        var result = Result(changes: [], derived: [], state: state)
        var inputs: [Timestamp: (readings: [Reading], health: [DeviceHealth])] = [:]
        for r in readings { inputs[r.time, default: ([], [])].readings.append(r) }
        for h in health { inputs[h.at, default: ([], [])].health.append(h.report) }
        let times = inputs.keys.sorted()
        guard let first = times.first else { return result }
        let step = max(1, tickEvery)
        var nextTick = first.adding(seconds: step)
        func collect(_ out: RuleOutput) {
            result.changes += out.changes
            result.derived += out.derived
        }
        for t in times {
            while nextTick < t {
                collect(engine.tick(now: nextTick))
                nextTick = nextTick.adding(seconds: step)
            }
            guard let input = inputs[t] else { continue }
            if !input.health.isEmpty { collect(engine.deviceHealth(input.health, now: t)) }
            if !input.readings.isEmpty { collect(engine.ingest(input.readings, now: t)) }
        }
        if let last = times.last { collect(engine.tick(now: last)) }
        result.state = engine.state
        return result
    }
}
