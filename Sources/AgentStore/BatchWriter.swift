public import ContaminationRules
public import Logging
public import ServiceLifecycle
public import Telemetry
import DequeModule
import Synchronization

/// One thing the ingest stage carries, in the order it was submitted.
public enum IngestItem: Sendable, Equatable {
    /// Point descriptors, registered in the same transaction as (and before) the readings
    /// submitted after them. A point already registered with the same descriptor costs nothing.
    case points([PointDescriptor])
    /// Readings to store.
    case readings([Reading])
    /// A device's health (online, offline): stored nowhere, passed on in order with the readings
    /// around it, so it never overtakes the readings it follows. Never dropped.
    case health(ContaminationRules.DeviceHealth)
}

/// What one transaction of the writer committed.
public struct CommittedBatch: Sendable, Equatable {
    /// What the transaction committed, in submission order: consecutive readings as one
    /// `.readings` item, each health report as its own item, point registrations as submitted.
    public var items: [IngestItem]

    /// Creates a batch.
    public init(items: [IngestItem]) { self.items = items }

    /// Every reading of the batch, in order.
    public var readings: [Reading] {
        items.flatMap { item -> [Reading] in
            if case .readings(let rs) = item { return rs }
            return []
        }
    }

    /// Every health report of the batch, in order.
    public var health: [ContaminationRules.DeviceHealth] {
        items.compactMap { item in
            if case .health(let h) = item { return h }
            return nil
        }
    }
}

/// The ordered ingest stage (DESIGN decision 7): takes point registrations, readings and device
/// health from pollers and rules through one bounded queue, commits them in batches (by size or
/// by time) and hands each committed batch, in submission order, to `onCommit`.
///
/// `submit` never blocks: when the queue holds `queueCapacity` readings the oldest readings are
/// dropped and counted (point registrations and health reports are never dropped; they are few
/// and small). "Acknowledged" means the batch's transaction committed; `health` tells what was
/// acknowledged, dropped and queued, and whether the writer is stuck (for the systemd watchdog).
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

        /// A snapshot (the writer makes its own; tests and the metrics make others).
        public init(queued: Int = 0, dropped: Int = 0, acknowledged: Int = 0, batches: Int = 0, lastError: String? = nil, stuck: Bool = false) {
            (self.queued, self.dropped, self.acknowledged, self.batches, self.lastError, self.stuck) = (queued, dropped, acknowledged, batches, lastError, stuck)
        }
    }

    /// One queued element: a run of readings (never empty; the oldest can be dropped from its
    /// front one by one), or an item that is never dropped. Runs keep a submitted array as one
    /// entry instead of one entry per reading.
    private enum Entry {
        case readings(ArraySlice<Reading>)
        case points([PointDescriptor])
        case health(ContaminationRules.DeviceHealth)

        /// Readings in the entry.
        var readingCount: Int {
            if case .readings(let rs) = self { return rs.count }
            return 0
        }
    }

    /// The queue, bounded in readings.
    private struct Queue {
        var entries = Deque<Entry>()
        /// Readings among `entries`.
        var readings = 0
        /// Readings dropped since start.
        var dropped = 0
        let capacity: Int

        init(capacity: Int) {
            precondition(capacity > 0)
            self.capacity = capacity
        }

        /// Appends readings; when the queue would hold more than `capacity`, the oldest readings
        /// (queued first, then the oldest of these) are dropped and counted.
        mutating func append(readings rs: ArraySlice<Reading>) {
            guard !rs.isEmpty else { return }
            var rs = rs
            let excess = readings + rs.count - capacity
            if excess > 0 {
                let fromQueue = min(excess, readings)
                dropOldestReadings(fromQueue)
                let fromThese = excess - fromQueue
                if fromThese > 0 {
                    rs = rs.dropFirst(fromThese)
                    dropped += fromThese
                }
            }
            guard !rs.isEmpty else { return }
            readings += rs.count
            entries.append(.readings(rs))
        }

        /// Appends an entry that is never dropped.
        mutating func append(_ e: Entry) {
            precondition(e.readingCount == 0)
            entries.append(e)
        }

        /// Drops the `n` oldest queued readings. Non-reading entries ahead of them stay; they
        /// are few (a device's health transitions, point registrations), so the search is short.
        private mutating func dropOldestReadings(_ n: Int) {
            var n = n
            var i = entries.startIndex
            while n > 0, i < entries.endIndex {
                guard case .readings(let rs) = entries[i] else {
                    i += 1
                    continue
                }
                if rs.count <= n {
                    entries.remove(at: i)
                    n -= rs.count
                    readings -= rs.count
                    dropped += rs.count
                } else {
                    entries[i] = .readings(rs.dropFirst(n))
                    readings -= n
                    dropped += n
                    n = 0
                }
            }
        }

        /// Puts a batch that failed back in front, as if it had never left. Its readings are
        /// older than everything queued, so when the queue is full the oldest of them are the
        /// ones dropped (and counted); its other entries always go back.
        mutating func prepend(_ batch: [Entry]) {
            for e in batch.reversed() {
                if case .readings(let rs) = e {
                    let room = capacity - readings
                    let kept = rs.suffix(max(0, room))
                    dropped += rs.count - kept.count
                    if kept.isEmpty { continue }
                    readings += kept.count
                    entries.prepend(.readings(kept))
                } else {
                    entries.prepend(e)
                }
            }
        }

        /// True when a batch should go now, without waiting for the flush interval: a full batch
        /// of readings, or only non-reading entries (nothing for them to wait behind).
        func hasReadyBatch(batchSize: Int) -> Bool {
            readings >= batchSize || (readings == 0 && !entries.isEmpty)
        }

        /// Removes the next batch: up to `batchSize` readings with the entries among and right
        /// after them, in order (a run is split at the batch's end).
        mutating func popBatch(batchSize: Int) -> [Entry] {
            var out: [Entry] = []
            var taken = 0
            while let e = entries.first {
                if case .readings(let rs) = e {
                    if taken == batchSize { break }
                    let need = batchSize - taken
                    if rs.count <= need {
                        out.append(entries.removeFirst())
                        taken += rs.count
                    } else {
                        out.append(.readings(rs.prefix(need)))
                        entries[entries.startIndex] = .readings(rs.dropFirst(need))
                        taken += need
                    }
                } else {
                    out.append(entries.removeFirst())
                }
            }
            readings -= taken
            return out
        }
    }

    private struct State {
        var queue: Queue
        var acknowledged = 0
        var batches = 0
        var lastError: String?
        var lastProgress: C.Instant
        var reportedDrops = 0
        /// The flush interval has passed since the last timed flush: commit partial batches too.
        var timedFlushDue = true
    }

    private let store: SampleStore
    private let settings: Settings
    private let clock: C
    private let logger: Logger
    private let state: Mutex<State>
    /// The writer's wake-up: "a full batch (or health with nothing to wait behind) is queued" or
    /// "the flush interval passed". An `AsyncStream` buffering only the newest signal coalesces
    /// any number of rings into one wake-up, and `yield` returns at once — a poller must never be
    /// held by the writer (decision 7); swift-async-algorithms' `AsyncChannel` would suspend the
    /// sender until the writer takes the signal, so it is not used here.
    private let wake: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let onCommit: (@Sendable (CommittedBatch) -> Void)?

    /// Creates a writer over a sample store; `onCommit` sees each committed batch, in order
    /// (rules, UI).
    public init(store: SampleStore, settings: Settings, clock: C, logger: Logger, onCommit: (@Sendable (CommittedBatch) -> Void)? = nil) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.onCommit = onCommit
        self.state = Mutex(State(queue: Queue(capacity: settings.queueCapacity), lastProgress: clock.now))
        (wake, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues items for the next batches, in order. Never blocks; when the queue is full the
    /// oldest readings are dropped (never point registrations or health reports).
    public func submit(_ items: [IngestItem]) {
        let ring = state.withLock { s -> Bool in
            for item in items {
                switch item {
                case .readings(let rs): s.queue.append(readings: rs[...])
                case .points(let ds): if !ds.isEmpty { s.queue.append(.points(ds)) }
                case .health(let h): s.queue.append(.health(h))
                }
            }
            return s.queue.hasReadyBatch(batchSize: settings.batchSize)
        }
        if ring { wakeUp.yield() }
    }

    /// Queues readings for the next batch: `submit([.readings(readings)])`.
    public func submit(_ readings: [Reading]) { submit([.readings(readings)]) }

    /// The writer's state now.
    public var health: Health {
        let now = clock.now
        return state.withLock { s in
            Health(
                queued: s.queue.readings, dropped: s.queue.dropped, acknowledged: s.acknowledged, batches: s.batches,
                lastError: s.lastError, stuck: s.lastProgress.duration(to: now) > settings.stallAfter)
        }
    }

    /// Runs until graceful shutdown or cancellation. Graceful shutdown drains the queue before
    /// returning; cancellation stops at once (GRDB's async write refuses to start in a cancelled
    /// task), leaving what is queued uncommitted.
    public func run() async throws {
        logger.info(
            "batch writer started",
            metadata: ["writer.capacity": "\(settings.queueCapacity)", "writer.batch": "\(settings.batchSize)"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // The flush timer: a partial batch goes after at most one interval.
                group.addTask {
                    while true {
                        do { try await self.clock.sleep(for: self.settings.flushInterval) } catch { return }
                        self.state.withLock { $0.timedFlushDue = true }
                        self.wakeUp.yield()
                    }
                }
                var wakeUps = wake.makeAsyncIterator()
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    heartbeat()
                    let timed = state.withLock { s in
                        defer { s.timedFlushDue = false }
                        return s.timedFlushDue
                    }
                    // Woken by the bell: commit full batches (by size). By the timer: commit
                    // what is queued, partial batch included (by time).
                    await flushAvailable(onlyFull: !timed)
                    // Nil when the stream finished (graceful shutdown) or the task was cancelled.
                    if await wakeUps.next() == nil { break }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wakeUp.finish()
        }
        await flushAvailable(onlyFull: false)
        let h = health
        logger.info(
            "batch writer stopped",
            metadata: ["writer.acknowledged": "\(h.acknowledged)", "writer.dropped": "\(h.dropped)", "writer.queued": "\(h.queued)"])
    }

    /// Commits everything queued now, in batches (with `onlyFull`, only full batches, and health
    /// or registrations with no reading to wait behind). Exposed for tests, benchmarks and
    /// shutdown. Returns after the first failed commit, having waited one flush interval.
    public func flushAvailable(onlyFull: Bool = false) async {
        while true {
            let batch = state.withLock { s -> [Entry] in
                if onlyFull && !s.queue.hasReadyBatch(batchSize: settings.batchSize) { return [] }
                return s.queue.popBatch(batchSize: settings.batchSize)
            }
            if batch.isEmpty { break }
            reportDrops()
            let committed = Self.items(batch)
            do {
                try await store.write(committed.items)
                let readings = batch.reduce(0) { $0 + $1.readingCount }
                state.withLock { s in
                    s.acknowledged += readings
                    s.batches += 1
                    s.lastError = nil
                    s.lastProgress = clock.now
                }
                onCommit?(committed)
            } catch {
                let cancelled = error is CancellationError
                if !cancelled {
                    logger.error("batch commit failed; batch requeued", metadata: ["error": "\(error)", "writer.batch": "\(batch.count)"])
                }
                state.withLock { s in
                    s.lastError = "\(error)"
                    // Back in front of what arrived meanwhile, health included, so the retry
                    // commits the same items in the same order; the batch holds the oldest
                    // readings, so a queue that fills while commits fail still drops the oldest
                    // (decision 7). Re-appended at the back, they would outlive newer readings
                    // dropped for them.
                    s.queue.prepend(batch)
                }
                if !cancelled { try? await clock.sleep(for: settings.flushInterval) }
                return
            }
        }
    }

    /// A batch's entries as items: consecutive readings as one `.readings` item.
    private static func items(_ batch: [Entry]) -> CommittedBatch {
        var items: [IngestItem] = []
        var run: [ArraySlice<Reading>] = []
        func close() {
            switch run.count {
            case 0: return
            // A run that is a whole submitted array reuses its storage.
            case 1: items.append(.readings(Array(run[0])))
            default: items.append(.readings(Array(run.joined())))
            }
            run = []
        }
        for e in batch {
            switch e {
            case .readings(let rs):
                run.append(rs)
            case .points(let ds):
                close()
                items.append(.points(ds))
            case .health(let h):
                close()
                items.append(.health(h))
            }
        }
        close()
        return CommittedBatch(items: items)
    }

    private func heartbeat() {
        let now = clock.now
        state.withLock { s in
            // Idle progress only counts when nothing is pending: a writer that cannot commit
            // a waiting batch must look stuck.
            if s.queue.entries.isEmpty || s.lastError == nil { s.lastProgress = now }
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
}
