import Foundation
import GRDB
import Glibc

/// Consistent online backups and restores of the database.
public enum Backup {
    /// Progress of a copy: pages done and total.
    public typealias Progress = (_ done: Int, _ total: Int) -> Void

    /// Copies the live database into a new file at `destination` while writers go on: the copy
    /// is one consistent snapshot (SQLite's online backup in a read transaction). Refuses to
    /// overwrite an existing file. Verifies the copy with `PRAGMA integrity_check`.
    public static func backup(_ database: AgentDatabase, to destination: String, progress: Progress? = nil) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError.invalid("\(destination) exists already; choose a new file name")
        }
        let tmp = destination + ".partial"
        try? FileManager.default.removeItem(atPath: tmp)
        do {
            let target = try DatabaseQueue(path: tmp)
            try database.writer.backup(to: target, pagesPerStep: 1024) { p in
                progress?(p.completedPageCount, p.totalPageCount)
            }
            let check = try target.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
            try target.close()
            guard check == "ok" else { throw StoreError.integrity(tmp, check) }
            guard rename(tmp, destination) == 0 else { throw StoreError.io(destination, String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Puts a backup in place of the database at `databasePath`. Refuses while a daemon holds
    /// the database (its lock file), when the backup fails its integrity check, or when it was
    /// written by a newer schema. The old database is kept as `databasePath.before-restore`.
    public static func restore(from source: String, to databasePath: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { throw StoreError.io(source, "no such file") }
        let lock = try FileLock(path: DaemonLock.path(for: databasePath))
        guard try lock.tryLockExclusive() else {
            throw StoreError.locked(databasePath, holder: lock.holderNote().map { "a running daemon (\($0))" } ?? "a running daemon")
        }
        defer { lock.unlock() }
        // Validate the backup before touching anything.
        let check: String
        do {
            let candidate = try DatabaseQueue(path: source, configuration: { var c = Configuration(); c.readonly = true; return c }())
            check = try candidate.read { db in
                let m = Migrations.migrator
                if try m.hasBeenSuperseded(db) {
                    throw StoreError.newerSchema(source, unknown: try m.appliedIdentifiers(db).subtracting(m.migrations).sorted())
                }
                guard try db.tableExists("audit_log") else { throw StoreError.notADatabase(source, "it has no DCAgent schema") }
                return try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
            }
            try candidate.close()
        } catch let e as DatabaseError {
            throw StoreError.notADatabase(source, e.message ?? "\(e)")
        }
        guard check == "ok" else { throw StoreError.integrity(source, check) }

        let fm = FileManager.default
        let staged = databasePath + ".restoring"
        try? fm.removeItem(atPath: staged)
        try fm.copyItem(atPath: source, toPath: staged)
        let fd = open(staged, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        if fm.fileExists(atPath: databasePath) {
            let keep = databasePath + ".before-restore"
            try? fm.removeItem(atPath: keep)
            // Fold the WAL into the old file before keeping it, so the kept copy is whole.
            if let old = try? DatabaseQueue(path: databasePath) {
                _ = try? old.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                try? old.close()
            }
            try fm.moveItem(atPath: databasePath, toPath: keep)
        }
        for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: databasePath + suffix) }
        guard rename(staged, databasePath) == 0 else { throw StoreError.io(databasePath, String(cString: strerror(errno))) }
    }
}

/// The lock a running daemon holds on its database (`PATH.lock`), so restore can refuse.
public enum DaemonLock {
    /// The lock file path for a database path.
    public static func path(for databasePath: String) -> String { databasePath + ".lock" }

    /// Takes the daemon lock or throws, naming the holder.
    public static func acquire(databasePath: String) throws -> FileLock {
        let lock = try FileLock(path: path(for: databasePath))
        guard try lock.tryLockExclusive() else {
            throw StoreError.locked(databasePath, holder: lock.holderNote().map { "another daemon (\($0))" } ?? "another daemon")
        }
        lock.record("pid \(getpid())")
        return lock
    }
}
