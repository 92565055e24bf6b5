package import AgentStore
package import ContaminationRules
package import Foundation
package import Logging
package import ServiceLifecycle
package import Synchronization
package import Telemetry

/// Counters the daemon shows in `/healthz`.
package final class RulesStatus: Sendable {
    private let state = Mutex(Snapshot())

    package struct Snapshot: Sendable {
        package var rules = 0
        package var firing = 0
        package var evaluations = 0
        package var checkpoints = 0
        package var lastCheckpoint: Timestamp?
        package var lastError: String?
        package var droppedInputs = 0
        package var replayed = 0
        package var reloads = 0
        /// True once the engine has started (state read back, replay after a restart done) and
        /// takes inputs: `/readyz` waits for it.
        package var running = false
        /// The threshold rules' limits per point, as compiled now (sensor charts draw them).
        package var limits: [PointID: [PointLimit]] = [:]
        /// The obligation rules' schedules, as compiled now (the obligations calendar page).
        package var obligations: [ObligationDuty] = []
    }

    package var snapshot: Snapshot { state.withLock { $0 } }
    package func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
}

/// The rules engine in the daemon (issue 5 item 5): committed readings, device health and the
/// clock go in through one stream; event changes, derived readings and the engine state come out
/// and are committed together by ``EventStore/commit(_:)``.
///
/// - After a restart the saved state is loaded and the readings stored since it was saved are
///   replayed (the engine ignores readings it has seen), so nothing committed is missed.
/// - The state is committed at once when events change (rate-limited on large floors, see
///   ``EngineLoop/handle(_:)``), otherwise at most every `checkpoint_every`,
///   and on shutdown; derived readings ride with it.
/// - Stale-data timers restart with the daemon: the daemon's own downtime is not a sensor's
///   silence (as Zabbix's nodata waits after a server start).
package final class RulesService<C: Clock>: Service, Sendable where C.Duration == Duration {
    private let plan: RulesPlan
    private let initial: LoadedRules
    private let events: EventStore
    private let records: RecordsRepository
    private let samples: SampleStore
    private let inbox: RuleInbox
    private let topology: TopologySource
    private let agent: AgentWatch
    private let clock: C
    package let status = RulesStatus()
    private let observe: (@Sendable (RuleInput, Duration) -> Void)?
    private let logger: Logger

    /// `inbox` is the engine's input queue (the ingest pipeline fills it); `clock` paces the
    /// evaluation ticks.
    package init(
        plan: RulesPlan, rules: LoadedRules, events: EventStore, records: RecordsRepository, samples: SampleStore, inbox: RuleInbox,
        topology: TopologySource, agent: AgentWatch, clock: C, observe: (@Sendable (RuleInput, Duration) -> Void)? = nil, logger: Logger
    ) {
        self.observe = observe
        self.agent = agent
        self.plan = plan
        self.initial = rules
        self.events = events
        self.records = records
        self.samples = samples
        self.inbox = inbox
        self.topology = topology
        self.clock = clock
        self.logger = logger
    }

    /// Hands input to the engine without blocking the caller.
    package func submit(_ item: RuleInput) { inbox.submit(item) }

    package func run() async throws {
        var loop = try await EngineLoop.start(
            rules: initial, plan: plan, topology: topology, events: events, records: records, agent: agent, status: status, clock: clock,
            logger: logger)
        let (warmed, replayed) = try await loop.catchUp(samples: samples, window: plan.replayAfterRestart)
        logger.info(
            "rules engine started",
            metadata: [
                "rules.file": "\(initial.file)", "rules.count": "\(initial.compiled.rules.count)",
                "rules.resumed": "\(loop.resumed)", "rules.replayed_readings": "\(replayed)",
                "rules.warmed_readings": "\(warmed)",
                "events.firing": "\(loop.engine.openEvents.count)",
            ])
        status.update { $0.running = true }
        let (every, inbox, clock, observe) = (plan.evaluateEvery, self.inbox, self.clock, self.observe)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while (try? await clock.sleep(for: every)) != nil { inbox.submit(.tick) }
                }
                for await item in inbox.inputs {
                    // Evaluation time is real time (what an input costs the engine, its
                    // checkpoint included), whatever clock paces the service.
                    let started = ContinuousClock.now
                    await loop.handle(item)
                    observe?(item, started.duration(to: .now))
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            inbox.finish()
        }
        status.update { $0.running = false }
        await loop.checkpoint(reason: "shutdown")
        logger.info("rules engine stopped", metadata: ["events.firing": "\(loop.engine.openEvents.count)"])
    }
}

/// Where the rules' topology comes from: the stored floor and points, and a revision that
/// changes with the stored floor.
package struct TopologySource: Sendable {
    /// Builds the topology from the store.
    package var build: @Sendable () async throws -> RuleTopology
    /// The stored floor's revision (``FloorRepository/revision()``).
    package var floorRevision: @Sendable () async throws -> String

    package init(build: @escaping @Sendable () async throws -> RuleTopology, floorRevision: @escaping @Sendable () async throws -> String) {
        self.build = build
        self.floorRevision = floorRevision
    }
}

/// The agent's own health, watched by the engine at every tick.
package struct AgentWatch: Sendable {
    /// The agent, as the scope of its own events (`agent.name`).
    package var id: CIID
    /// Readings dropped on the way to the store or the rules since the process started.
    package var droppedReadings: @Sendable () -> Int
    /// Of those, the readings the rules' own queue dropped.
    package var droppedByRules: @Sendable () -> Int = { 0 }
    /// The agent's clock status now; nil when `rules.check_clock_sync` is off.
    package var clock: (@Sendable () -> AgentClockStatus)? = nil

    package init(
        id: CIID, droppedReadings: @escaping @Sendable () -> Int, droppedByRules: @escaping @Sendable () -> Int = { 0 },
        clock: (@Sendable () -> AgentClockStatus)? = nil
    ) {
        self.id = id
        self.droppedReadings = droppedReadings
        self.droppedByRules = droppedByRules
        self.clock = clock
    }
}

/// The engine and its bookkeeping, owned by the service's run loop (one task at a time).
package struct EngineLoop<C: Clock> where C.Duration == Duration {
    package var engine: RuleEngine
    package var digest: String
    package let events: EventStore
    package let records: RecordsRepository
    package let agent: AgentWatch
    package let status: RulesStatus
    package let logger: Logger
    package let plan: RulesPlan
    package let topology: TopologySource
    /// The stored floor's revision when the rules were last compiled.
    private var floorRevision: String?
    private var droppedSeen = 0
    /// The state found in the store at start, if any.
    package let saved: SavedRuleState?
    /// True when a saved state was loaded.
    package let resumed: Bool
    private var pendingDerived: [Reading] = []
    private var pendingChanges: [EventChange] = []
    private var dirty = false
    /// Paces checkpoints (the service's clock, so tests drive it).
    let clock: C
    private var lastCheckpoint: C.Instant
    private var lastCost = Duration.zero

    /// Loads the saved state (if any) and the records, off the cooperative pool.
    package static func start(
        rules: LoadedRules, plan: RulesPlan, topology: TopologySource, events: EventStore, records: RecordsRepository, agent: AgentWatch,
        status: RulesStatus, clock: C, logger: Logger
    ) async throws -> EngineLoop {
        let saved = try await events.savedState()
        var loop = EngineLoop(
            rules: rules, plan: plan, topology: topology, saved: saved, events: events, records: records, agent: agent, status: status,
            clock: clock, logger: logger)
        loop.floorRevision = try? await topology.floorRevision()
        await loop.refreshRecords()
        return loop
    }

    private init(
        rules: LoadedRules, plan: RulesPlan, topology: TopologySource, saved: SavedRuleState?, events: EventStore,
        records: RecordsRepository, agent: AgentWatch, status: RulesStatus, clock: C, logger: Logger
    ) {
        self.clock = clock
        lastCheckpoint = clock.now
        var state = RuleEngineState()
        var resumed = false
        if let saved {
            do {
                state = try RuleEngineState(encoded: saved.state)
                resumed = true
            } catch {
                // A state that no longer decodes (an older format) starts afresh; the firing
                // events in the store are resolved by the next evaluations or stay visible.
                logger.error("the saved rules engine state cannot be read; starting with an empty one: \(error)")
            }
            if saved.rulesDigest != rules.digest {
                logger.notice("the rule file changed since the state was saved; conditions of removed rules will resolve")
            }
        }
        // The daemon's downtime is not a sensor's silence: stale timers count from now.
        state.resume(at: .now)
        self.engine = RuleEngine(rules: rules.compiled, state: state)
        self.digest = rules.digest
        self.saved = saved
        self.plan = plan
        self.topology = topology
        self.events = events
        self.records = records
        self.agent = agent
        self.status = status
        self.logger = logger
        self.resumed = resumed
        status.update {
            $0.rules = rules.compiled.rules.count
            $0.firing = engine.openEvents.count
            $0.limits = rules.compiled.pointLimits
            $0.obligations = ObligationCalendar.duties(rules.compiled.rules)
        }
    }

    /// Replays readings committed since the saved state (those it already saw are ignored), so
    /// a crash between a reading's commit and the engine's checkpoint loses no evaluation.
    /// Returns how many stored readings restored histories and evidence, and how many were replayed.
    package mutating func catchUp(samples: SampleStore, window: Duration) async throws -> (warmed: Int, replayed: Int) {
        guard resumed, let saved else { return (0, 0) }
        let now = Timestamp.now
        let windowSeconds = Double(window.components.seconds)
        // Poll times precede their commit by up to a flush interval or two: look a little back.
        let since = Timestamp(milliseconds: max(saved.savedAt.milliseconds - 300_000, now.milliseconds - Int64(windowSeconds * 1000)))
        // The checkpoint does not carry rate-window histories and evidence readings: read them
        // back from the store first, up to what the engine had seen.
        let ranges = engine.warmUpRanges
        let stored = try await samples.tails(ranges, last: RuleEngine.evidenceCount)
        engine.warm(stored)
        let readings = try await samples.measuredSamples(since: since).sorted { $0.time < $1.time }
        var out = RuleOutput()
        for r in readings {
            let o = engine.ingest([r], now: r.time)
            out.changes += o.changes
            out.derived += o.derived
        }
        record(out)
        await checkpoint(reason: "replay")
        status.update { $0.replayed = readings.count }
        return (stored.count, readings.count)
    }

    package mutating func handle(_ item: RuleInput) async {
        let checkpointEvery = plan.checkpointEvery
        let now = Timestamp.now
        let out: RuleOutput
        switch item {
        case .committed(let batch):
            // New points first (the rules recompile to include them), then readings and health
            // in the order they were polled.
            if batch.items.contains(where: { if case .points = $0 { true } else { false } }) {
                await reload(reason: "new points")
            }
            var o = RuleOutput()
            for item in batch.items {
                let part: RuleOutput
                switch item {
                case .points: continue
                case .readings(let readings): part = engine.ingest(readings, now: now)
                case .health(let health): part = engine.deviceHealth([health], now: now)
                }
                o.changes += part.changes
                o.derived += part.derived
            }
            out = o
        case .retired(let devices): out = engine.devicesRetired(devices, now: now)
        case .reload(let reason):
            await reload(reason: reason)
            return
        case .tick:
            // A floor changed in the store (an import, an approved decommissioning) recompiles
            // the rules against it before they run.
            let topology = self.topology
            if let revision = try? await topology.floorRevision(), revision != floorRevision {
                if floorRevision != nil { await reload(reason: "the stored floor changed") }
                floorRevision = revision
            }
            await refreshRecords()
            var o = engine.tick(now: now)
            let dropped = agent.droppedReadings()
            status.update { $0.droppedInputs = agent.droppedByRules() }
            let loss = engine.storeDropped(max(0, dropped - droppedSeen), agent: agent.id, now: now)
            droppedSeen = dropped
            o.changes += loss.changes
            if let clock = agent.clock { o.changes += engine.agentClock(clock(), agent: agent.id, now: now).changes }
            out = o
        }
        status.update { $0.evaluations += 1 }
        record(out)
        // Event changes commit at once — unless checkpoints are expensive (a large floor: the
        // state JSON grows with points × rate window), when they wait until four times the last
        // checkpoint's cost has passed, so checkpoints take at most a fifth of the engine's time.
        // Waiting loses nothing: what is not committed is replayed from the samples after a crash.
        let since = lastCheckpoint.duration(to: clock.now)
        if (!pendingChanges.isEmpty && since >= lastCost * 4) || since >= max(checkpointEvery, lastCost * 4) {
            await checkpoint(reason: pendingChanges.isEmpty ? "interval" : "events")
        }
    }

    /// Keeps an evaluation's output until the next checkpoint; logs each change.
    private mutating func record(_ out: RuleOutput) {
        pendingDerived += out.derived
        dirty = true
        for c in out.changes {
            let level: Logger.Level = c.event.severity == .critical && c.change == .opened ? .warning : .notice
            logger.log(
                level: level, "event \(c.change.rawValue): \(c.event.message)",
                metadata: [
                    "event.key": "\(c.event.dedupKey)", "event.severity": "\(c.event.severity.rawValue)",
                    "event.state": "\(c.event.state.rawValue)", "event.notify": "\(c.notify)",
                ])
        }
        if !out.changes.isEmpty { pendingChanges += out.changes }
    }

    /// Commits pending changes, derived readings and the state in one transaction (encoded and
    /// written off the cooperative pool). A failed commit keeps everything pending for the next
    /// attempt (nothing is lost while the disk is full for a moment).
    package mutating func checkpoint(reason: String) async {
        guard dirty || !pendingChanges.isEmpty else { return }
        // The cost is real time (what a commit takes); the pacing runs on the service's clock.
        let started = ContinuousClock.now
        let state = engine.state
        let checkpoint = (changes: pendingChanges, derived: pendingDerived, digest: digest)
        let events = self.events
        do {
            try await events.commit(
                RuleCheckpoint(
                    changes: checkpoint.changes, derived: checkpoint.derived, state: try state.encoded(), rulesDigest: checkpoint.digest,
                    at: .now))
            pendingChanges.removeFirst(checkpoint.changes.count)
            pendingDerived.removeFirst(checkpoint.derived.count)
            dirty = false
            lastCheckpoint = clock.now
            lastCost = started.duration(to: .now)
            status.update {
                $0.checkpoints += 1
                $0.lastCheckpoint = .now
                $0.firing = engine.openEvents.count
                $0.lastError = nil
            }
        } catch {
            logger.error("rules checkpoint failed (kept for the next attempt): \(error)", metadata: ["rules.checkpoint": "\(reason)"])
            status.update { $0.lastError = "\(error)" }
        }
    }

    /// Maintenance windows and obligation records, from the store (the CLI adds them).
    package mutating func refreshRecords() async {
        let records = self.records
        do {
            let windows = try await records.windows(endingAfter: .now).map(\.window)
            let done = try await records.records()
            engine.maintenance = windows
            engine.records = done
        } catch {
            logger.error("cannot read maintenance windows or obligation records: \(error)")
        }
    }

    /// Recompiles the rule file against the current floor and points; keeps the running rules
    /// when the new file does not compile, logging every problem.
    package mutating func reload(reason: String) async {
        let (file, topology) = (plan.file, self.topology)
        do {
            let loaded = try RuleFiles.load(file, topology: try await topology.build())
            await checkpoint(reason: "reload")
            engine = RuleEngine(rules: loaded.compiled, state: engine.state)
            await refreshRecords()
            digest = loaded.digest
            dirty = true
            status.update {
                $0.rules = loaded.compiled.rules.count
                $0.reloads += 1
                $0.limits = loaded.compiled.pointLimits
                $0.obligations = ObligationCalendar.duties(loaded.compiled.rules)
            }
            logger.info(
                "rules reloaded", metadata: ["rules.file": "\(file)", "rules.count": "\(loaded.compiled.rules.count)", "rules.reload": "\(reason)"])
        } catch {
            for line in "\(error)".split(separator: "\n") { logger.error("rules NOT reloaded: \(line)") }
        }
    }
}
