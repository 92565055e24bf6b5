import AgentStore
import Foundation
import GRDB
import Glibc
import Logging
import Synchronization
import Telemetry
import TestSupport
import Testing

/// A real full disk under the batch writer (issue 9, DESIGN decision 7): the database lives on a
/// small tmpfs that a filler file fills while the writer runs. Where mounting is refused (not
/// root, no CAP_SYS_ADMIN), `PRAGMA max_page_count` on the writer's connection gives the same
/// SQLITE_FULL; the test prints which way it used and never skips.
@Suite("Full disk", .serialized, .timeLimit(.minutes(2)))
struct FullDiskTests {
    /// How the disk is filled and emptied again.
    enum Disk {
        case tmpfs(mountPoint: String, filler: String)
        case maxPageCount

        var name: String {
            switch self {
            case .tmpfs: "tmpfs"
            case .maxPageCount: "max_page_count"
            }
        }
    }

    /// Runs a program to completion; returns its exit status (output to /dev/null).
    static func run(_ path: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Writes `filler` until the file system refuses (ENOSPC); returns the bytes written.
    static func fill(_ filler: String) throws -> Int {
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var total = 0
        // Large chunks first, then smaller ones, down to single bytes: every block is taken.
        for chunk in [65_536, 4_096, 512, 1] {
            let buf = [UInt8](repeating: 0xA5, count: chunk)
            while true {
                let n = buf.withUnsafeBytes { write(fd, $0.baseAddress, chunk) }
                if n > 0 {
                    total += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                guard n < 0 && errno == ENOSPC else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
                break
            }
        }
        return total
    }

    /// Reading number `n`: ten points, a distinct millisecond each, so every (point, time) is unique.
    static func reading(_ n: Int) -> Reading {
        Reading(point: PointID("FULL-\(n % 10)/v")!, time: Timestamp(milliseconds: hour0 + Int64(n)), value: Double(n))
    }

    static func key(_ r: Reading) -> String { "\(r.point) \(r.time.milliseconds)" }

    @Test("a full disk: the writer keeps its bounded queue (dropping the oldest, counted), reports SQLITE_FULL, and commits the queue when space returns; nothing acknowledged is lost")
    func fullDisk() async throws {
        let dir = TempDir()
        let mountPoint = dir.file("disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // 2 MiB: room for the schema and the first readings, small enough to fill in a moment.
        // DCAGENT_FULL_DISK=max_page_count forces the fallback (to prove it where mounting works).
        let forced = ProcessInfo.processInfo.environment["DCAGENT_FULL_DISK"] == "max_page_count"
        let mounted = !forced && Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mountPoint]) == 0
        defer {
            if mounted {
                // Every exit path unmounts; lazily if something still holds a file open.
                if Self.run("/bin/umount", [mountPoint]) != 0 { _ = Self.run("/bin/umount", ["-l", mountPoint]) }
            }
        }
        let disk: Disk = mounted ? .tmpfs(mountPoint: mountPoint, filler: mountPoint + "/filler") : .maxPageCount
        print("FullDiskTests: filling the disk by \(disk.name)\(mounted ? " (2 MiB tmpfs at \(mountPoint))" : " (\(forced ? "forced by DCAGENT_FULL_DISK" : "mount refused"))")")
        // Everything that holds the database open lives in this call, released before the unmount.
        try await exercise(disk: disk, path: (mounted ? mountPoint : dir.path) + "/full.sqlite")
    }

    func exercise(disk: Disk, path: String) async throws {
        let capacity = 1_000
        let batch = 300
        let db = try AgentDatabase(path: path)
        let store = SampleStore(database: db)
        let acked = Mutex<[Reading]>([])
        let log = LogCapture()
        // The writer's failed commits, counted by its error log lines, pace the producer by retries.
        let failures = { log.messages(at: .error).filter { $0.contains("batch commit failed") }.count }
        let writer = BatchWriter(
            store: store,
            settings: .init(queueCapacity: capacity, batchSize: batch, flushInterval: .milliseconds(50), stallAfter: .seconds(1)),
            clock: ContinuousClock(), logger: log.logger,
            onCommit: { b in acked.withLock { $0 += b.readings } })
        let running = Task { try await writer.run() }
        var submitted: [Reading] = []
        func submit(_ n: Int) {
            let rs = (submitted.count..<submitted.count + n).map(Self.reading)
            submitted += rs
            // submit is synchronous and returns while the writer fails commits: a poller is never
            // held by a full disk (a blocked submit would hang this test into its time limit).
            writer.submit(rs)
        }
        /// No batch in flight: every submitted reading is acknowledged, queued or dropped.
        func settled() -> Bool {
            let h = writer.health
            return h.acknowledged + h.queued + h.dropped == submitted.count
        }

        // 1. Space: the first readings are committed.
        submit(1_000)
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "the first 1 000 readings committed") { writer.health.acknowledged == 1_000 }

        // 2. The disk fills while the writer runs.
        var filled = 0
        switch disk {
        case .tmpfs(_, let filler):
            filled = try Self.fill(filler)
        case .maxPageCount:
            try await db.writer.writeWithoutTransaction { d in
                let pages = try Int.fetchOne(d, sql: "PRAGMA page_count") ?? 0
                try d.execute(sql: "PRAGMA max_page_count = \(pages)")
            }
        }
        // Pollers go on submitting; the first commit that needs space fails.
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "a commit to fail for lack of space") {
            if writer.health.lastError != nil { return true }
            if settled() && writer.health.queued == 0 { submit(100) }
            return false
        }
        let error = writer.health.lastError ?? ""
        #expect(error.contains("database or disk is full"), "the error names the cause: \(error)")
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "the writer between retries") { settled() }
        let ackedAtFull = writer.health.acknowledged
        #expect(ackedAtFull >= 1_000)
        // More than the queue holds arrives while the disk is full, as pollers deliver it: a
        // round, then at least one more failed retry before the next.
        for _ in 0..<17 {
            submit(100)
            let seen = failures()
            try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "another failed retry") { failures() > seen && settled() }
        }
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "the writer between retries, the queue full") { settled() && writer.health.queued == capacity }
        var h = writer.health
        #expect(h.acknowledged == ackedAtFull, "nothing commits while the disk is full")
        #expect(h.queued == capacity, "the queue stays bounded")
        #expect(h.dropped == submitted.count - ackedAtFull - capacity, "every reading that did not fit is counted as dropped")
        #expect(h.lastError?.contains("database or disk is full") == true)
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "the writer to be reported stuck") { writer.health.stuck }
        let during = writer.health
        print(
            "FullDiskTests (\(disk.name)): filler \(filled) bytes; acknowledged before full \(ackedAtFull); submitted \(submitted.count); during full: queued \(during.queued), dropped \(during.dropped), last_error \(during.lastError ?? "nil")"
        )

        // 3. Space returns: the queue is committed.
        switch disk {
        case .tmpfs(_, let filler):
            try FileManager.default.removeItem(atPath: filler)
        case .maxPageCount:
            try await db.writer.writeWithoutTransaction { d in try d.execute(sql: "PRAGMA max_page_count = 1073741823") }
        }
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(2), "the queue committed after space returned") {
            let h = writer.health
            return h.queued == 0 && h.lastError == nil && h.acknowledged == ackedAtFull + capacity
        }
        h = writer.health
        #expect(h.dropped == during.dropped, "nothing more was dropped")
        #expect(!h.stuck)
        running.cancel()
        _ = try? await running.value
        print("FullDiskTests (\(disk.name)): after space returned: acknowledged \(h.acknowledged), queued \(h.queued), dropped \(h.dropped)")

        // What the database holds: every acknowledged reading, and exactly the first readings
        // plus the newest `capacity` of those that waited — the oldest were the ones dropped.
        let stored = try await db.writer.read { d in
            Set(try Row.fetchAll(d, sql: "SELECT p.key, s.t FROM samples s JOIN points p ON p.id = s.point_id").map { "\($0[0] as String) \($0[1] as Int64)" })
        }
        let ackedKeys = acked.withLock { $0.map(Self.key) }
        #expect(ackedKeys.count == h.acknowledged)
        let lost = ackedKeys.filter { !stored.contains($0) }
        let lostCount = lost.count
        #expect(lostCount == 0, "acknowledged readings not in the database, e.g. \(lost.prefix(3))")
        let expected = Set(submitted[..<ackedAtFull].map(Self.key) + submitted[(submitted.count - capacity)...].map(Self.key))
        #expect(stored.count == expected.count)
        let wrong = stored.symmetricDifference(expected)
        let wrongCount = wrong.count
        #expect(wrongCount == 0, "the oldest waiting readings are the ones dropped; stored and expected differ, e.g. \(wrong.sorted().prefix(3))")
        #expect(try db.integrityCheck() == "ok")
    }
}
