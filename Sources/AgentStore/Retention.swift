public import Logging
public import ServiceLifecycle
public import Telemetry
import GRDB

/// Trims raw samples older than the retention window, but only those whose hourly rollup
/// exists (DESIGN decision 8), in short transactions so writers are not held up.
public struct Retention: Sendable {
    let database: AgentDatabase
    /// Rows deleted per transaction.
    public var chunk: Int

    /// Creates the job over a database.
    public init(database: AgentDatabase, chunk: Int = 10_000) {
        self.database = database
        self.chunk = chunk
    }

    /// Deletes raw samples taken before `cutoff` whose rollups exist; returns how many.
    @discardableResult
    public func trim(before cutoff: Timestamp) throws -> Int {
        var total = 0
        while true {
            let n = try database.writer.write { db -> Int in
                try db.execute(
                    sql: """
                        DELETE FROM samples WHERE (point_id, t) IN (
                            SELECT s.point_id, s.t FROM samples s
                            WHERE s.t < ? AND (s.value IS NULL OR EXISTS (
                                SELECT 1 FROM rollups_hourly r
                                WHERE r.point_id = s.point_id AND r.hour = s.t - (((s.t % 3600000) + 3600000) % 3600000)))
                            LIMIT ?)
                        """,
                    arguments: [cutoff.milliseconds, chunk])
                return db.changesCount
            }
            total += n
            if n < chunk { break }
        }
        return total
    }
}

/// Runs ``Retention`` periodically as a service.
public struct RetentionService<C: Clock>: Service where C.Duration == Duration {
    let retention: Retention
    let window: Duration
    let every: Duration
    let clock: C
    let logger: Logger

    /// Creates the service: keep raw samples for `window`, trim every `every`.
    public init(retention: Retention, window: Duration, every: Duration, clock: C, logger: Logger) {
        self.retention = retention
        self.window = window
        self.every = every
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let cutoff = Timestamp.now.adding(seconds: -Double(window.components.seconds))
            do {
                let n = try retention.trim(before: cutoff)
                if n > 0 { logger.info("retention trimmed raw samples", metadata: ["retention.deleted": "\(n)", "retention.cutoff": "\(cutoff)"]) }
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error)"])
            }
            let clock = self.clock, every = self.every
            try? await cancelWhenGracefulShutdown { try await clock.sleep(for: every) }
        }
    }
}
