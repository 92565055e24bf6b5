import Foundation
import Logging
import SensorDrivers
import ServiceLifecycle
import Synchronization
import Telemetry

/// The sensors the daemon polls, replaced as a whole when a SIGHUP brings a changed sensor
/// list, a changed profile or a changed SNMP secret. The new readers are built and checked
/// first — a sensor that does not build refuses the whole reload and the running polling goes
/// on — then the running polling stops, its Modbus connections close, and the new one starts.
/// Unchanged configs leave the polling alone (a SIGHUP that only changes the log level does
/// not reconnect 200 sensors).
final class SensorSupervisor: Service, Sendable {
    /// One set of readers, and what it was built from (to tell whether a reload changes it).
    struct Generation: Sendable {
        let sensors: [SensorPlan]
        /// The profiles the sensors use, by name.
        let profiles: [String: DeviceProfile]
        /// The SNMP targets as resolved (with their secrets), by sensor.
        let snmpTargets: [CIID: SNMPTarget]
        let devices: [PolledDevice]
        let pool: ModbusBusPool

        /// True when `other` polls the same sensors the same way.
        func same(as other: Generation) -> Bool {
            sensors == other.sensors && profiles == other.profiles && snmpTargets == other.snmpTargets
        }

        var ids: Set<CIID> { Set(sensors.map(\.id)) }
    }

    /// Reads the profiles, checks every sensor and builds its reader; every problem names its
    /// sensor or file.
    static func prepare(_ plan: ConfigPlan, logger: Logger) async throws(ConfigErrors) -> Generation {
        let pool = ModbusBusPool()
        guard !plan.sensors.isEmpty else { return Generation(sensors: [], profiles: [:], snmpTargets: [:], devices: [], pool: pool) }
        let catalog = try SensorWiring.loadCatalog(directory: plan.profilesDirectory).get()
        let problems = SensorWiring.check(plan, catalog: catalog)
        if !problems.isEmpty { throw ConfigErrors(problems: problems) }
        let devices = try await SensorWiring.devices(plan, catalog: catalog, pool: pool, logger: logger)
        var profiles: [String: DeviceProfile] = [:]
        for s in plan.sensors { profiles[s.profile] = catalog.profiles[s.profile] }
        var targets: [CIID: SNMPTarget] = [:]
        for d in devices { if let r = d.reader as? SNMPDeviceReader { targets[r.device] = r.client.target } }
        return Generation(sensors: plan.sensors, profiles: profiles, snmpTargets: targets, devices: devices, pool: pool)
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
    private let sink: PollingService<ContinuousClock>.Sink
    private let onInstall: @Sendable (Generation, [CIID]) -> Void
    private let logger: Logger

    /// `sink` receives every generation's readings and health; `onInstall` runs after a new
    /// generation is installed, with the sensors it removed (register its points, recompile the
    /// rules, resolve the removed devices' offline events).
    init(
        initial: Generation, configuration: PollingConfiguration = PollingConfiguration(), logger: Logger,
        sink: @escaping PollingService<ContinuousClock>.Sink, onInstall: @escaping @Sendable (Generation, _ removed: [CIID]) -> Void
    ) {
        self.configuration = configuration
        self.sink = sink
        self.onInstall = onInstall
        self.logger = logger
        let polling = PollingService(devices: initial.devices, configuration: configuration, clock: ContinuousClock(), logger: logger, sink: sink)
        self.running = Mutex(Running(generation: initial, polling: polling))
        (swapStream, swaps) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// The sensors polled now.
    var generation: Generation { running.withLock { $0.generation } }

    /// Every point the current readers report (SNMP table rows once walked).
    var points: [PointDescriptor] { running.withLock { $0.generation.devices.flatMap(\.reader.points) } }

    /// The current reader of a device.
    func reader(for device: CIID) -> (any DeviceReader)? {
        running.withLock { r in r.generation.devices.first { $0.reader.device == device }?.reader }
    }

    /// The health of every device polled now.
    func health() async -> [CIID: DeviceHealth] {
        let polling = running.withLock { $0.polling }
        return await polling.health()
    }

    /// What a reload changes.
    struct Change: Sendable, Equatable {
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
    func install(_ next: Generation) -> Change {
        let old = generation
        guard !next.same(as: old) else { return Change() }
        let before = Dictionary(old.sensors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var change = Change()
        for s in next.sensors {
            if let was = before[s.id] {
                let sameProfile = old.profiles[was.profile] == next.profiles[s.profile]
                if was != s || !sameProfile || old.snmpTargets[s.id] != next.snmpTargets[s.id] { change.changed.append(s.id) }
            } else {
                change.added.append(s.id)
            }
        }
        change.removed = old.sensors.map(\.id).filter { !next.ids.contains($0) }
        let polling = PollingService(devices: next.devices, configuration: configuration, clock: ContinuousClock(), logger: logger, sink: sink)
        let swap = running.withLock { r -> Running in
            r = Running(generation: next, polling: polling, number: r.number + 1)
            return r
        }
        swaps.yield(swap)
        onInstall(next, change.removed)
        return change
    }

    /// Polls the current generation; on each install, stops it (its loops end, its Modbus
    /// connections close) and starts the next. Ends at graceful shutdown or cancellation.
    ///
    /// Each generation runs in a task of its own (a cancelled task group would start the next
    /// generation cancelled); the handle is kept so that cancellation reaches it.
    func run() async throws {
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
