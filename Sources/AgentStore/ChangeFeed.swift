import GRDB
public import Logging
public import ServiceLifecycle
import Synchronization
import Telemetry

/// What a repository calls after a commit that consumers of the change feed care about.
public protocol CommitObserver: Sendable {
    /// Something was committed in this process.
    func committed()
}

/// "Something committed" for the consumers of the event log (DESIGN decision 15: committed
/// changes are published in process, so consumers wake on a commit instead of polling tables):
/// the SSE endpoint, the ITSM service.
///
/// Two sources: ``committed()``, called in process right after a commit (``EventStore`` calls it
/// when the feed is attached), wakes subscribers at once; and ``run()``, which reads
/// `PRAGMA data_version` on its own read connection every `checkEvery` on `clock`, catches
/// commits by other connections (the CLI, another process). A signal says only that something
/// may have changed: subscribers read what they have not seen (`EventStore.changes(after:)`)
/// and go back to waiting. Signals are coalesced (each subscriber buffers the newest one), so a
/// slow subscriber never holds anyone, and it may be woken once for several commits, or by a
/// commit that touched other tables (`data_version` counts every commit of another connection,
/// the sample batches of this process's writer too).
public final class ChangeFeed<C: Clock>: Service, CommitObserver, Sendable where C.Duration == Duration {
    /// How often the feed signalled, since it was made.
    public struct Counts: Sendable, Equatable {
        /// In-process commits reported through ``ChangeFeed/committed()``.
        public var committed: Int
        /// Changes by other connections seen by the `data_version` check.
        public var detected: Int
    }

    private struct State {
        var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextID = 0
        var finished = false
        var counts = Counts(committed: 0, detected: 0)
    }

    private let database: AgentDatabase
    private let clock: C
    private let checkEvery: Duration
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a feed over a database; ``run()`` watches it for other connections' commits.
    public init(database: AgentDatabase, clock: C, checkEvery: Duration = .milliseconds(250), logger: Logger) {
        precondition(checkEvery > .zero, "checkEvery must be positive")
        self.database = database
        self.clock = clock
        self.checkEvery = checkEvery
        self.logger = logger
    }

    /// A stream of coalesced "something committed" signals (it buffers the newest one); it
    /// finishes when the feed stops. Ending the iteration unsubscribes.
    public func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id: Int? = state.withLock { s in
            if s.finished { return nil }
            s.nextID += 1
            s.subscribers[s.nextID] = continuation
            return s.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// The number of current subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// The signals so far, by source.
    public var counts: Counts { state.withLock { $0.counts } }

    /// Signals every subscriber: a commit that changed `events` / `event_changes` happened in
    /// this process. Never blocks.
    public func committed() {
        signal { $0.committed += 1 }
    }

    private func signal(_ count: (inout Counts) -> Void) {
        let subscribers = state.withLock { s -> [AsyncStream<Void>.Continuation] in
            count(&s.counts)
            return Array(s.subscribers.values)
        }
        for c in subscribers { c.yield() }
    }

    /// Watches `PRAGMA data_version` on a connection of its own until graceful shutdown or
    /// cancellation, then finishes every subscriber's stream. A check that fails is logged and
    /// tried again at the next interval.
    public func run() async throws {
        defer { finish() }
        var config = Configuration()
        config.readonly = true
        config.label = "dcagent.change-feed"
        config.busyMode = .timeout(database.busyTimeout.inSeconds)
        // One connection for the feed's whole life: `data_version` compares commits by OTHER
        // connections against what this connection saw last.
        let connection = try DatabaseQueue(path: database.path, configuration: config)
        logger.debug("change feed started", metadata: ["feed.check_every": "\(checkEvery)"])
        try? await cancelWhenGracefulShutdown {
            var last = try await Self.dataVersion(connection)
            while !Task.isCancelled {
                try await self.clock.sleep(for: self.checkEvery)
                do {
                    let now = try await Self.dataVersion(connection)
                    if now != last {
                        last = now
                        self.signal { $0.detected += 1 }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("change feed: cannot read data_version", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    private func finish() {
        let subscribers = state.withLock { s -> [AsyncStream<Void>.Continuation] in
            s.finished = true
            defer { s.subscribers = [:] }
            return Array(s.subscribers.values)
        }
        for c in subscribers { c.finish() }
    }

    private static func dataVersion(_ connection: DatabaseQueue) async throws -> Int64 {
        // Each read is a new transaction on the feed's own connection: a fresh look at the file.
        try await connection.read { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }
}
