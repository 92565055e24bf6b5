import AgentStore
import ArgumentParser
import Foundation
import Logging
import SensorDrivers
import ServiceLifecycle
import Synchronization
import Telemetry
import ContaminationRules
import UnixSignals

/// `dcagent run --config FILE`: the daemon, as one `ServiceGroup` wired in dependency order
/// (store first, HTTP last; STYLE habit 3).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the daemon in the foreground.")
    @OptionGroup var config: ConfigOption

    func run() async throws {
        let plan = try config.plan()
        let logSettings = LogSettings(plan.logging)
        LoggingSystem.bootstrap { label in DCAgentLogHandler(label: label, settings: logSettings) }
        var logger = Logger(label: "dcagent")
        logger[metadataKey: "agent"] = "\(plan.agentName)"

        let lock: FileLock
        let store: OpenedStore
        do {
            store = try OpenedStore(plan: plan)
            lock = try DaemonLock.acquire(databasePath: plan.storage.path)
            // DESIGN decision 3: the demo imports its floor file into an empty database.
            try FloorBootstrap.importIfEmpty(plan: plan, store: store, logger: logger)
        } catch let e as StoreError {
            logger.critical("cannot open the store: \(e.message)")
            printErr("dcagent: \(e.message)")
            throw ExitCode(1)
        } catch {
            logger.critical("floor import on first start failed: \(error)")
            printErr("dcagent: floor import on first start failed: \(error)")
            throw ExitCode(1)
        }
        let samples = SampleStore(database: store.database)

        // Sensors: profiles, request plans and secrets are checked before anything runs.
        let initialSensors: SensorSupervisor.Generation
        do {
            initialSensors = try await SensorSupervisor.prepare(plan, logger: logger)
        } catch {
            for p in error.problems { logger.critical("sensor configuration refused: \(p)") }
            printErr(error.description)
            throw ExitCode(2)
        }
        let initialPoints = initialSensors.devices.flatMap(\.reader.points)
        try samples.register(initialPoints)
        // The sensors polled now (replaced by a SIGHUP that changes them); set once they exist.
        let sensorsBox = Mutex<SensorSupervisor?>(nil)
        // Rules: compiled against the stored floor and every point the sensors will report; a
        // rule file that does not compile stops the start, naming each rule and key.
        var rules: RulesService?
        // The writer is created after the rules (its onCommit feeds them); the rules read its
        // drop count through this box once it exists.
        let writerBox = Mutex<BatchWriter<ContinuousClock>?>(nil)
        if let rulesPlan = plan.rules {
            let topology = TopologySource(
                build: {
                    let current = sensorsBox.withLock { $0.map { ($0.points, $0.generation.ids) } } ?? (initialPoints, initialSensors.ids)
                    return try RuleFiles.topology(store: store, extraPoints: current.0, polled: current.1)
                },
                floorRevision: { try store.floor.revision() })
            do {
                let loaded = try RuleFiles.load(rulesPlan.file, topology: try topology.build())
                try samples.register(loaded.compiled.derivedPoints)
                var clockProbe: (@Sendable () -> AgentClockStatus)?
                if rulesPlan.checkClockSync { clockProbe = { @Sendable in ClockSync.read() } }
                rules = RulesService(
                    plan: rulesPlan, rules: loaded, events: EventStore(database: store.database, samples: samples),
                    records: store.records, samples: samples, topology: topology,
                    agent: AgentWatch(
                        id: CIID(validating: plan.agentName) ?? "dcagent",
                        droppedReadings: { writerBox.withLock { $0?.health.dropped ?? 0 } },
                        clock: clockProbe),
                    logger: logger)
            } catch let e as RuleFileError {
                for line in e.lines { logger.critical("rules refused: \(line)") }
                printErr(e.description)
                throw ExitCode(2)
            }
        }
        let rulesInput = rules
        let onCommit: (@Sendable (CommittedBatch) -> Void)? =
            rulesInput == nil ? nil : { @Sendable batch in rulesInput?.submit(.readings(batch.readings)) }
        let writer = BatchWriter(
            store: samples, settings: plan.storage.writer, clock: ContinuousClock(), logger: logger, onCommit: onCommit)
        writerBox.withLock { $0 = writer }
        let onlineSeen = Mutex<Set<CIID>>([])
        // Points first seen while running (SNMP table rows: a PDU's outlets are known after its
        // first walk) get their descriptors registered, and the rules recompile to include them.
        let known = Mutex<Set<PointID>>(Set(initialPoints.map(\.id)))
        let log = logger
        let registerNew: @Sendable (CIID, [Reading]) -> Void = { ci, readings in
            guard known.withLock({ set in readings.contains { !set.contains($0.point) } }),
                let reader = sensorsBox.withLock({ $0 })?.reader(for: ci)
            else { return }
            let fresh = known.withLock { set -> [PointDescriptor] in
                let new = reader.points.filter { set.insert($0.id).inserted }
                for r in readings { set.insert(r.point) }
                return new
            }
            guard !fresh.isEmpty else { return }
            do {
                try samples.register(fresh)
                log.info("new points registered", metadata: ["sensor.id": "\(ci)", "points.new": "\(fresh.count)"])
                rulesInput?.submit(.reload(reason: "new points of \(ci)"))
            } catch {
                log.error("cannot register new points of \(ci): \(error)")
            }
        }
        let sensors = SensorSupervisor(
            initial: initialSensors, logger: logger,
            sink: { event in
                // Readings go to the store (and from there to the rules); health transitions go
                // to the rules directly. A device's first poll after a start also counts as
                // "online", so an offline event carried over a restart resolves.
                switch event {
                case .readings(let ci, let readings):
                    registerNew(ci, readings)
                    writer.submit(readings)
                    if onlineSeen.withLock({ $0.insert(ci).inserted }) { rulesInput?.submit(.health([.init(device: ci, online: true)])) }
                case .offline(let ci, let reason):
                    onlineSeen.withLock { _ = $0.remove(ci) }
                    rulesInput?.submit(.health([.init(device: ci, online: false, reason: reason)]))
                case .online(let ci):
                    onlineSeen.withLock { _ = $0.insert(ci) }
                    rulesInput?.submit(.health([.init(device: ci, online: true)]))
                }
            },
            onInstall: { generation, removed in
                // New sensors' points are registered with their descriptors (the reload that
                // installed them recompiles the rules); a removed sensor's "first poll" is
                // forgotten and its offline event resolves.
                let points = generation.devices.flatMap(\.reader.points)
                let ids = generation.ids
                known.withLock { set in for p in points { set.insert(p.id) } }
                onlineSeen.withLock { set in set = set.filter { ids.contains($0) } }
                do { try samples.register(points) } catch { log.error("cannot register the new sensors' points: \(error)") }
                if !removed.isEmpty { rulesInput?.submit(.retired(removed)) }
            })
        sensorsBox.withLock { $0 = sensors }
        let runtime = Runtime(
            plan: plan, database: store.database, audit: store.audit, writer: writer, samples: samples, logSettings: logSettings,
            sensors: sensors, rules: rules)
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let notifier = SystemdNotifier()
        let http = HTTPServer.make(runtime: runtime, logger: logger) {
            readyContinuation.yield()
            readyContinuation.finish()
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
        ]
        if let rules { services.append(.init(service: rules, serviceName: "rules")) }
        services.append(.init(service: sensors, serviceName: "polling"))
        services += [
            .init(service: ReloadService(runtime: runtime, configPath: config.config, logger: logger), serviceName: "reload"),
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
                "config.file": "\(config.config)", "storage.path": "\(plan.storage.path)",
                "http.address": "\(plan.http.bind):\(plan.http.port)", "version": "\(DCAgentVersion.string)",
            ])
        do {
            try await ServiceGroup(configuration: groupConfig).run()
        } catch {
            logger.critical("stopped with an error: \(error)")
            lock.unlock()
            throw ExitCode(1)
        }
        lock.unlock()
        logger.info("stopped cleanly")
    }
}
