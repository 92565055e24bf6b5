import DCAgentWeb
import AgentStore
import ContaminationRules
import Logging
import SensorDrivers
import ServiceLifecycle
import Telemetry
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// The daemon refused to start or stopped with an error: the lines to print and the exit code
/// (1: store or runtime failure, 2: configuration refused).
package struct DaemonExit: Error {
    package var code: Int32
    package var lines: [String]
}

/// `dcagent run`: the daemon, as one `ServiceGroup` wired in dependency order (store first, HTTP
/// last; STYLE habit 3).
package enum Daemon {
    /// glibc gives threads that allocate at the same time arenas of their own, up to eight per
    /// core, and an arena keeps what was freed in it: with the NIO, dispatch and cooperative
    /// threads of the daemon that was about 10 MB of resident memory at 10 000 points, for no
    /// measurable gain in CPU (docs/benchmarks.md, "Memory and growth"). Two arenas, unless the
    /// operator set `MALLOC_ARENA_MAX` in the environment (glibc reads it at start).
    static func limitMallocArenas() {
        #if canImport(Glibc)
        // `mallopt` is in <malloc.h>, which the Glibc module does not export: found by name.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let M_ARENA_MAX: Int32 = -8  // <malloc.h>
        guard getenv("MALLOC_ARENA_MAX") == nil, let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(f, to: Mallopt.self)(M_ARENA_MAX, 2)
        #endif
    }

    package static func run(plan: ConfigPlan, configPath: String) async throws {
        limitMallocArenas()
        let logSettings = LogSettings(plan.logging)
        LoggingSystem.bootstrap { label in DCAgentLogHandler(label: label, settings: logSettings) }
        var logger = Logger(label: "dcagent")
        logger[metadataKey: "agent"] = "\(plan.agentName)"

        let lock: FileLock
        let store: SiteStore
        do {
            store = try SiteStore(plan: plan, logger: logger)
            lock = try DaemonLock.acquire(databasePath: plan.storage.path)
            // DESIGN decision 3: the demo imports its floor file into an empty database.
            try FloorBootstrap.importIfEmpty(plan: plan, store: store, logger: logger)
        } catch let e as StoreError {
            logger.critical("cannot open the store: \(e.message)")
            throw DaemonExit(code: 1, lines: ["dcagent: \(e.message)"])
        } catch {
            logger.critical("floor import on first start failed: \(error)")
            throw DaemonExit(code: 1, lines: ["dcagent: floor import on first start failed: \(error)"])
        }
        // The config's sites against the stored floor: a site the floor does not hold is refused.
        do {
            let check = plan.siteProblems(stored: try store.floor.siteIDs())
            if !check.problems.isEmpty {
                for p in check.problems { logger.critical("configuration refused: \(p)") }
                throw DaemonExit(code: 2, lines: [ConfigErrors(problems: check.problems).description])
            }
            for site in check.unserved {
                logger.warning("the stored floor holds site \(site), which the config's sites do not name: this agent does not serve it")
            }
        } catch let e as StoreError {
            throw DaemonExit(code: 1, lines: ["dcagent: \(e.message)"])
        }
        let samples = store.samples

        // Sensors: profiles, request plans and secrets are checked before anything runs.
        let initialSensors: SensorSupervisor.Generation
        do {
            initialSensors = try await SensorSupervisor.prepare(plan, logger: logger)
        } catch {
            for p in error.problems { logger.critical("sensor configuration refused: \(p)") }
            throw DaemonExit(code: 2, lines: [error.description])
        }
        let initialPoints = initialSensors.devices.flatMap(\.reader.points)
        try samples.register(initialPoints)
        // Metrics (DESIGN decision 17): this daemon's registry; the global system gets it too,
        // the first time in the process.
        let metrics = AgentMetrics()
        AgentMetrics.bootstrapOnce(metrics)
        metrics.learn(initialPoints)
        await metrics.locate(plan: plan, store: store, logger: logger)
        // Committed event changes wake their consumers (the event stream; later the ITSM service),
        // whether this process or another (the CLI) committed them.
        let feed = store.changes
        // The ingest path: poll → batch writer → committed batch → rules → event log.
        let inbox = plan.rules == nil ? nil : RuleInbox()
        let pipeline = IngestPipeline(
            store: samples, settings: plan.storage.writer, clock: ContinuousClock(), registered: initialPoints, inbox: inbox,
            committed: { metrics.committed($0) }, logger: logger)
        let writer = pipeline.writer
        let sensors = SensorSupervisor(initial: initialSensors, ingest: pipeline, observe: { metrics.polled($0) }, logger: logger)
        // Rules: compiled against the stored floor and every point the sensors will report; a
        // rule file that does not compile stops the start, naming each rule and key.
        var rules: RulesService<ContinuousClock>?
        var changeNeeds: [String: ChangeNeed] = [:]
        var worseFalling: Set<String> = []
        if let rulesPlan = plan.rules, let inbox {
            let topology = TopologySource(
                build: { try await RuleFiles.topology(store: store, extraPoints: sensors.points, polled: sensors.generation.ids) },
                floorRevision: { try await store.floor.revision() })
            do {
                let loaded = try RuleFiles.load(rulesPlan.file, topology: try await topology.build())
                try samples.register(loaded.compiled.derivedPoints)
                try RuleFiles.checkChangeChecklists(loaded.compiled, file: rulesPlan.file, configFile: plan.file)
                for r in loaded.compiled.rules { if let n = r.needsChange { changeNeeds[r.id] = n } }
                for limit in loaded.compiled.pointLimits.values.joined() where !limit.rising { worseFalling.insert(limit.rule) }
                var clockProbe: (@Sendable () -> AgentClockStatus)?
                if rulesPlan.checkClockSync { clockProbe = { @Sendable in ClockSync.read() } }
                rules = RulesService(
                    plan: rulesPlan, rules: loaded, events: store.events,
                    records: store.records, samples: samples, inbox: inbox, topology: topology,
                    agent: AgentWatch(
                        id: CIID(validating: plan.agentName) ?? "dcagent", droppedReadings: { pipeline.droppedReadings },
                        droppedByRules: { inbox.droppedReadings }, clock: clockProbe),
                    clock: ContinuousClock(), observe: { metrics.evaluated($0, took: $1) }, logger: logger)
            } catch let e as RuleFileError {
                for line in e.lines { logger.critical("rules refused: \(line)") }
                throw DaemonExit(code: 2, lines: [e.description])
            }
        }
        let runtime = Runtime(
            plan: plan, database: store.database, audit: store.audit, writer: writer, samples: samples, logSettings: logSettings,
            sensors: sensors, rules: rules, store: store, metrics: metrics)
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let notifier = SystemdNotifier()
        let http: any Service
        do {
            http = try await HTTPService.make(
            runtime: runtime, events: store.events, access: SiteAccess(store: store, policy: plan.http.login),
            eventActions: store.eventActions, tickets: store.tickets, commits: { feed.subscribe() },
            logger: logger
        ) {
            readyContinuation.yield()
            readyContinuation.finish()
        }
        } catch let e as ConfigFileError {
            logger.critical("refusing to start: \(e.description)")
            throw DaemonExit(code: 2, lines: [e.description])
        }
        let retention = RetentionService(
            retention: Retention(database: store.database), window: plan.storage.retentionRaw, every: plan.storage.retentionEvery,
            clock: ContinuousClock(), logger: logger)
        let notify = NotifyService(
            notifier: notifier, ready: ready,
            status: {
                let p = runtime.current
                return "serving http://\(p.http.bind):\(p.http.port), \(p.sites.count) sites, \(p.sensors.count) sensors"
            },
            writerStuck: { writer.health.stuck }, clock: ContinuousClock(), logger: logger)

        // Dependency order: the store first, then what feeds it, HTTP last; shut down in reverse.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: writer, serviceName: "store-writer"),
            .init(service: retention, serviceName: "retention"),
            .init(service: feed, serviceName: "change-feed"),
        ]
        if let rules { services.append(.init(service: rules, serviceName: "rules")) }
        if var itsmPlan = plan.itsm {
            // The rules that need a change, and the checklist each names (refused when missing).
            itsmPlan.changeNeeds = changeNeeds
            itsmPlan.worseFalling = worseFalling
            itsmPlan.checklistDirectory = ChecklistTemplates.directory(besideConfig: plan.file)
            do {
                services.append(.init(service: try ITSMService(store: store, plan: itsmPlan, clock: ContinuousClock(), logger: logger), serviceName: "itsm"))
            } catch {
                // The secret could not be read: name where it was looked for, never the value.
                logger.critical("refusing to start: itsm.rt: \(error)")
                throw DaemonExit(code: 2, lines: ["itsm.rt: \(error)"])
            }
        }
        services.append(.init(service: sensors, serviceName: "polling"))
        services += [
            .init(service: ReloadService(runtime: runtime, configPath: configPath, logger: logger), serviceName: "reload"),
            .init(service: http, serviceName: "http"),
            .init(service: notify, serviceName: "systemd-notify"),
        ]
        var groupConfig = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        groupConfig.maximumGracefulShutdownDuration = Duration.seconds(15)
        groupConfig.maximumCancellationDuration = Duration.seconds(5)
        logger.info(
            "starting",
            metadata: [
                "config.file": "\(configPath)", "storage.path": "\(plan.storage.path)",
                "http.address": "\(plan.http.bind):\(plan.http.port)", "version": "\(DCAgentVersion.string)",
            ])
        do {
            try await ServiceGroup(configuration: groupConfig).run()
        } catch {
            logger.critical("stopped with an error: \(error)")
            lock.unlock()
            throw DaemonExit(code: 1, lines: [])
        }
        lock.unlock()
        logger.info("stopped cleanly")
    }
}

/// The version `dcagent --version` prints and the daemon logs.
package enum DCAgentVersion {
    package static let string = "0.1.0"
}
