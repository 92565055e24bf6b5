import AgentStore
import ArgumentParser
import DCAgentServer
import ContaminationRules
import FloorModel
import Foundation
import Telemetry
import Yams

/// `dcagent rules test RULES.yaml --readings FILE.csv`: replays recorded readings through the rule
/// engine, against the stored floor and points, and prints what would fire and clear — so
/// thresholds are tuned safely, without touching the running daemon.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Work with rule files.", subcommands: [Test.self])

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay readings (CSV: point,time,value[,quality]) through a rule file; print what fires and clears.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The rule file (YAML).") var rules: String
        @Option(help: "Readings as CSV: point,time,value[,quality]; time ISO 8601 UTC or epoch ms.") var readings: String
        @Option(help: "Seconds between engine ticks during the replay (stale data, sustain expiry).") var tick: Double = 60

        func run() throws {
            let compiled: CompiledRuleSet = try config.withStore(readOnly: true) { store in
                return try RuleFiles.load(rules, topology: try RuleFiles.topology(store: store)).compiled
            }
            let input = try Self.readings(readings)
            let result = RuleReplay.run(rules: compiled, readings: input, tickEvery: tick)
            print("# \(compiled.summary); \(input.count) readings replayed")
            for line in result.lines { print(line) }
            print("# \(result.changes.count) event changes; \(result.openEvents.count) event(s) still firing at the end")
        }

        static func readings(_ path: String) throws -> [Reading] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
            let rows: [[String]]
            do { rows = try CSV.parse(text) } catch { throw ValidationError("\(path): \(error)") }
            var out: [Reading] = []
            for (i, row) in rows.enumerated() where !row.isEmpty && !(row.count == 1 && row[0].isEmpty) {
                if i == 0 && row.first == "point" { continue }
                let line = i + 1
                guard row.count >= 3, let point = PointID(row[0]) else {
                    throw ValidationError("\(path):\(line): expected point,time,value[,quality] with a point id CI-ID/name")
                }
                guard let time = Timestamp(parsing: row[1]) else { throw ValidationError("\(path):\(line): '\(row[1])' is not a time") }
                let value = Double(row[2]) ?? .nan
                let quality: Quality = row.count > 3 && !row[3].isEmpty ? (Quality(code: row[3], reason: row.count > 4 ? row[4] : nil) ?? .bad(reason: row[3])) : .good
                out.append(Reading(point: point, time: time, value: value, quality: quality))
            }
            return out.sorted { $0.time < $1.time }
        }
    }
}
