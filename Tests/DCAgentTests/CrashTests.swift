import Foundation
import GRDB
import Glibc
import TestSupport
import Testing

@Suite("Durability", .serialized, .timeLimit(.minutes(10)))
struct CrashTests {
    /// A batch a `dcagent bench ingest --ack` process reported as committed: its readings.
    struct AckedBatch {
        var readings: [(point: String, t: Int64)]
        var firstT: Int64
        var lastT: Int64
    }

    /// The batches a `dcagent bench ingest --ack` process has reported so far. Each report is
    /// `R point time` lines followed by `ACK count …`; readings count only when their ACK follows
    /// and its count matches (a report cut short by the kill is ignored, never half-believed).
    static func acks(_ path: String) -> [AckedBatch] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var out: [AckedBatch] = []
        var pending: [(point: String, t: Int64)] = []
        // A line without its newline may be the start of a write the kill cut off.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for line in lines {
            let f = line.split(separator: " ")
            if f.count == 3, f[0] == "R", let t = Int64(f[2]) {
                pending.append((String(f[1]), t))
            } else if f.count == 6, f[0] == "ACK", let n = Int(f[1]), let a = Int64(f[3]), let b = Int64(f[5]) {
                if n == pending.count, pending.first?.t == a, pending.last?.t == b, pending.first?.point == String(f[2]),
                    pending.last?.point == String(f[4])
                {
                    out.append(AckedBatch(readings: pending, firstT: a, lastT: b))
                }
                pending = []
            } else {
                pending = []
            }
        }
        return out
    }

    @Test("the ACK parser believes only whole reports: readings followed by their ACK with a matching count")
    func ackParser() throws {
        let dir = TempDir()
        let text = """
            R A/v 1
            R B/v 1
            ACK 2 A/v 1 B/v 1
            R A/v 2
            ACK 2 A/v 2 A/v 2
            R A/v 3
            R B/v 3
            ACK 2 A/v 3 B/v 3
            R A/v 4
            R B/v
            """
        let path = dir.write("acks.txt", text)
        let acked = Self.acks(path)
        // The second report lost a line, the last has no ACK and its last line no newline.
        #expect(acked.map { $0.readings.map { "\($0.point)@\($0.t)" } } == [["A/v@1", "B/v@1"], ["A/v@3", "B/v@3"]])
    }

    @Test("SIGKILL in the middle of batch writes loses no acknowledged batch and leaves an intact database")
    func sigkillMidWrite() async throws {
        let dir = TempDir()
        let db = dir.file("crash.sqlite")
        let out = dir.file("acks.txt")
        FileManager.default.createFile(atPath: out, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Repo.dcagent)
        p.arguments = ["bench", "ingest", "--database", db, "--points", "2000", "--rounds", "400", "--batch-size", "500", "--ack"]
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Process.TerminationReason>.makeStream()
        p.terminationHandler = { exited.continuation.yield($0.terminationReason); exited.continuation.finish() }
        try p.run()
        // Wait until enough batches are acknowledged, then kill without warning, mid-write.
        try await waitUntil("40 acknowledged batches") {
            if !p.isRunning { throw TestFailure("the writer finished before it could be killed") }
            return Self.acks(out).count >= 40
        }
        kill(p.processIdentifier, SIGKILL)
        var reason: Process.TerminationReason?
        for await r in exited.stream { reason = r }
        #expect(reason == .uncaughtSignal, "the writer was killed, not finished")
        let acked = Self.acks(out)
        #expect(acked.count >= 40)
        #expect(acked.allSatisfy { $0.readings.count == 500 }, "each report holds its whole batch")

        let q = try DatabaseQueue(path: db)
        try q.inDatabase { d in
            #expect(try String.fetchOne(d, sql: "PRAGMA integrity_check") == "ok")
            let total = try Int.fetchOne(d, sql: "SELECT count(*) FROM samples") ?? 0
            let ackedTotal = acked.reduce(0) { $0 + $1.readings.count }
            #expect(total >= ackedTotal, "every acknowledged reading is there (\(total) stored, \(ackedTotal) acknowledged)")
            // Every acknowledged (point, time), one by one: batches share their times, so a lost
            // batch would hide behind its sibling in any check by time range.
            var stored = Set<String>()
            for row in try Row.fetchAll(d, sql: "SELECT p.key, s.t FROM samples s JOIN points p ON p.id = s.point_id") {
                stored.insert("\(row[0] as String) \(row[1] as Int64)")
            }
            var missing: [String] = []
            for batch in acked {
                for r in batch.readings where !stored.contains("\(r.point) \(r.t)") { missing.append("\(r.point)@\(r.t)") }
            }
            #expect(missing.isEmpty, "\(missing.count) acknowledged readings are missing, e.g. \(missing.prefix(5))")
            #expect(total % 500 == 0, "only whole batches are committed (\(total))")
            // The rollups hold exactly the committed samples: each hour of each point, recomputed
            // from the samples table, matches its stored rollup, and no other rollup exists.
            let hours = """
                SELECT point_id, t - t % 3600000 AS hour, min(value) AS mn, max(value) AS mx, sum(value) AS sm,
                       count(value) AS n, min(t) AS t0, max(t) AS t1
                FROM samples WHERE value IS NOT NULL GROUP BY point_id, hour
                """
            let recomputed = try Int.fetchOne(d, sql: "SELECT count(*) FROM (\(hours))") ?? 0
            let rollups = try Int.fetchOne(d, sql: "SELECT count(*) FROM rollups_hourly") ?? 0
            let matching =
                try Int.fetchOne(
                    d,
                    sql: """
                        SELECT count(*) FROM rollups_hourly r JOIN (\(hours)) s ON s.point_id = r.point_id AND s.hour = r.hour
                        WHERE r.min = s.mn AND r.max = s.mx AND r.count = s.n AND abs(r.sum - s.sm) <= 1e-9 * abs(s.sm)
                          AND r.first_t = s.t0 AND r.last_t = s.t1
                        """) ?? 0
            #expect(recomputed > 0 && rollups == recomputed && matching == recomputed, "rollups \(rollups), recomputed \(recomputed), matching \(matching)")
        }
    }
}
