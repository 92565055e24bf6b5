import AgentStore
import ContaminationRules
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
            onCommit: { sink.yield($0.readings.count) })
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

    // MARK: The ordered ingest stage

    static func down(_ ci: String) -> IngestItem { .health(DeviceHealth(device: CIID(unchecked: ci), online: false, reason: "timeout")) }
    static func up(_ ci: String) -> IngestItem { .health(DeviceHealth(device: CIID(unchecked: ci), online: true)) }
    static func rs(_ range: Range<Int>, _ p: String = "S1/v") -> [Reading] { range.map { reading(p, hour0 + Int64($0), Double($0)) } }

    /// Items one at a time, consecutive readings merged: the order a consumer sees.
    static func flat(_ items: [IngestItem]) -> [String] {
        items.flatMap { item -> [String] in
            switch item {
            case .readings(let rs): rs.map { "r\(Int($0.value))" }
            case .health(let h): ["\(h.device) \(h.online ? "up" : "down")"]
            case .points(let ds): ds.map { "points \($0.id)" }
            }
        }
    }

    @Test("health keeps its place among the readings across batches; the batches hold exactly what was submitted, in order")
    func healthOrderAcrossBatches() async throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("w.sqlite")))
        let batches = Mutex<[CommittedBatch]>([])
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 100, batchSize: 3), clock: ContinuousClock(), logger: logger,
            onCommit: { b in batches.withLock { $0.append(b) } })
        let submitted: [IngestItem] = [.readings(Self.rs(0..<5)), Self.down("S1"), .readings(Self.rs(5..<7)), Self.up("S1"), .readings(Self.rs(7..<8))]
        writer.submit(submitted)
        #expect(writer.health.queued == 8)
        await writer.flushAvailable()
        let got = batches.withLock { $0 }
        #expect(
            got == [
                CommittedBatch(items: [.readings(Self.rs(0..<3))]),
                CommittedBatch(items: [.readings(Self.rs(3..<5)), Self.down("S1"), .readings(Self.rs(5..<6))]),
                CommittedBatch(items: [.readings(Self.rs(6..<7)), Self.up("S1"), .readings(Self.rs(7..<8))]),
            ])
        #expect(Self.flat(got.flatMap(\.items)) == Self.flat(submitted))
        #expect(got.flatMap(\.readings) == Self.rs(0..<8))
        #expect(writer.health.acknowledged == 8)
        #expect(try store.sampleCount() == 8)
    }

    @Test("health with no reading to wait behind is passed on at once, without a flush interval or any SQL")
    func healthAloneGoesAtOnce() async throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("w.sqlite")))
        let (commits, sink) = AsyncStream<CommittedBatch>.makeStream()
        let clock = ManualClock()
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 100, batchSize: 10, flushInterval: .seconds(5)), clock: clock, logger: logger,
            onCommit: { sink.yield($0) })
        let run = Task { try await writer.run() }
        var it = commits.makeAsyncIterator()
        #expect(await clock.waitForSleepers(1))
        writer.submit([Self.down("S2")])
        #expect(await it.next() == CommittedBatch(items: [Self.down("S2")]))
        #expect(clock.now == ManualClock.Instant(offset: .zero), "no clock advance was needed")
        // Behind a partial batch, health waits with it and goes after it.
        writer.submit([.readings(Self.rs(0..<2)), Self.up("S2")])
        #expect(await clock.waitForSleepers(1))
        #expect(writer.health.queued == 2)
        clock.advance(by: .seconds(5))
        #expect(await it.next() == CommittedBatch(items: [.readings(Self.rs(0..<2)), Self.up("S2")]))
        #expect(writer.health.batches == 2)
        run.cancel()
        _ = try? await run.value
    }

    @Test("a full queue drops the oldest readings only: health and point registrations are kept, in their places")
    func overflowKeepsHealth() async throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("w.sqlite")))
        let batches = Mutex<[CommittedBatch]>([])
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 5, batchSize: 100), clock: ContinuousClock(), logger: logger,
            onCommit: { b in batches.withLock { $0.append(b) } })
        let d = PointDescriptor(id: point("S1/v"), quantity: .temperature, unit: .celsius)
        writer.submit([Self.down("S1"), .points([d]), .readings(Self.rs(0..<10)), Self.up("S1"), .readings(Self.rs(10..<15))])
        #expect(writer.health.queued == 5)
        #expect(writer.health.dropped == 10)
        await writer.flushAvailable()
        let got = batches.withLock { $0 }
        #expect(got == [CommittedBatch(items: [Self.down("S1"), .points([d]), Self.up("S1"), .readings(Self.rs(10..<15))])])
        #expect(got.first?.health.count == 2, "both health reports survived the overflow")
        #expect(try await store.descriptors() == [d])
        #expect(try store.sampleCount() == 5)
    }

    @Test("points are registered in the writer's transaction: none without their readings when it fails, both after the commit")
    func pointsInTheTransaction() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("w.sqlite"))
        let store = SampleStore(database: db)
        let clock = ManualClock()
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 100, batchSize: 10, flushInterval: .seconds(1)), clock: clock, logger: logger)
        let t = PointDescriptor(id: point("TH1/temperature"), quantity: .temperature, unit: .celsius)
        let door = PointDescriptor(id: point("DOOR1/state"), quantity: .state, unit: .none, states: [0: "closed", 1: "open \"wide\""])
        // The readings' table is away: the transaction that registers the points fails with them.
        try await db.writer.write { d in try d.execute(sql: "ALTER TABLE samples RENAME TO samples_away") }
        writer.submit([.points([t, door]), .readings([reading("TH1/temperature", hour0, 21.5), reading("DOOR1/state", hour0, 1)])])
        let flush = Task { await writer.flushAvailable() }
        #expect(await clock.waitForSleepers(1))
        #expect(writer.health.lastError != nil)
        #expect(try await store.descriptors().isEmpty, "the points were rolled back with the readings")
        try await db.writer.write { d in try d.execute(sql: "ALTER TABLE samples_away RENAME TO samples") }
        clock.advance(by: .seconds(1))
        await flush.value
        await writer.flushAvailable()
        #expect(writer.health.lastError == nil)
        #expect(try await store.descriptors().sorted { $0.id.description < $1.id.description } == [door, t])
        #expect(try await store.latest().map(\.value) == [1, 21.5])
        let rows = try await db.writer.read { d in try Int.fetchOne(d, sql: "SELECT count(*) FROM points") }
        #expect(rows == 2)

        // Registering the same descriptor again writes nothing; a changed one updates its row.
        try await db.writer.write { d in
            try d.execute(
                sql: """
                    CREATE TABLE point_updates(n INTEGER);
                    CREATE TRIGGER count_point_updates AFTER UPDATE ON points BEGIN INSERT INTO point_updates VALUES (1); END;
                    """)
        }
        let updates = { try await db.writer.read { d in try Int.fetchOne(d, sql: "SELECT count(*) FROM point_updates") ?? -1 } }
        writer.submit([.points([t, door])])
        await writer.flushAvailable()
        #expect(try await updates() == 0)
        var t2 = t
        t2.states = [1: "on"]
        writer.submit([.points([t2, door])])
        await writer.flushAvailable()
        #expect(try await updates() == 1)
        #expect(try await store.descriptors().first { $0.id == t.id }?.states == [1: "on"])
        #expect(writer.health.batches == 3)
    }

    @Test("a failed commit keeps its batch, health included, in front; the retry commits it in order, and overflow while it fails drops readings only")
    func failedCommitKeepsHealthInOrder() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("w.sqlite"))
        let store = SampleStore(database: db)
        let clock = ManualClock()
        let batches = Mutex<[CommittedBatch]>([])
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 4, batchSize: 10, flushInterval: .seconds(1)), clock: clock, logger: logger,
            onCommit: { b in batches.withLock { $0.append(b) } })
        try await db.writer.write { d in try d.execute(sql: "ALTER TABLE samples RENAME TO samples_away") }
        writer.submit([.readings(Self.rs(0..<2)), Self.down("S1"), .readings(Self.rs(2..<3))])
        let flush = Task { await writer.flushAvailable() }
        #expect(await clock.waitForSleepers(1))  // failed, batch requeued, backing off
        #expect(writer.health.lastError != nil)
        #expect(batches.withLock { $0.isEmpty }, "nothing was handed on")
        #expect(writer.health.queued == 3)
        // While the commit fails: more health, then readings that overflow the queue (4): the
        // two oldest readings go, the health reports stay where they were.
        writer.submit([Self.up("S1"), .readings(Self.rs(3..<6))])
        #expect(writer.health.queued == 4)
        #expect(writer.health.dropped == 2)
        try await db.writer.write { d in try d.execute(sql: "ALTER TABLE samples_away RENAME TO samples") }
        clock.advance(by: .seconds(1))
        await flush.value
        await writer.flushAvailable()
        let got = batches.withLock { $0 }
        #expect(got == [CommittedBatch(items: [Self.down("S1"), .readings(Self.rs(2..<3)), Self.up("S1"), .readings(Self.rs(3..<6))])])
        #expect(writer.health.acknowledged == 4)
        #expect(writer.health.lastError == nil)
        #expect(try store.sampleCount() == 4)
    }
}
