import Foundation
import GRDB
import Glibc
import Testing

@Suite("Durability", .serialized, .timeLimit(.minutes(10)))
struct CrashTests {
    /// The ACK lines a `dcagent bench ingest --ack` process has written so far.
    static func acks(_ path: String) -> [(count: Int, firstT: Int64, lastT: Int64)] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 6, f[0] == "ACK", let n = Int(f[1]), let a = Int64(f[3]), let b = Int64(f[5]) else { return nil }
            return (n, a, b)
        }
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

        let q = try DatabaseQueue(path: db)
        try q.inDatabase { d in
            #expect(try String.fetchOne(d, sql: "PRAGMA integrity_check") == "ok")
            let total = try Int.fetchOne(d, sql: "SELECT count(*) FROM samples") ?? 0
            let ackedTotal = acked.reduce(0) { $0 + $1.count }
            #expect(total >= ackedTotal, "every acknowledged reading is there (\(total) stored, \(ackedTotal) acknowledged)")
            for a in acked {
                let n = try Int.fetchOne(d, sql: "SELECT count(*) FROM samples WHERE t IN (?, ?)", arguments: [a.firstT, a.lastT]) ?? 0
                #expect(n >= 1, "batch ending at \(a.lastT) is missing")
            }
            #expect(total % 500 == 0, "only whole batches are committed (\(total))")
        }
    }
}
