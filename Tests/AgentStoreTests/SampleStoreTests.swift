@testable import AgentStore
import Foundation
import GRDB
import Telemetry
import Testing

@Suite("Samples and hourly rollups", .timeLimit(.minutes(1)))
struct SampleStoreTests {
    @Test("a sample read twice is stored once and counted once in its rollup")
    func duplicatesIgnored() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        let r1 = try store.write([reading("PC1/ch1", hour0 + 1000, 10), reading("PC1/ch1", hour0 + 2000, 20)])
        #expect(r1 == .init(inserted: 2, duplicates: 0))
        let r2 = try store.write([reading("PC1/ch1", hour0 + 2000, 20), reading("PC1/ch1", hour0 + 3000, 30)])
        #expect(r2 == .init(inserted: 1, duplicates: 1))
        let roll = try store.rollups(point("PC1/ch1"), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 3_600_000))
        #expect(roll.count == 1)
        #expect(roll[0].count == 3)
        #expect(roll[0].sum == 60)
    }

    @Test("tails: each point's samples in its range, at least its last N up to the range's end, with their quality")
    func tails() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        let a = "TH1/temperature", b = "TH2/temperature"
        // 100 samples 10 s apart on each point; one bad sample on b.
        try store.write((0..<100).map { reading(a, hour0 + Int64($0) * 10_000, 20 + Double($0) / 10) })
        try store.write((0..<100).map { i in
            i == 97
                ? Reading(point: point(b), time: Timestamp(milliseconds: hour0 + Int64(i) * 10_000), value: .nan, quality: .bad(reason: "timeout"))
                : reading(b, hour0 + Int64(i) * 10_000, 30)
        })
        let t = { (ms: Int64) in Timestamp(milliseconds: hour0 + ms) }
        let got = try store.tails(
            [point(a): t(500_000)...t(900_000), point(b): t(950_000)...t(950_000), point("TH9/temperature"): t(0)...t(1_000_000)], last: 5)
        let onA = got.filter { $0.point == point(a) }, onB = got.filter { $0.point == point(b) }
        // a: the 41 samples of its range, oldest first, nothing after its end.
        #expect(onA.map(\.time) == (50...90).map { t(Int64($0) * 10_000) })
        #expect(onA.first?.value == 25 && onA.last?.value == 29)
        // b: a range of one sample is widened to the last 5 up to its end; the bad one keeps its quality.
        #expect(onB.map(\.time) == (91...95).map { t(Int64($0) * 10_000) })
        let withBad = try store.tails([point(b): t(990_000)...t(990_000)], last: 5)
        #expect(withBad.map(\.quality) == [.good, .good, .bad(reason: "timeout"), .good, .good])
        // An unknown point: nothing, no error.
        #expect(got.allSatisfy { $0.point != point("TH9/temperature") })
    }

    @Test("rollups keep min, max, sum, count, first and last per hour across batches, whatever the arrival order")
    func rollupMath() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        let p = "CM1/copper"
        // Hour 0 arrives out of order over two batches; hour 1 has one value.
        try store.write([reading(p, hour0 + 600_000, 105), reading(p, hour0 + 60_000, 100)])
        try store.write([reading(p, hour0 + 3_000_000, 112), reading(p, hour0 + 1_200_000, 99), reading(p, hour0 + 3_600_000, 120)])
        let roll = try store.rollups(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 7_200_000))
        #expect(roll.count == 2)
        let h = roll[0]
        #expect(h.hour.milliseconds == hour0)
        #expect(h.min == 99)
        #expect(h.max == 112)
        #expect(h.sum == 416)
        #expect(h.count == 4)
        #expect(h.first == 100 && h.firstTime.milliseconds == hour0 + 60_000)
        #expect(h.last == 112 && h.lastTime.milliseconds == hour0 + 3_000_000)
        #expect(roll[1].count == 1 && roll[1].first == 120 && roll[1].last == 120)
    }

    @Test("bad and absent readings are stored with their quality but no value, and stay out of rollups")
    func qualityWithoutValue() throws {
        let dir = TempDir()
        let store = SampleStore(database: try AgentDatabase(path: dir.file("s.sqlite")))
        let p = "TH1/temperature"
        try store.write([
            reading(p, hour0 + 1, 22.5), reading(p, hour0 + 2, 999, .bad(reason: "exception 2 illegal address")),
            reading(p, hour0 + 3, -32768, .absent), reading(p, hour0 + 4, 23.5, .uncertain),
        ])
        let back = try store.samples(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 10))
        #expect(back.map(\.quality) == [.good, .bad(reason: "exception 2 illegal address"), .absent, .uncertain])
        #expect(back[1].value.isNaN && back[2].value.isNaN, "a bad or absent reading never carries a value")
        let raw = try store.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM samples WHERE value IS NULL") }
        #expect(raw == 2)
        let roll = try store.rollups(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 3_600_000))
        #expect(roll.first?.count == 2)
        #expect(roll.first?.min == 22.5 && roll.first?.max == 23.5)
    }

    @Test("retention trims raw samples older than the cutoff and keeps their rollups")
    func retention() throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("s.sqlite"))
        let store = SampleStore(database: db)
        let p = "TH1/temperature"
        var batch: [Reading] = []
        for i in 0..<48 { batch.append(reading(p, hour0 + Int64(i) * 3_600_000 + 5, Double(i))) }
        try store.write(batch)
        let cutoff = Timestamp(milliseconds: hour0 + 24 * 3_600_000)
        let deleted = try Retention(database: db, chunk: 7).trim(before: cutoff)
        #expect(deleted == 24)
        #expect(try store.sampleCount() == 24)
        let roll = try store.rollups(point(p), from: Timestamp(milliseconds: hour0), to: Timestamp(milliseconds: hour0 + 48 * 3_600_000))
        #expect(roll.count == 48, "rollups of trimmed hours stay")
    }

    @Test("retention keeps a raw sample whose rollup is missing")
    func retentionNeedsRollup() throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("s.sqlite"))
        let store = SampleStore(database: db)
        try store.write([reading("A1/x", hour0 + 5, 1), reading("A1/x", hour0 + 3_600_005, 2)])
        try db.writer.write { d in try d.execute(sql: "DELETE FROM rollups_hourly WHERE hour = ?", arguments: [hour0]) }
        let deleted = try Retention(database: db).trim(before: Timestamp(milliseconds: hour0 + 10 * 3_600_000))
        #expect(deleted == 1)
        #expect(try store.sampleCount() == 1)
    }

    @Test("state names with quotes, backslashes, slashes, newlines and non-ASCII letters round-trip as valid JSON")
    func stateNamesRoundTrip() throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("s.sqlite"))
        let states = [1: #"on "battery""#, 2: #"C:\path\"#, 3: "a/b", 4: "line\nbreak\ttab", 5: "ünïcödé ✓", 6: #"\"}{"#]
        let d = PointDescriptor(id: point("UPS1/state"), quantity: .state, unit: .none, states: states)
        try SampleStore(database: db).register([d])
        // A fresh store reads what is stored, not what it remembers.
        #expect(try SampleStore(database: db).descriptors() == [d])
        let raw = try #require(try db.writer.read { d in try String.fetchOne(d, sql: "SELECT states FROM points") })
        let parsed = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: String]
        #expect(parsed == Dictionary(uniqueKeysWithValues: states.map { (String($0.key), $0.value) }))
    }
}
