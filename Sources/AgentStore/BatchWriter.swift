public import Logging
public import ServiceLifecycle
public import Telemetry
import Dispatch
import Synchronization

/// Takes readings from pollers and rules through a bounded queue and commits them in batches,
/// by size or by time (DESIGN decision 7).
///
/// `submit` never blocks: when the queue is full the oldest readings are dropped and counted.
/// "Acknowledged" means the batch's transaction committed; `health` tells what was acknowledged,
/// dropped and queued, and whether the writer is stuck (for the systemd watchdog).
public final class BatchWriter<C: Clock>: Service, Sendable where C.Duration == Duration {
    /// How the writer batches.
    public struct Settings: Sendable, Equatable {
        /// Readings the queue holds before the oldest are dropped.
        public var queueCapacity: Int
        /// Readings per transaction; a full batch is committed at once.
        public var batchSize: Int
        /// A partial batch is committed after at most this long.
        public var flushInterval: Duration
        /// The writer counts as stuck when it has made no progress for this long.
        public var stallAfter: Duration

        /// Creates settings.
        public init(queueCapacity: Int = 100_000, batchSize: Int = 2_000, flushInterval: Duration = .seconds(1), stallAfter: Duration = .seconds(30)) {
            self.queueCapacity = queueCapacity
            self.batchSize = batchSize
            self.flushInterval = flushInterval
            self.stallAfter = stallAfter
        }
    }

    /// A snapshot of the writer's state.
    public struct Health: Sendable, Equatable {
        /// Readings waiting in the queue.
        public var queued: Int
        /// Readings dropped because the queue was full, since start.
        public var dropped: Int
        /// Readings in committed batches, since start (duplicates included).
        public var acknowledged: Int
        /// Committed batches since start.
        public var batches: Int
        /// The last commit error, if the last attempt failed.
        public var lastError: String?
        /// True when the writer has made no progress for `stallAfter`.
        public var stuck: Bool
    }

    private struct State {
        var queue: RingBuffer<Reading>
        var acknowledged = 0
        var batches = 0
        var lastError: String?
        var lastProgress: C.Instant
        var reportedDrops = 0
    }

    private let store: SampleStore
    private let settings: Settings
    private let clock: C
    private let logger: Logger
    private let state: Mutex<State>
    private let doorbell = Doorbell()
    private let queue = DispatchQueue(label: "dcagent.batch-writer")
    private let afterCommit: (@Sendable ([Reading]) -> Void)?

    /// Creates a writer over a sample store; `afterCommit` sees each committed batch (rules, UI).
    public init(store: SampleStore, settings: Settings, clock: C, logger: Logger, afterCommit: (@Sendable ([Reading]) -> Void)? = nil) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.afterCommit = afterCommit
        self.state = Mutex(State(queue: RingBuffer(capacity: settings.queueCapacity), lastProgress: clock.now))
    }

    /// Queues readings for the next batch. Never blocks; drops the oldest when full.
    public func submit(_ readings: [Reading]) {
        let ring = state.withLock { s -> Bool in
            for r in readings { s.queue.append(r) }
            return s.queue.count >= settings.batchSize
        }
        if ring { doorbell.ring() }
    }

    /// The writer's state now.
    public var health: Health {
        let now = clock.now
        return state.withLock { s in
            Health(
                queued: s.queue.count, dropped: s.queue.dropped, acknowledged: s.acknowledged, batches: s.batches,
                lastError: s.lastError, stuck: s.lastProgress.duration(to: now) > settings.stallAfter)
        }
    }

    /// Runs until graceful shutdown or cancellation; drains the queue before returning.
    public func run() async throws {
        logger.info(
            "batch writer started",
            metadata: ["writer.capacity": "\(settings.queueCapacity)", "writer.batch": "\(settings.batchSize)"])
        await withGracefulShutdownHandler {
            var rang = false
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                heartbeat()
                // Rung: full batches are waiting (commit by size). Timed out: commit what is
                // queued, partial batch included (commit by time).
                await flushAvailable(onlyFull: rang)
                rang = await doorbell.wait(timeout: settings.flushInterval, clock: clock)
            }
        } onGracefulShutdown: {
            self.doorbell.ring()
        }
        await flushAvailable(onlyFull: false)
        let h = health
        logger.info(
            "batch writer stopped",
            metadata: ["writer.acknowledged": "\(h.acknowledged)", "writer.dropped": "\(h.dropped)", "writer.queued": "\(h.queued)"])
    }

    /// Commits everything queued now, in batches. Exposed for tests and shutdown.
    public func flushAvailable(onlyFull: Bool = false) async {
        while true {
            let batch = state.withLock { s -> [Reading] in
                if onlyFull && s.queue.count < settings.batchSize { return [] }
                return s.queue.popFirst(settings.batchSize)
            }
            if batch.isEmpty { break }
            reportDrops()
            do {
                try await commit(batch)
                state.withLock { s in
                    s.acknowledged += batch.count
                    s.batches += 1
                    s.lastError = nil
                    s.lastProgress = clock.now
                }
                afterCommit?(batch)
            } catch {
                logger.error("batch commit failed; readings requeued", metadata: ["error": "\(error)", "writer.batch": "\(batch.count)"])
                state.withLock { s in
                    s.lastError = "\(error)"
                    // Back in front of what arrived meanwhile: the batch holds the oldest readings,
                    // so a queue that fills while commits fail still drops the oldest (decision 7).
                    // Re-appended at the back, they would outlive newer readings dropped for them.
                    s.queue.prepend(batch)
                }
                try? await clock.sleep(for: settings.flushInterval)
                return
            }
        }
    }

    private func heartbeat() {
        let now = clock.now
        state.withLock { s in
            // Idle progress only counts when nothing is pending: a writer that cannot commit
            // a waiting batch must look stuck.
            if s.queue.count == 0 || s.lastError == nil { s.lastProgress = now }
        }
    }

    private func reportDrops() {
        let (dropped, newly) = state.withLock { s -> (Int, Int) in
            let n = s.queue.dropped - s.reportedDrops
            s.reportedDrops = s.queue.dropped
            return (s.queue.dropped, n)
        }
        if newly > 0 {
            logger.warning(
                "writer queue full: dropped oldest readings", metadata: ["writer.dropped": "\(newly)", "writer.dropped_total": "\(dropped)"])
        }
    }

    private func commit(_ batch: [Reading]) async throws {
        let store = self.store
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    try store.write(batch)
                    c.resume()
                } catch {
                    c.resume(throwing: error)
                }
            }
        }
    }
}
