import AgentStore
import Foundation
import GRDB
import Logging
import Synchronization
import Telemetry
import TestSupport
import Testing

@Suite("Batch writer", .timeLimit(.minutes(2)))
struct BatchWriterTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test("a full queue drops the oldest readings, counts them and never blocks the producer")
    func dropsOldest() async throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("w.sqlite")))
        let writer = BatchWriter(store: store, settings: .init(queueCapacity: 100, batchSize: 1000), clock: ContinuousClock(), logger: logger)
        writer.submit((0..<150).map { reading("S1/v", hour0 + Int64($0), Double($0)) })
        #expect(writer.health.queued == 100)
        #expect(writer.health.dropped == 50)
        await writer.flushAvailable()
        #expect(writer.health.acknowledged == 100)
        let kept = try store.samples(point("S1/v"), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 1000))
        #expect(kept.first?.value == 50, "the oldest 50 were dropped")
        #expect(kept.count == 100)
    }

    @Test("a partial batch is committed by time, a full one by size, and each commit is reported")
    func commitsBySizeOrTime() async throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("w.sqlite")))
        let (commits, sink) = AsyncStream<Int>.makeStream()
        let clock = ManualClock()
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 1000, batchSize: 10, flushInterval: .seconds(5)), clock: clock, logger: logger,
            afterCommit: { sink.yield($0.count) })
        let run = Task { try await writer.run() }
        var it = commits.makeAsyncIterator()
        #expect(await clock.waitForSleepers(1))  // the writer is idle, waiting for the flush interval or a full batch
        writer.submit((0..<25).map { reading("S1/v", hour0 + Int64($0), 1) })  // 2 full batches ring the bell
        #expect(await it.next() == 10)
        #expect(await it.next() == 10)
        #expect(await clock.waitForSleepers(1))
        #expect(writer.health.queued == 5, "a partial batch waits for the flush interval")
        clock.advance(by: .seconds(5))
        #expect(await it.next() == 5)
        #expect(writer.health.acknowledged == 25)
        run.cancel()
        _ = try? await run.value
        #expect(try store.sampleCount() == 25)
    }

    @Test("a writer that cannot commit pending readings is reported stuck after stall_after, and recovers")
    func stuckDetection() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("w.sqlite"))
        let store = SampleStore(database: db)
        let clock = ManualClock()
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 100, batchSize: 10, flushInterval: .seconds(1), stallAfter: .seconds(10)),
            clock: clock, logger: logger)
        // Break the store underneath the writer: commits fail.
        try await db.writer.write { d in try d.execute(sql: "ALTER TABLE samples RENAME TO samples_away") }
        writer.submit([reading("S1/v", hour0, 1), reading("S1/v", hour0 + 1, 2)])
        let flush = Task { await writer.flushAvailable() }
        #expect(await clock.waitForSleepers(1))  // failed, readings requeued, backing off
        #expect(writer.health.lastError != nil)
        #expect(writer.health.queued == 2, "nothing is lost on a failed commit")
        #expect(!writer.health.stuck)
        clock.advance(by: .seconds(11))
        await flush.value
        #expect(writer.health.stuck, "no progress for longer than stall_after")
        try await db.writer.write { d in try d.execute(sql: "ALTER TABLE samples_away RENAME TO samples") }
        await writer.flushAvailable()
        #expect(!writer.health.stuck)
        #expect(writer.health.acknowledged == 2)
        #expect(try store.sampleCount() == 2)
    }

    @Test("an online backup taken while the writer commits is consistent: whole batches only, integrity ok")
    func backupWhileWriting() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("live.sqlite"))
        let store = SampleStore(database: db)
        let writer = BatchWriter(store: store, settings: .init(queueCapacity: 200_000, batchSize: 500), clock: ContinuousClock(), logger: logger)
        let producing = Task {
            for round in 0..<200 {
                writer.submit((0..<500).map { reading("B\($0 % 50)/v\($0 / 50)", hour0 + Int64(round) * 1000, Double(round)) })
                await writer.flushAvailable(onlyFull: true)
            }
        }
        // Wait (bounded) until some batches are in, then back up while the producer goes on.
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while writer.health.batches < 20 {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out after 60 s waiting for 20 committed batches (\(writer.health.batches) so far)")
                await producing.value
                return
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        try Backup.backup(db, to: dir.file("copy.sqlite"))
        await producing.value
        let copy = try AgentDatabase(path: dir.file("copy.sqlite"))
        #expect(try copy.integrityCheck() == "ok")
        let n = try SampleStore(database: copy).sampleCount()
        #expect(n > 0)
        #expect(n % 500 == 0, "a consistent snapshot holds whole batches only (got \(n))")
        #expect(n < 100_000 || writer.health.batches == 200)
        let e = #expect(throws: StoreError.self) { try Backup.backup(db, to: dir.file("copy.sqlite")) }
        #expect(e?.message.contains("exists already") == true)
    }
}
