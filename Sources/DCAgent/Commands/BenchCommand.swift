import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation
import Logging
import Telemetry

/// `dcagent bench ingest`: pushes synthetic readings for N points with interleaved times through
/// the real batch writer into a real database, printing each acknowledged batch. Used by
/// `make bench` (docs/benchmarks.md) and by the crash test, which SIGKILLs it mid-run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks on the real schema and the real drivers.", subcommands: [Ingest.self, ModbusRead.self, SNMPWalk.self, BenchRulesCommand.self, BenchITSMCommand.self])

    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Measure the batch writer's ingest rate.")
        @Option(help: "Database file to create (must not exist).") var database: String
        @Option(help: "Number of points.") var points: Int = 10_000
        @Option(help: "Rounds: each round is one reading per point, one second apart.") var rounds: Int = 30
        @Option(help: "Readings per transaction.") var batchSize: Int = 5_000
        @Flag(help: "Print each committed batch: a line per reading, then an ACK line (for the crash test).") var ack = false

        func run() async throws {
            if FileManager.default.fileExists(atPath: database) { throw ValidationError("\(database) exists already") }
            let db = try AgentDatabase(path: database)
            let store = SampleStore(database: db)
            let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            let ack = self.ack
            let writer = BatchWriter(
                store: store,
                settings: .init(queueCapacity: points * rounds + 1, batchSize: batchSize, flushInterval: .milliseconds(200)),
                clock: ContinuousClock(), logger: logger,
                onCommit: { committed in
                    let batch = committed.readings
                    if ack, let first = batch.first, let last = batch.last {
                        // Each acknowledged (committed) batch: one `R point time` line per reading,
                        // then `ACK count first-point first-time last-point last-time`, in a single
                        // write, so a reader can tell a whole report (its count matches) from one
                        // cut short by a kill.
                        var text = ""
                        text.reserveCapacity(batch.count * 28 + 80)
                        for r in batch { text += "R \(r.point) \(r.time.milliseconds)\n" }
                        text += "ACK \(batch.count) \(first.point) \(first.time.milliseconds) \(last.point) \(last.time.milliseconds)\n"
                        FileHandle.standardOutput.write(Data(text.utf8))
                    }
                })
            let ids = (0..<points).map { PointID(ci: CIID(unchecked: "BENCH-S\($0 / 4)"), name: "p\($0 % 4)")! }
            let t0 = Timestamp.now.hourStart.milliseconds
            let clock = ContinuousClock()
            let cpuStart = Self.cpuSeconds()
            let start = clock.now
            for round in 0..<rounds {
                var batch: [Reading] = []
                batch.reserveCapacity(points)
                for (i, id) in ids.enumerated() {
                    // Interleaved: every point gets one reading per round, times interleave across points.
                    let t = Timestamp(milliseconds: t0 + Int64(round) * 1000 + Int64(i % 1000))
                    batch.append(Reading(point: id, time: t, value: 20 + Double((i * 7 + round) % 100) / 10))
                }
                writer.submit(batch)
                await writer.flushAvailable(onlyFull: true)
            }
            await writer.flushAvailable()
            let elapsed = start.duration(to: clock.now)
            let seconds = elapsed.inSeconds
            let cpu = Self.cpuSeconds() - cpuStart
            let total = points * rounds
            let size = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
            let h = writer.health
            print(
                String(
                    format: "ingest: %d readings (%d points x %d rounds, batch %d) in %.2f s = %.0f readings/s, CPU %.2f s, db %.1f MB, dropped %d",
                    total, points, rounds, batchSize, seconds, Double(total) / seconds, cpu, Double(size) / 1_048_576, h.dropped))
        }

        static func cpuSeconds() -> Double {
            var u = rusage()
            getrusage(Int32(RUSAGE_SELF.rawValue), &u)
            return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
        }
    }
}
