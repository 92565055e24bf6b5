import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation
import Telemetry

/// `dcagent readings latest|history`: what the store holds, for operators and scripts.
struct ReadingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readings", abstract: "Show stored readings.", subcommands: [Latest.self, History.self])

    struct Latest: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest reading of every point (of one CI with --ci).")
        @OptionGroup var config: ConfigOption
        @Option(help: "Only the points of this CI id.") var ci: String?

        func run() throws {
            let filter: CIID?
            if let ci {
                guard let id = CIID(validating: ci) else { throw ValidationError("'\(ci)' is not a CI id") }
                filter = id
            } else {
                filter = nil
            }
            try config.withStore(readOnly: true) { store in
                let rows = try store.samples.latest(ci: filter)
                if rows.isEmpty { print("no readings stored\(ci.map { " for \($0)" } ?? "")") }
                for r in rows { print(Self.line(r)) }
            }
        }

        static func line(_ r: Reading) -> String {
            let value = r.quality.hasValue ? String(format: "%.3f", r.value) : "-"
            return "\(r.point)\t\(r.time)\t\(value)\t\(r.quality)"
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raw samples of one point over the last period.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "Point id, CI-ID/point-name.") var point: String
        @Option(help: "How far back (e.g. 15m, 24h).") var last: String = "1h"

        func run() throws {
            guard let id = PointID(point) else { throw ValidationError("'\(point)' is not a point id (CI-ID/point-name)") }
            guard let window = DurationText.parse(last) else { throw ValidationError("'\(last)' is not a duration") }
            try config.withStore(readOnly: true) { store in
                let now = Timestamp.now
                let rows = try store.samples.samples(
                    id, from: now.adding(seconds: -Double(window.components.seconds)), to: now.adding(seconds: 1))
                for r in rows { print(Latest.line(r)) }
            }
        }
    }
}
