import AgentStore
import ArgumentParser
import DCAgentServer
import FloorModel
import Foundation
import Telemetry

/// `dcagent ci audit`: the yearly CI audit list (Lampiran II B.2.f) of the stored floor.
struct CICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ci", abstract: "Configuration items.", subcommands: [Audit.self])

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every CI still in existence with what to check on the floor.")
        @OptionGroup var config: ConfigOption
        @Option(help: "Only this site.") var site: String?
        @Option(help: "text or csv.") var format: String = "text"

        func validate() throws {
            if format != "text" && format != "csv" { throw ValidationError("--format must be text or csv, not '\(format)'") }
        }

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                let floors = try store.floor.floors().filter { site == nil || $0.site.id.rawValue == site }
                if floors.isEmpty { throw StoreError.invalid(site.map { "site \($0) is not stored" } ?? "no floor is stored") }
                let rows = floors.flatMap { $0.ciAuditList() }
                if format == "csv" {
                    print(CSV.write([CIAuditRow.header] + rows.map(\.columns)), terminator: "")
                } else {
                    for row in rows {
                        print("\(row.ci.id)\t\(row.ci.type.rawValue)\t\(row.ci.status)\t\(row.ci.location)")
                        for c in row.checks { print("    [ ] \(c)") }
                    }
                    print("\(rows.count) configuration items")
                }
            }
        }
    }
}
