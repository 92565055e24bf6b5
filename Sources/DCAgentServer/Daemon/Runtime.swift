package import AgentStore
package import Foundation
package import Logging
package import SensorDrivers
package import Telemetry
package import Synchronization

/// What the running daemon shares between its services: the current plan (replaced on a valid
/// SIGHUP reload), the database and the writer.
package final class Runtime: Sendable {
    package let database: AgentDatabase
    package let samples: SampleStore
    package let audit: AuditTrail
    package let writer: BatchWriter<ContinuousClock>
    package let logSettings: LogSettings
    package let started = Date()
    private let plan: Mutex<ConfigPlan>
    private let reloads = Atomic<Int>(0)

    /// The rules engine, when the config has `rules:`.
    package let rules: RulesService<ContinuousClock>?

    /// The sensors polled, replaced on a SIGHUP that changes them.
    package let sensors: SensorSupervisor

    /// The whole store, when the daemon runs over one: the metrics count its events and read
    /// its floor for their labels.
    package let store: SiteStore?

    /// The daemon's metrics (`GET /metrics`).
    package let metrics: AgentMetrics

    private let httpUp = Atomic<Bool>(false)

    /// The HTTP server listens (`/readyz` waits for it).
    package func httpStarted() { httpUp.store(true, ordering: .relaxed) }
    package var isHTTPUp: Bool { httpUp.load(ordering: .relaxed) }

    /// The health of every polled device.
    package func deviceHealth() async -> [CIID: DeviceHealth] { await sensors.health() }

    package init(
        plan: ConfigPlan, database: AgentDatabase, audit: AuditTrail, writer: BatchWriter<ContinuousClock>, samples: SampleStore,
        logSettings: LogSettings, sensors: SensorSupervisor, rules: RulesService<ContinuousClock>? = nil, store: SiteStore? = nil,
        metrics: AgentMetrics = AgentMetrics()
    ) {
        self.rules = rules
        self.store = store
        self.metrics = metrics
        self.sensors = sensors
        self.plan = Mutex(plan)
        self.database = database
        self.audit = audit
        self.writer = writer
        self.samples = samples
        self.logSettings = logSettings
    }

    /// The plan in force.
    package var current: ConfigPlan { plan.withLock { $0 } }

    /// Successful reloads since start.
    package var reloadCount: Int { reloads.load(ordering: .relaxed) }

    /// Replaces the plan with a validated new one; returns the settings that changed, and those
    /// that need a restart to take effect. `sensorsInstalled`: the caller has installed the new
    /// sensors (``SensorSupervisor``), so they are in force (otherwise they are unchanged). The
    /// rules recompile once: for the rule file read again, for the new sensors, or both.
    package func apply(_ new: ConfigPlan, sensorsInstalled: Bool = false) -> (applied: [String], needRestart: [String]) {
        let old = current
        var applied: [String] = []
        var restart: [String] = []
        if old.logging != new.logging {
            logSettings.update(new.logging)
            applied.append("logging")
        }
        if old.agentName != new.agentName { applied.append("agent.name") }
        if old.sites != new.sites { applied.append("sites") }
        if old.storage.path != new.storage.path { restart.append("storage.path") }
        if old.storage.writer != new.storage.writer { restart.append("storage.writer") }
        if old.audit != new.audit { restart.append("audit") }
        if old.http != new.http { restart.append("http") }
        if sensorsInstalled { applied.append("sensors") }
        // The same rule file is read again on every reload (its content may have changed); the
        // rules also recompile against new sensors when the rules section itself needs a restart.
        let sameRules = old.rules == new.rules
        if !sameRules { restart.append("rules") }
        if let service = rules, sameRules || sensorsInstalled {
            service.submit(.reload(reason: sensorsInstalled ? "sensors changed" : "SIGHUP"))
            if sameRules { applied.append("rules.file") }
        }
        // Keep the settings that need a restart as they run now.
        var merged = new
        merged.storage = old.storage
        merged.audit = old.audit
        merged.http = old.http
        merged.rules = old.rules
        plan.withLock { $0 = merged }
        reloads.add(1, ordering: .relaxed)
        return (applied, restart)
    }
}
