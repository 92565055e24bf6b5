@testable import AgentStore
import Foundation
import GRDB
import Logging
import Synchronization
import Telemetry
import Testing

/// The sorted, raw-bound write path of `SampleStore.insert` and the run-based queue of the batch
/// writer (docs/benchmarks.md, "Store ingest"): what they must keep from the simple path.
@Suite("Ingest write path", .timeLimit(.minutes(1)))
struct IngestPathTests {
    @Test("one batch holding a point many times in one hour, out of order, folds into one rollup with the right first and last")
    func manyInOneHour() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        let p = "TH1/temperature", q = "TH2/temperature"
        // Interleaved points, times out of order, spanning two hours.
        let r = try store.write([
            reading(p, hour0 + 30_000, 3), reading(q, hour0 + 5_000, 50), reading(p, hour0 + 10_000, 1),
            reading(p, hour0 + 3_600_000 + 1, 7), reading(p, hour0 + 20_000, 2), reading(q, hour0 + 1_000, 40),
            reading(p, hour0 + 3_599_999, 4),
        ])
        #expect(r == .init(inserted: 7, duplicates: 0))
        let rp = try store.rollups(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 7_200_000))
        #expect(rp.count == 2)
        #expect(rp[0].count == 4 && rp[0].sum == 10 && rp[0].min == 1 && rp[0].max == 4)
        #expect(rp[0].first == 1 && rp[0].firstTime.milliseconds == hour0 + 10_000)
        #expect(rp[0].last == 4 && rp[0].lastTime.milliseconds == hour0 + 3_599_999)
        #expect(rp[1].count == 1 && rp[1].first == 7 && rp[1].last == 7)
        let rq = try store.rollups(point(q), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 3_600_000))
        #expect(rq.map(\.count) == [2])
        #expect(rq.first?.first == 40 && rq.first?.last == 50)
        // Stored in any order, read back oldest first.
        let back = try store.samples(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 7_200_000))
        #expect(back.map(\.value) == [1, 2, 3, 4, 7])
    }

    @Test("a duplicate inside one batch is stored once (the first submitted) and counted once in its rollup")
    func duplicateInsideBatch() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        let p = "PC1/ch1"
        let r = try store.write([
            reading(p, hour0 + 2000, 20), reading(p, hour0 + 1000, 10), reading(p, hour0 + 2000, 99),
            reading(p, hour0 + 2000, 98, .bad(reason: "late")),
        ])
        #expect(r == .init(inserted: 2, duplicates: 2))
        let back = try store.samples(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 3000))
        #expect(back.map(\.value) == [10, 20], "the first submitted reading of a (point, time) is the one kept")
        let roll = try store.rollups(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 3_600_000))
        #expect(roll.map(\.count) == [2])
        #expect(roll.first?.sum == 30 && roll.first?.max == 20)
    }

    @Test("a bad reading's reason is stored with it whatever its place in a sorted batch")
    func reasonsFollowTheirReadings() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        try store.write([
            reading("B1/x", hour0 + 3, .nan, .bad(reason: "three")), reading("A1/x", hour0 + 2, .nan, .bad(reason: "two")),
            reading("B1/x", hour0 + 1, .nan, .bad(reason: "one")), reading("A1/x", hour0 + 4, 5, .uncertain),
            reading("A1/x", hour0 + 5, .infinity),
        ])
        let a = try store.samples(point("A1/x"), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 10))
        let b = try store.samples(point("B1/x"), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 10))
        #expect(a.map(\.quality) == [.bad(reason: "two"), .uncertain, .good])
        #expect(b.map(\.quality) == [.bad(reason: "one"), .bad(reason: "three")])
        let roll = try store.rollups(point("A1/x"), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 3_600_000))
        #expect(roll.map(\.count) == [1], "a reading without a usable value (bad, or not finite) is stored but not rolled up")
    }

    @Test("after random batches (several points and hours, out of order, duplicates within and across batches, bad values) the rollups equal a recomputation from the samples")
    func rollupsMatchSamples() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        var rng = SplitMix(seed: 13)
        let points = (0..<7).map { "R\($0)/v" }
        for _ in 0..<40 {
            var batch: [Reading] = []
            for _ in 0..<Int(rng.next() % 300) {
                let p = points[Int(rng.next() % UInt64(points.count))]
                // Few distinct times (5 hours of 10-minute slots): duplicates are frequent.
                let t = hour0 + Int64(rng.next() % 30) * 600_000 + Int64(rng.next() % 3)
                let v = Double(Int(rng.next() % 400) - 200) / 4  // quarters: sums are exact
                let quality: Quality = [.good, .good, .good, .uncertain, .bad(reason: "x"), .absent][Int(rng.next() % 6)]
                batch.append(reading(p, t, v, quality))
            }
            try store.write(batch)
        }
        try store.database.writer.read { db in try Self.expectRollupsMatchSamples(db) }
    }

    /// Every hourly rollup equals the one recomputed from the samples table, and every hour with
    /// a usable sample has one.
    static func expectRollupsMatchSamples(_ db: Database, sourceLocation: SourceLocation = #_sourceLocation) throws {
        struct Hour: Equatable { var min, max, sum: Double; var count: Int; var first: Double; var firstT: Int64; var last: Double; var lastT: Int64 }
        var fromSamples: [String: Hour] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT point_id, t, value FROM samples WHERE value IS NOT NULL ORDER BY point_id, t") {
            let pid: Int64 = row[0], t: Int64 = row[1], v: Double = row[2]
            let key = "\(pid)@\(Timestamp(milliseconds: t).hourStart.milliseconds)"
            if var h = fromSamples[key] {
                h.min = min(h.min, v)
                h.max = max(h.max, v)
                h.sum += v
                h.count += 1
                (h.last, h.lastT) = (v, t)
                fromSamples[key] = h
            } else {
                fromSamples[key] = Hour(min: v, max: v, sum: v, count: 1, first: v, firstT: t, last: v, lastT: t)
            }
        }
        var stored: [String: Hour] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT point_id, hour, min, max, sum, count, first, first_t, last, last_t FROM rollups_hourly") {
            stored["\(row[0] as Int64)@\(row[1] as Int64)"] = Hour(
                min: row[2], max: row[3], sum: row[4], count: row[5], first: row[6], firstT: row[7], last: row[8], lastT: row[9])
        }
        #expect(!stored.isEmpty, sourceLocation: sourceLocation)
        #expect(Set(stored.keys) == Set(fromSamples.keys), sourceLocation: sourceLocation)
        for (k, h) in fromSamples where stored[k] != h {
            Issue.record("rollup \(k): stored \(String(describing: stored[k])), recomputed \(h)", sourceLocation: sourceLocation)
        }
    }

    @Test("the writer's queue keeps submitted arrays as runs: batches split runs in order, overflow drops the oldest across runs")
    func runsInTheQueue() async throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("w.sqlite")))
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let committed = Mutex<[[Int]]>([])
        let writer = BatchWriter(
            store: store, settings: .init(queueCapacity: 25, batchSize: 10), clock: ContinuousClock(), logger: logger,
            onCommit: { c in committed.withLock { $0.append(c.readings.map { Int($0.value) }) } })
        let r = { (i: Int) in reading("S1/v", hour0 + Int64(i), Double(i)) }
        writer.submit((0..<8).map(r))
        writer.submit([.points([])])  // nothing queued for an empty registration
        writer.submit((8..<20).map(r))
        #expect(writer.health.queued == 20 && writer.health.dropped == 0)
        writer.submit((20..<30).map(r))  // 5 over: 0..<5 go, from the first run
        #expect(writer.health.queued == 25 && writer.health.dropped == 5)
        writer.submit((30..<70).map(r))  // more than the capacity at once: all queued go, and the oldest 15 of these
        #expect(writer.health.queued == 25 && writer.health.dropped == 5 + 25 + 15)
        await writer.flushAvailable()
        #expect(committed.withLock { $0 } == [Array(45..<55), Array(55..<65), Array(65..<70)])
        #expect(writer.health.acknowledged == 25)
        #expect(try store.sampleCount() == 25)
    }
}

/// A deterministic generator, so a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
