import AgentStore
import Foundation
import GRDB
import Telemetry
import Testing

/// Another process holding the write lock (SQLITE_BUSY, DESIGN decision 4): the store waits
/// `busy_timeout` — the whole of it, milliseconds included — and then says which database is busy.
@Suite("Busy database", .timeLimit(.minutes(1)))
struct BusyDatabaseTests {
    /// Holds the database's write lock (`BEGIN IMMEDIATE`) on its own connection until released.
    final class LockHolder {
        let queue: DatabaseQueue
        init(_ path: String) throws {
            var config = Configuration()
            config.allowsUnsafeTransactions = true  // the transaction outlives this call on purpose
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        }
        func release() throws { try queue.inDatabase { try $0.execute(sql: "ROLLBACK") } }
    }

    @Test("opening while another connection holds the write lock waits busy_timeout (500ms, not 0) and refuses naming the database and 'busy'")
    func openBusy() throws {
        let dir = TempDir()
        let path = dir.file("busy.sqlite")
        _ = try AgentDatabase(path: path)
        let holder = try LockHolder(path)
        let clock = ContinuousClock()
        let start = clock.now
        let e = #expect(throws: StoreError.self) { try AgentDatabase(path: path, options: .init(busyTimeout: .milliseconds(500))) }
        let waited = start.duration(to: clock.now)
        #expect(waited >= .milliseconds(450), "waited \(waited): the fractional busy_timeout counts")
        #expect(e?.isBusy == true)
        #expect(e?.message.contains("database \(path) is busy") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("storage.busy_timeout (500ms)") == true, "\(e?.message ?? "")")
        try holder.release()
        #expect(throws: Never.self) { try AgentDatabase(path: path, options: .init(busyTimeout: .milliseconds(500))) }
    }

    @Test("a write on an open database that stays locked past busy_timeout maps to the same busy error")
    func writeBusy() throws {
        let dir = TempDir()
        let path = dir.file("busy.sqlite")
        let db = try AgentDatabase(path: path, options: .init(busyTimeout: .milliseconds(300)))
        let holder = try LockHolder(path)
        var thrown: (any Error)?
        do { try db.setMeta("k", "v") } catch { thrown = error }
        let busy = thrown.flatMap { db.busyError($0) }
        #expect(busy?.isBusy == true, "\(String(describing: thrown))")
        #expect(busy?.message.contains("database \(path) is busy") == true)
        #expect(db.busyError(StoreError.invalid("x")) == nil, "other errors are not busy")
        try holder.release()
        try db.setMeta("k", "v")
        #expect(try db.meta("k") == "v")
    }
}
