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
        @Option(help: "Run for this long instead of a number of rounds (e.g. 60s), reporting each --slice.")
        var duration: String?
        @Option(help: "With --duration: the length of each reported slice (e.g. 10s).") var slice: String = "10s"
        @Option(help: "Readings per transaction.") var batchSize: Int = 5_000
        @Flag(help: "Print each committed batch: a line per reading, then an ACK line (for the crash test).") var ack = false

        func validate() throws {
            if let d = duration, (DurationText.seconds(d, bareSeconds: true) ?? 0) <= 0 {
                throw ValidationError("--duration '\(d)' is not a positive duration")
            }
            if (DurationText.seconds(slice, bareSeconds: true) ?? 0) <= 0 { throw ValidationError("--slice '\(slice)' is not a positive duration") }
            if points < 1 || rounds < 1 || batchSize < 1 { throw ValidationError("--points, --rounds and --batch-size must be positive") }
        }

        func run() async throws {
            if FileManager.default.fileExists(atPath: database) { throw ValidationError("\(database) exists already") }
            let db = try AgentDatabase(path: database)
            let store = SampleStore(database: db)
            let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            let ack = self.ack
            // A round is submitted, then its full batches committed: the queue never holds much
            // more than a round and a batch, so nothing is dropped (the result says so).
            let writer = BatchWriter(
                store: store,
                settings: .init(queueCapacity: 2 * (points + batchSize), batchSize: batchSize, flushInterval: .milliseconds(200)),
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
            let limit = duration.flatMap { DurationText.seconds($0, bareSeconds: true) }
            let sliceLength = DurationText.seconds(slice, bareSeconds: true) ?? 10
            let cpuStart = Self.cpu()
            let start = clock.now
            var slices: [Slice] = []
            var sliceStart = (at: 0.0, acknowledged: 0, cpu: cpuStart)
            var round = 0
            while limit == nil ? round < rounds : start.duration(to: clock.now).inSeconds < limit! {
                var batch: [Reading] = []
                batch.reserveCapacity(points)
                for (i, id) in ids.enumerated() {
                    // Interleaved: every point gets one reading per round, times interleave across points.
                    let t = Timestamp(milliseconds: t0 + Int64(round) * 1000 + Int64(i % 1000))
                    batch.append(Reading(point: id, time: t, value: 20 + Double((i * 7 + round) % 100) / 10))
                }
                writer.submit(batch)
                await writer.flushAvailable(onlyFull: true)
                round += 1
                let now = start.duration(to: clock.now).inSeconds
                if limit != nil, now - sliceStart.at >= sliceLength {
                    let acked = writer.health.acknowledged, cpu = Self.cpu()
                    slices.append(Slice(from: sliceStart.at, to: now, readings: acked - sliceStart.acknowledged, cpu: cpu.total - sliceStart.cpu.total))
                    sliceStart = (now, acked, cpu)
                }
            }
            await writer.flushAvailable()
            let seconds = start.duration(to: clock.now).inSeconds
            let cpu = Self.cpu()
            let h = writer.health
            if limit != nil, h.acknowledged > sliceStart.acknowledged {
                slices.append(Slice(from: sliceStart.at, to: seconds, readings: h.acknowledged - sliceStart.acknowledged, cpu: cpu.total - sliceStart.cpu.total))
            }
            let total = h.acknowledged
            let size = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
            for s in slices {
                print(
                    String(
                        format: "  slice %5.1f-%5.1f s: %8.0f readings/s, CPU-s per 100 000 readings %.3f",
                        s.from, s.to, Double(s.readings) / (s.to - s.from), s.cpu / Double(max(s.readings, 1)) * 100_000))
            }
            let user = cpu.user - cpuStart.user, system = cpu.system - cpuStart.system
            let rates = slices.filter { $0.to - $0.from >= sliceLength * 0.5 }.map { Double($0.readings) / ($0.to - $0.from) }
            print(
                String(
                    format:
                        "ingest: %d readings (%d points x %d rounds, batch %d) in %.2f s = %.0f readings/s, CPU %.2f s (user %.2f, sys %.2f) = %.3f CPU-s per 100 000 readings, db %.1f MB, dropped %d",
                    total, points, round, batchSize, seconds, Double(total) / seconds, user + system, user, system,
                    (user + system) / Double(max(total, 1)) * 100_000, Double(size) / 1_048_576, h.dropped)
                    + (rates.isEmpty ? "" : String(format: "; slowest slice %.0f readings/s", rates.min()!)))
        }

        struct Slice {
            var from: Double
            var to: Double
            var readings: Int
            var cpu: Double
        }

        /// CPU seconds (user + system) of this process so far.
        static func cpuSeconds() -> Double { cpu().total }

        static func cpu() -> (user: Double, system: Double, total: Double) {
            var u = rusage()
            getrusage(Int32(RUSAGE_SELF.rawValue), &u)
            let user = Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6
            let system = Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
            return (user, system, user + system)
        }
    }
}
