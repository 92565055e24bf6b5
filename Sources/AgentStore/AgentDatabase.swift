import Foundation
package import GRDB
public import Telemetry

/// The database façade: one `DatabaseWriter` (a WAL `DatabasePool` on disk), the frozen
/// migrations, and the repositories built on it. DESIGN decisions 4 and 7.
public final class AgentDatabase: Sendable {
    /// Where the database lives (`:memory:`-like temp paths in tests are real files too).
    public let path: String
    /// The GRDB writer: a `DatabasePool` in WAL mode with `synchronous=FULL`. Package-only:
    /// callers outside AgentStore go through the repositories and never see GRDB (the façade
    /// must also front the PostgreSQL backend); the package's tests use it directly.
    package let writer: any DatabaseWriter
    private let options: Options

    /// Settings for opening the database.
    public struct Options: Sendable {
        /// How long a writer waits for another process's lock before failing.
        public var busyTimeout: Duration = .seconds(5)
        /// Open read-only (no migration is run).
        public var readOnly: Bool = false
        /// Creates options.
        public init(busyTimeout: Duration = .seconds(5), readOnly: Bool = false) {
            self.busyTimeout = busyTimeout
            self.readOnly = readOnly
        }
    }

    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// Refuses, naming the path and reason, when the directory is not writable, the file is not a
    /// SQLite database, or it was written by a newer schema. Nothing is written in those cases.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        let dir = (path as NSString).deletingLastPathComponent
        let fm = FileManager.default
        if !options.readOnly {
            var isDir: ObjCBool = false
            if !fm.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir) || !isDir.boolValue {
                throw StoreError.notWritable(path, "directory \(dir) does not exist")
            }
            if !fm.isWritableFile(atPath: dir.isEmpty ? "." : dir) {
                throw StoreError.notWritable(path, "directory \(dir) is not writable by this user")
            }
            if fm.fileExists(atPath: path) && !fm.isWritableFile(atPath: path) {
                throw StoreError.notWritable(path, "the file is read-only for this user")
            }
        } else if !fm.fileExists(atPath: path) {
            throw StoreError.notADatabase(path, "no such file")
        }
        var config = Configuration()
        // The whole timeout: `components.seconds` alone made 500ms (storage.busy_timeout's
        // minimum is 100ms) no wait at all.
        config.busyMode = .timeout(options.busyTimeout.inSeconds)
        config.readonly = options.readOnly
        config.label = "dcagent"
        config.prepareDatabase { db in
            // DESIGN decision 7: a committed batch survives a power cut.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let e as DatabaseError {
            if e.resultCode == .SQLITE_NOTADB { throw StoreError.notADatabase(path, "not a SQLite database") }
            if let busy = StoreError.busy(path, timeout: options.busyTimeout, ifBusy: e) { throw busy }
            throw StoreError.notWritable(path, e.message ?? "\(e)")
        }
        self.writer = pool
        if !options.readOnly {
            // GRDB sets NORMAL on the WAL writer after `prepareDatabase`; the writer connection
            // lives as long as the pool, so setting FULL once here holds for every commit.
            do {
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
                try Self.migrate(pool, path: path)
            } catch let e as DatabaseError {
                if let busy = StoreError.busy(path, timeout: options.busyTimeout, ifBusy: e) { throw busy }
                throw e
            }
        } else {
            try pool.read { db in
                let m = Migrations.migrator
                if try m.hasBeenSuperseded(db) {
                    let unknown = try m.appliedIdentifiers(db).subtracting(m.migrations).sorted()
                    throw StoreError.newerSchema(path, unknown: unknown)
                }
                // Read-only commands cannot migrate: an older schema gets a clear message, not
                // "no such table" from the first query.
                if try !m.hasCompletedMigrations(db) {
                    let applied = try m.appliedIdentifiers(db)
                    throw StoreError.olderSchema(path, missing: m.migrations.filter { !applied.contains($0) })
                }
            }
        }
    }

    private static func migrate(_ writer: any DatabaseWriter, path: String) throws {
        let migrator = Migrations.migrator
        do {
            try writer.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                    throw StoreError.newerSchema(path, unknown: unknown)
                }
            }
            try migrator.migrate(writer)
        } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB {
            throw StoreError.notADatabase(path, "not a SQLite database")
        }
    }

    /// The names of the schema migrations this build knows, in order.
    public static var schemaMigrations: [String] { Migrations.migrator.migrations }

    /// How long a write waits for another process's lock (`storage.busy_timeout`).
    public var busyTimeout: Duration { options.busyTimeout }

    /// The ``StoreError/busy(_:timeout:ifBusy:)`` error for an error a write on this database
    /// threw because another process held the lock past the busy timeout; nil for other errors.
    public func busyError(_ error: any Error) -> StoreError? {
        if let e = error as? StoreError { return e.isBusy ? e : nil }
        guard let e = error as? DatabaseError else { return nil }
        return StoreError.busy(path, timeout: options.busyTimeout, ifBusy: e)
    }

    /// Runs `PRAGMA integrity_check`; returns "ok" or the problems SQLite found.
    public func integrityCheck() throws -> String {
        try writer.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }

    /// Reads the schema version through the store's async API: throws when the database cannot
    /// be read (`/readyz` asks it before it says the store is open).
    public func ping() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
    }

    /// Reads a value from the `meta` table.
    public func meta(_ key: String) throws -> String? {
        try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    /// Writes a value into the `meta` table.
    public func setMeta(_ key: String, _ value: String) throws {
        try writer.write { db in
            try db.execute(
                sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        }
    }
}
