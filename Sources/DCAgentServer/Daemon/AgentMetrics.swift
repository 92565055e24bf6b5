package import AgentStore
import ContaminationRules
import CoreMetrics
package import FloorModel
import Prometheus
package import SensorDrivers
package import Logging
import Synchronization
package import Telemetry

/// The daemon's metrics (DESIGN decision 17): instruments of swift-metrics over a
/// swift-prometheus registry of this daemon's own, served as text at `GET /metrics`
/// ([metrics.md](../../../docs/metrics.md) lists every metric, its labels and its cardinality).
///
/// The instruments are made with this registry's factory passed explicitly, never through the
/// global `MetricsSystem`, so two daemons in one process (tests) keep their own numbers; the
/// daemon also bootstraps the global system with the first registry (``bootstrapOnce(_:)``), so
/// libraries that record through swift-metrics land on the same page.
///
/// What happens is recorded as it happens (a committed batch sets its points' gauges, a finished
/// poll its device's histogram); what the agent holds as totals (the writer's queue and drops,
/// the events in the store, the devices' health) is read at each scrape (``scrape(_:)``).
package final class AgentMetrics: Sendable {
    /// Where a CI sits: the labels its points' sensor gauges carry ("" when unknown).
    package struct Place: Sendable, Equatable {
        package var site = ""
        package var room = ""
        package var rack = ""
        package init(site: String = "", room: String = "", rack: String = "") {
            (self.site, self.room, self.rack) = (site, room, rack)
        }
    }

    /// What the scrape reads from the running agent.
    package struct Scrape: Sendable {
        package var writer: BatchWriter<ContinuousClock>.Health
        /// Readings the rules' inbox dropped since start.
        package var rulesDropped: Int = 0
        /// Events by state and severity; nil when the store could not be read (the gauges keep
        /// their last values).
        package var events: [EventCount]?
        package var devices: [CIID: SensorDrivers.DeviceHealth] = [:]
        package init(writer: BatchWriter<ContinuousClock>.Health) { self.writer = writer }
    }

    private let registry: PrometheusCollectorRegistry
    /// The factory every instrument is made with (and the global bootstrap's).
    let factory: PrometheusMetricsFactory
    private let state = Mutex(State())

    /// The quantity and unit labels of a point.
    private struct Kind {
        var quantity: String
        var unit: String
        init(_ d: PointDescriptor) { (quantity, unit) = (d.quantity.rawValue, d.unit.rawValue) }
    }

    private struct State {
        var places: [CIID: Place] = [:]
        var defaultSite = ""
        var kinds: [PointID: Kind] = [:]
        /// The last committed good reading of each point: `dcagent_sensor_value`, written at each
        /// scrape by ``sensorFamily(_:)`` rather than kept as one swift-metrics gauge per point
        /// (a gauge, its labels and the registry's copy of them cost about 800 bytes a point:
        /// 8 MB of a 10 000-point floor, docs/benchmarks.md).
        var sensors: [PointID: Double] = [:]
        var pollTimers: [CIID: CoreMetrics.Timer] = [:]
        var pollFailures: [CIID: CoreMetrics.Counter] = [:]
        var deviceUp: [CIID: CoreMetrics.Gauge] = [:]
        var ruleTimers: [String: CoreMetrics.Timer] = [:]
        var events: [String: CoreMetrics.Gauge] = [:]
        /// Totals read at the last scrape, to turn the agent's running totals into counter steps.
        var totals: [String: Int] = [:]
    }

    /// Poll durations: a Modbus read on a LAN takes milliseconds, an SNMP walk of a PDU up to
    /// seconds, a timeout the sensor's timeout.
    static let pollBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    /// Rules evaluation: microseconds for a batch of a few readings, up to seconds for a
    /// checkpoint of a large floor.
    static let rulesBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
    ]

    /// The metric names (base units in the name: `_seconds`, `_total`).
    package enum Name {
        package static let sensorValue = "dcagent_sensor_value"
        package static let pollDuration = "dcagent_poll_duration_seconds"
        package static let pollFailures = "dcagent_poll_failures_total"
        package static let deviceUp = "dcagent_device_up"
        package static let writerQueue = "dcagent_writer_queue_readings"
        package static let writerDropped = "dcagent_writer_dropped_readings_total"
        package static let writerCommitted = "dcagent_writer_committed_readings_total"
        package static let writerBatches = "dcagent_writer_batches_total"
        package static let writerStuck = "dcagent_writer_stuck"
        package static let rulesDropped = "dcagent_rules_dropped_readings_total"
        package static let rulesEvaluation = "dcagent_rules_evaluation_seconds"
        package static let events = "dcagent_events"
    }

    /// A registry of its own; nothing global is touched.
    package init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [Name.pollDuration: Self.pollBuckets, Name.rulesEvaluation: Self.rulesBuckets]
        self.factory = factory
        // The series that exist from the start, so a scrape shows them before anything happened.
        state.withLock { s in
            for state in ["firing", "resolved"] {
                for severity in Severity.allCases.map(\.rawValue) {
                    let gauge = CoreMetrics.Gauge(label: Name.events, dimensions: [("state", state), ("severity", severity)], factory: factory)
                    gauge.record(0)
                    s.events[state + "|" + severity] = gauge
                }
            }
        }
    }

    private static let bootstrapped = Atomic<Bool>(false)

    /// Bootstraps the global `MetricsSystem` with `metrics`' factory, the first time in the
    /// process only (`MetricsSystem.bootstrap` may be called once; a second daemon in the same
    /// process keeps recording into its own registry through its explicit factory). True when
    /// this call bootstrapped.
    @discardableResult
    package static func bootstrapOnce(_ metrics: AgentMetrics) -> Bool {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return false }
        MetricsSystem.bootstrap(metrics.factory)
        return true
    }

    // MARK: Places and points

    /// Where each CI sits, from the stored floors (sensors, PDUs and devices by their rack and
    /// room) and the config's sensors (their `rack:`); a CI on no floor gets the config's site
    /// when it names one only. Series whose labels change are replaced, keeping their value.
    package func locate(floors: [Floor], sensors: [(id: CIID, rack: CIID?)], sites: [CIID]) {
        var places: [CIID: Place] = [:]
        var rackPlace: [CIID: Place] = [:]
        for floor in floors {
            let site = floor.site.id.rawValue
            for room in floor.rooms { places[room.id] = Place(site: site, room: room.id.rawValue) }
            for rack in floor.racks {
                let p = Place(site: site, room: rack.room.rawValue, rack: rack.id.rawValue)
                rackPlace[rack.id] = p
                places[rack.id] = p
            }
            for device in floor.devices { if let rack = device.rack, let p = rackPlace[rack] { places[device.id] = p } }
            for pdu in floor.pdus { if let p = rackPlace[pdu.rack] { places[pdu.id] = p } }
            for sensor in floor.sensors {
                switch sensor.location {
                case .rack(let rack, _, _): if let p = rackPlace[rack] { places[sensor.id] = p }
                case .tile(let room, _): places[sensor.id] = Place(site: site, room: room.rawValue)
                }
            }
        }
        let defaultSite = sites.count == 1 ? sites[0].rawValue : ""
        for s in sensors where places[s.id] == nil {
            if let rack = s.rack { places[s.id] = rackPlace[rack] ?? Place(site: defaultSite, rack: rack.rawValue) }
        }
        state.withLock { s in
            s.places = places
            s.defaultSite = defaultSite
        }
    }

    /// Points whose quantity and unit label their gauges (registered at start; new ones arrive
    /// in committed batches ahead of their readings).
    package func learn(_ points: [PointDescriptor]) {
        state.withLock { s in for p in points { s.kinds[p.id] = Kind(p) } }
    }

    /// A committed batch: each point's last good reading becomes its gauge's value.
    package func committed(_ batch: CommittedBatch) {
        state.withLock { s in
            for item in batch.items {
                switch item {
                case .points(let points): for p in points { s.kinds[p.id] = Kind(p) }
                case .health: continue
                case .readings(let readings):
                    for r in readings where r.quality == .good && r.value.isFinite { s.sensors[r.point] = r.value }
                }
            }
        }
    }

    /// Devices no longer polled: their series go (a gauge would otherwise show its last value
    /// for ever).
    package func retire(_ devices: [CIID]) {
        guard !devices.isEmpty else { return }
        let gone = Set(devices)
        state.withLock { s in
            s.sensors = s.sensors.filter { !gone.contains($0.key.ci) }
            for d in devices {
                s.pollTimers.removeValue(forKey: d)?.destroy()
                s.pollFailures.removeValue(forKey: d)?.destroy()
                s.deviceUp.removeValue(forKey: d)?.destroy()
            }
        }
    }

    /// `dcagent_sensor_value` in the text format, one sample per point, ordered by point; labels
    /// from where the point's CI sits and its descriptor, as they are at this scrape.
    private static func sensorFamily(_ s: State) -> String {
        guard !s.sensors.isEmpty else { return "" }
        var out = "# TYPE \(Name.sensorValue) gauge\n"
        out.reserveCapacity(s.sensors.count * 150)
        for (point, value) in s.sensors.sorted(by: { $0.key < $1.key }) {
            let place = s.places[point.ci] ?? Place(site: s.defaultSite)
            let kind = s.kinds[point]
            let labels = [
                ("site", place.site), ("room", place.room), ("rack", place.rack), ("point", point.description),
                ("quantity", kind?.quantity ?? ""), ("unit", kind?.unit ?? ""),
            ]
            out += Name.sensorValue + "{" + labels.map { "\($0)=\"\(escape($1))\"" }.joined(separator: ",") + "} \(value)\n"
        }
        return out
    }

    /// A label value escaped as the text format asks: backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: Polls and rules

    /// A finished poll: its duration, and a failure counted.
    package func polled(_ outcome: PollOutcome) {
        let factory = self.factory
        let (timer, failures) = state.withLock { s in
            let d = outcome.device
            let dims = [("device", d.rawValue)]
            if s.pollTimers[d] == nil {
                s.pollTimers[d] = CoreMetrics.Timer(label: Name.pollDuration, dimensions: dims, factory: factory)
                // The failure counter exists from the first poll, at 0.
                s.pollFailures[d] = CoreMetrics.Counter(label: Name.pollFailures, dimensions: dims, factory: factory)
            }
            return (s.pollTimers[d]!, s.pollFailures[d]!)
        }
        timer.recordNanoseconds(Self.nanoseconds(outcome.took))
        if outcome.failed { failures.increment() }
    }

    /// The rules engine took `took` for one input.
    package func evaluated(_ input: RuleInput, took: Duration) {
        let kind =
            switch input {
            case .committed: "batch"
            case .tick: "tick"
            case .reload: "reload"
            case .retired: "retired"
            }
        let factory = self.factory
        let timer = state.withLock { s in
            if let t = s.ruleTimers[kind] { return t }
            let t = CoreMetrics.Timer(label: Name.rulesEvaluation, dimensions: [("input", kind)], factory: factory)
            s.ruleTimers[kind] = t
            return t
        }
        timer.recordNanoseconds(Self.nanoseconds(took))
    }

    private static func nanoseconds(_ d: Duration) -> Int64 {
        let (seconds, attoseconds) = d.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    // MARK: Scrape

    /// Sets what is read at scrape time and returns the exposition (text format 0.0.4).
    package func scrape(_ scrape: Scrape) -> String {
        let factory = self.factory
        let sensors = state.withLock { s in
            func gauge(_ name: String, _ value: Double) {
                CoreMetrics.Gauge(label: name, factory: factory).record(value)
            }
            /// A running total of the agent as a counter: steps by what it grew since the last scrape.
            func total(_ name: String, _ now: Int) {
                let step = now - (s.totals[name] ?? 0)
                let counter = CoreMetrics.Counter(label: name, factory: factory)
                if step > 0 {
                    counter.increment(by: step)
                    s.totals[name] = now
                }
            }
            let w = scrape.writer
            gauge(Name.writerQueue, Double(w.queued))
            gauge(Name.writerStuck, w.stuck ? 1 : 0)
            total(Name.writerDropped, w.dropped)
            total(Name.writerCommitted, w.acknowledged)
            total(Name.writerBatches, w.batches)
            total(Name.rulesDropped, scrape.rulesDropped)
            if let events = scrape.events {
                var seen: Set<String> = []
                for e in events {
                    let key = e.state + "|" + e.severity
                    seen.insert(key)
                    if s.events[key] == nil {
                        s.events[key] = CoreMetrics.Gauge(label: Name.events, dimensions: [("state", e.state), ("severity", e.severity)], factory: factory)
                    }
                    s.events[key]!.record(Double(e.count))
                }
                for (key, g) in s.events where !seen.contains(key) { g.record(0) }
            }
            for (device, health) in scrape.devices {
                if s.deviceUp[device] == nil {
                    s.deviceUp[device] = CoreMetrics.Gauge(label: Name.deviceUp, dimensions: [("device", device.rawValue)], factory: factory)
                }
                // Up until the polling declares it offline (offline_after failed polls in a row).
                s.deviceUp[device]!.record(health.offline ? 0 : 1)
            }
            return Self.sensorFamily(s)
        }
        var text = registry.emitToString()
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        return text + sensors
    }
}

extension AgentMetrics {
    /// Where the plan's sensors sit, from the stored floors and the config (at start and on
    /// each reload); a floor that cannot be read leaves the labels as they were.
    package func locate(plan: ConfigPlan, store: SiteStore, logger: Logger) async {
        do {
            locate(floors: try await store.floor.floors(), sensors: plan.sensors.map { ($0.id, $0.rack) }, sites: plan.sites.map(\.id))
        } catch {
            logger.warning("metrics: cannot read the stored floor for the sensors' labels: \(error)")
        }
    }
}
