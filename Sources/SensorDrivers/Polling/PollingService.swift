public import Logging
public import ServiceLifecycle
public import Telemetry

/// Polls every device on its own schedule and hands readings to a sink as they arrive
/// (a ServiceLifecycle `Service`: `run()` is its whole life).
///
/// Each device has its own loop; at most `maxConcurrentPolls` polls run at once; blocking C
/// calls stay on the drivers' own queues. Time comes from the injected clock, so tests drive it.
public final class PollingService<C: Clock>: Service where C.Duration == Duration {
    /// Receives readings and offline/online signals as they happen.
    public typealias Sink = @Sendable (PollEvent) async -> Void
    /// Hears of every finished poll (metrics); must not block.
    public typealias Observer = @Sendable (PollOutcome) -> Void

    private let devices: [PolledDevice]
    private let configuration: PollingConfiguration
    private let clock: C
    private let now: @Sendable () -> Timestamp
    private let random: @Sendable () -> Double
    private let logger: Logger
    private let sink: Sink
    private let observe: Observer?
    private let board: HealthBoard

    /// Creates the service. `now` stamps readings (wall time); `random` draws jitter in 0..<1;
    /// `observe` hears of every finished poll, successful or not.
    public init(
        devices: [PolledDevice], configuration: PollingConfiguration = PollingConfiguration(), clock: C,
        now: @escaping @Sendable () -> Timestamp = { Timestamp.now },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger, observe: Observer? = nil, sink: @escaping Sink
    ) {
        self.observe = observe
        self.devices = devices
        self.configuration = configuration
        self.clock = clock
        self.now = now
        self.random = random
        self.logger = logger
        self.sink = sink
        self.board = HealthBoard(devices.map(\.reader.device))
    }

    /// The health of every device now.
    public func health() async -> [CIID: DeviceHealth] { await board.snapshot() }

    /// Runs until cancelled or the service group shuts down gracefully.
    public func run() async throws {
        let permits = PollPermits(configuration.maxConcurrentPolls)
        logger.info("polling \(devices.count) device(s), at most \(configuration.maxConcurrentPolls) at once")
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for device in self.devices {
                    group.addTask { await self.loop(device, permits: permits) }
                }
            }
        }
    }

    private func loop(_ device: PolledDevice, permits: PollPermits) async {
        let schedule = PollSchedule(interval: device.interval, configuration: configuration)
        var next = clock.now.advanced(by: schedule.initialDelay(random: random()))
        while !Task.isCancelled {
            do { try await clock.sleep(until: next, tolerance: nil) } catch { return }
            guard await permits.acquire() else { return }
            let failures = await poll(device.reader)
            await permits.release()
            let after = next.advanced(by: schedule.delay(afterFailures: failures, random: random()))
            // A poll that overran its period starts the next one from now rather than bursting.
            next = after < clock.now ? clock.now.advanced(by: device.interval) : after
        }
    }

    /// Polls once and records the outcome; returns the consecutive failures after it.
    private func poll(_ reader: any DeviceReader) async -> Int {
        let device = reader.device
        let stamp = now()
        let started = clock.now
        do {
            let readings = try await reader.readOnce(now: stamp)
            let took = started.duration(to: clock.now)
            observe?(PollOutcome(device: device, took: took, failed: false))
            let wasOffline = await board.succeeded(device, at: stamp, took: took)
            if wasOffline {
                logger.notice("device back online", metadata: ["sensor.id": "\(device)"])
                await sink(.online(device))
            }
            await sink(.readings(device, readings))
            return 0
        } catch {
            let reason = "\(error)"
            let took = started.duration(to: clock.now)
            observe?(PollOutcome(device: device, took: took, failed: true))
            let (failures, wentOffline) = await board.failed(
                device, at: stamp, took: took, error: reason, offlineAfter: configuration.offlineAfter)
            logger.debug("poll failed (\(failures) in a row): \(reason)", metadata: ["sensor.id": "\(device)"])
            if wentOffline {
                logger.warning("device offline after \(failures) failed polls: \(reason)", metadata: ["sensor.id": "\(device)"])
                await sink(.offline(device, reason: reason))
            }
            return failures
        }
    }
}

/// The health records of the polled devices.
actor HealthBoard {
    private var records: [CIID: DeviceHealth]

    init(_ devices: [CIID]) { records = Dictionary(devices.map { ($0, DeviceHealth()) }, uniquingKeysWith: { a, _ in a }) }

    func snapshot() -> [CIID: DeviceHealth] { records }

    /// Records a success; true when the device was offline.
    func succeeded(_ d: CIID, at t: Timestamp, took: Duration) -> Bool {
        var r = records[d, default: DeviceHealth()]
        let wasOffline = r.offline
        r.lastSuccess = t
        r.consecutiveFailures = 0
        r.lastPollDuration = took
        r.polls += 1
        r.offline = false
        records[d] = r
        return wasOffline
    }

    /// Records a failure; returns the consecutive failures and whether the device just went offline.
    func failed(_ d: CIID, at t: Timestamp, took: Duration, error: String, offlineAfter: Int) -> (Int, Bool) {
        var r = records[d, default: DeviceHealth()]
        r.lastError = error
        r.lastFailure = t
        r.consecutiveFailures += 1
        r.lastPollDuration = took
        r.polls += 1
        let wentOffline = !r.offline && r.consecutiveFailures >= offlineAfter
        if wentOffline { r.offline = true }
        records[d] = r
        return (r.consecutiveFailures, wentOffline)
    }
}
