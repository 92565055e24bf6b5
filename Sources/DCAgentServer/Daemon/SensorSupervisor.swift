import Foundation
package import Logging
package import SensorDrivers
import ServiceLifecycle
import Synchronization
package import Telemetry

/// The sensors the daemon polls, replaced as a whole when a SIGHUP brings a changed sensor
/// list, a changed profile or a changed SNMP secret. The new readers are built and checked
/// first — a sensor that does not build refuses the whole reload and the running polling goes
/// on — then the running polling stops, its Modbus connections close, and the new one starts.
/// Unchanged configs leave the polling alone (a SIGHUP that only changes the log level does
/// not reconnect 200 sensors).
package final class SensorSupervisor: Service, Sendable {
    /// What a set of readers is built from: the sensors, the profiles they use and their SNMP
    /// versions with the secrets as resolved now. Equal fingerprints poll the same way.
    package struct Fingerprint: Sendable, Equatable {
        let sensors: [SensorPlan]
        let profiles: [String: DeviceProfile]
        let snmp: [CIID: SNMPVersion]
    }

    /// One set of readers and its fingerprint.
    package struct Generation: Sendable {
        let fingerprint: Fingerprint
        let devices: [PolledDevice]
        let pool: ModbusBusPool

        var sensors: [SensorPlan] { fingerprint.sensors }
        var ids: Set<CIID> { Set(sensors.map(\.id)) }
    }

    /// Reads the profiles, checks every sensor and resolves its secrets, without IO to the
    /// sensors; every problem names its sensor or file.
    package static func fingerprint(
        _ plan: ConfigPlan, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigErrors) -> (Fingerprint, ProfileCatalog) {
        guard !plan.sensors.isEmpty else { return (Fingerprint(sensors: [], profiles: [:], snmp: [:]), ProfileCatalog([])) }
        let catalog = try SensorWiring.loadCatalog(directory: plan.profilesDirectory).get()
        var problems = SensorWiring.check(plan, catalog: catalog)
        var profiles: [String: DeviceProfile] = [:]
        var snmp: [CIID: SNMPVersion] = [:]
        for (i, s) in plan.sensors.enumerated() {
            profiles[s.profile] = catalog.profiles[s.profile]
            guard case .snmp = s.endpoint else { continue }
            do { snmp[s.id] = try SensorWiring.snmpVersion(s, environment: environment) } catch {
                problems.append(ConfigProblem(file: plan.file, path: "sensors[\(i)]", reason: "sensor \(s.id): \(error)"))
            }
        }
        if !problems.isEmpty { throw ConfigErrors(problems: problems) }
        return (Fingerprint(sensors: plan.sensors, profiles: profiles, snmp: snmp), catalog)
    }

    /// Builds the readers of `plan`.
    package static func prepare(_ plan: ConfigPlan, logger: Logger) async throws(ConfigErrors) -> Generation {
        let (fingerprint, catalog) = try fingerprint(plan)
        return try await build(plan, fingerprint, catalog, logger: logger)
    }

    /// Builds the readers of `plan`, unless they would be built from `unchanged` (then nil:
    /// nothing to replace, nothing built, nothing logged).
    package static func prepare(_ plan: ConfigPlan, logger: Logger, unless unchanged: Fingerprint) async throws(ConfigErrors) -> Generation? {
        let (fingerprint, catalog) = try fingerprint(plan)
        if fingerprint == unchanged { return nil }
        return try await build(plan, fingerprint, catalog, logger: logger)
    }

    private static func build(
        _ plan: ConfigPlan, _ fingerprint: Fingerprint, _ catalog: ProfileCatalog, logger: Logger
    ) async throws(ConfigErrors) -> Generation {
        let pool = ModbusBusPool()
        let devices = plan.sensors.isEmpty ? [] : try await SensorWiring.devices(plan, catalog: catalog, snmp: fingerprint.snmp, pool: pool, logger: logger)
        return Generation(fingerprint: fingerprint, devices: devices, pool: pool)
    }

    private struct Running {
        var generation: Generation
        var polling: PollingService<ContinuousClock>
        var number = 1
    }

    private let running: Mutex<Running>
    private let swaps: AsyncStream<Running>.Continuation
    private let swapStream: AsyncStream<Running>
    private let configuration: PollingConfiguration
    private let ingest: any PollSink
    private let observe: PollingService<ContinuousClock>.Observer?
    private let logger: Logger

    /// `ingest` receives every generation's readings and health, and hears of each new
    /// generation installed (its points, and the sensors it removed); `observe` hears of every
    /// finished poll (the metrics).
    package init(
        initial: Generation, configuration: PollingConfiguration = PollingConfiguration(), ingest: any PollSink,
        observe: PollingService<ContinuousClock>.Observer? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.ingest = ingest
        self.observe = observe
        self.logger = logger
        let polling = Self.polling(initial, configuration: configuration, ingest: ingest, observe: observe, logger: logger)
        self.running = Mutex(Running(generation: initial, polling: polling))
        (swapStream, swaps) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// The sensors polled now.
    package var generation: Generation { running.withLock { $0.generation } }

    /// Every point the current readers report (SNMP table rows once walked).
    package var points: [PointDescriptor] { running.withLock { $0.generation.devices.flatMap(\.reader.points) } }

    /// The current reader of a device.
    package func reader(for device: CIID) -> (any DeviceReader)? {
        running.withLock { r in r.generation.devices.first { $0.reader.device == device }?.reader }
    }

    /// The health of every device polled now.
    package func health() async -> [CIID: DeviceHealth] {
        let polling = running.withLock { $0.polling }
        return await polling.health()
    }

    /// What a reload changes.
    package struct Change: Sendable, Equatable {
        var added: [CIID] = []
        var removed: [CIID] = []
        var changed: [CIID] = []
        var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
        var summary: String {
            [("added", added), ("removed", removed), ("changed", changed)].filter { !$0.1.isEmpty }
                .map { "\($0.0) \($0.1.map(\.rawValue).joined(separator: ","))" }.joined(separator: "; ")
        }
    }

    /// Installs a prepared generation when it differs from the running one; returns what
    /// changed (empty: nothing installed). The running polling stops and the new one starts.
    package func install(_ next: Generation) -> Change {
        let old = generation
        guard next.fingerprint != old.fingerprint else { return Change() }
        let was = old.fingerprint, now = next.fingerprint
        let before = Dictionary(was.sensors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var change = Change()
        for s in now.sensors {
            if let b = before[s.id] {
                if b != s || was.profiles[b.profile] != now.profiles[s.profile] || was.snmp[s.id] != now.snmp[s.id] { change.changed.append(s.id) }
            } else {
                change.added.append(s.id)
            }
        }
        change.removed = was.sensors.map(\.id).filter { !next.ids.contains($0) }
        let polling = Self.polling(next, configuration: configuration, ingest: ingest, observe: observe, logger: logger)
        let swap = running.withLock { r -> Running in
            r = Running(generation: next, polling: polling, number: r.number + 1)
            return r
        }
        swaps.yield(swap)
        ingest.installed(points: next.devices.flatMap(\.reader.points), polled: next.ids, removed: change.removed)
        return change
    }

    /// The polling service of a generation; each poll goes to `ingest` with the descriptors its
    /// reader knows (an SNMP reader learns table rows as it walks).
    private static func polling(
        _ generation: Generation, configuration: PollingConfiguration, ingest: any PollSink,
        observe: PollingService<ContinuousClock>.Observer?, logger: Logger
    ) -> PollingService<ContinuousClock> {
        PollingService(
            devices: generation.devices, configuration: configuration, clock: ContinuousClock(), logger: logger, observe: observe
        ) { event in
            ingest.accept(event, points: generation.points(of: event.device))
        }
    }

    /// Polls the current generation; on each install, stops it (its loops end, its Modbus
    /// connections close) and starts the next. Ends at graceful shutdown or cancellation.
    ///
    /// Each generation runs in a task of its own (a cancelled task group would start the next
    /// generation cancelled); the handle is kept so that cancellation reaches it.
    package func run() async throws {
        let first = running.withLock { $0 }
        let handle = TaskHandle()
        handle.start(first.polling)
        var current = first
        await withTaskCancellationHandler {
            for await next in swapStream.cancelOnGracefulShutdown() where next.number > current.number {
                await handle.stop()
                await current.generation.pool.closeAll()
                logger.info("sensors reloaded: polling \(next.generation.devices.count) device(s)", metadata: ["sensors.generation": "\(next.number)"])
                current = next
                handle.start(next.polling)
            }
        } onCancel: {
            handle.cancel()
        }
        await handle.stop()
        await current.generation.pool.closeAll()
    }

    /// The task polling the current generation.
    private final class TaskHandle: Sendable {
        private let task = Mutex<Task<Void, Never>?>(nil)

        func start(_ polling: PollingService<ContinuousClock>) { task.withLock { $0 = Task { try? await polling.run() } } }

        func cancel() { task.withLock { $0?.cancel() } }

        func stop() async {
            let t = task.withLock { $0 }
            t?.cancel()
            await t?.value
        }
    }
}

/// Where polls go: the ingest pipeline (``IngestPipeline``).
package protocol PollSink: Sendable {
    /// A poll's readings or a health transition; `points` are the descriptors the device's reader
    /// knows now (evaluated only when a reading's point is new).
    func accept(_ event: PollEvent, points: @autoclosure () -> [PointDescriptor])
    /// A new generation of sensors is polled.
    func installed(points: [PointDescriptor], polled: Set<CIID>, removed: [CIID])
}

extension IngestPipeline: PollSink {}

extension PollEvent {
    /// The device the event is about.
    var device: CIID {
        switch self {
        case .readings(let ci, _), .offline(let ci, _), .online(let ci): ci
        }
    }
}

extension SensorSupervisor.Generation {
    /// The descriptors the reader of `device` knows now.
    func points(of device: CIID) -> [PointDescriptor] {
        devices.first { $0.reader.device == device }?.reader.points ?? []
    }
}
