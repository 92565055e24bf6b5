import ArgumentParser
import AgentStore
import DCAgentServer
import ContaminationRules
import Foundation
import SensorDrivers

/// `dcagent check-config FILE...`: prints OK or every problem, exits non-zero on any.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate config files; print OK or every problem.")

    @Argument(help: "Config files to check.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one config file") }
    }

    func run() throws {
        var failed = 0
        for f in files {
            switch ConfigLoader.load(path: f) {
            case .success(let plan):
                var catalog: ProfileCatalog?
                if !plan.sensors.isEmpty {
                    let problems: [ConfigProblem]
                    switch SensorWiring.loadCatalog(directory: plan.profilesDirectory) {
                    case .success(let c):
                        catalog = c
                        problems = SensorWiring.check(plan, catalog: c)
                    case .failure(let e): problems = FileManager.default.fileExists(atPath: plan.profilesDirectory) ? e.problems : []
                    }
                    if !problems.isEmpty {
                        failed += 1
                        print(problems.map(\.description).joined(separator: "\n"))
                        continue
                    }
                }
                var rulesNote = ""
                if let rules = plan.rules {
                    switch Self.checkRules(rules, plan: plan, catalog: catalog) {
                    case .success(let note): rulesNote = ", \(note)"
                    case .failure(let e):
                        failed += 1
                        print(e.description)
                        continue
                    }
                }
                print("\(f): OK (\(plan.sites.count) site\(plan.sites.count == 1 ? "" : "s"), \(plan.sensors.count) sensor\(plan.sensors.count == 1 ? "" : "s")\(rulesNote), database \(plan.storage.path))")
            case .failure(let errors):
                failed += 1
                print(errors.problems.map(\.description).joined(separator: "\n"))
            }
        }
        if failed > 0 {
            print("\(failed) of \(files.count) file\(files.count == 1 ? "" : "s") failed")
            throw ExitCode(1)
        }
    }

    /// Compiles the rule file against the floor the daemon will see: the stored floor when the
    /// database exists, else the floor file imported on first start; with the sensors' points.
    static func checkRules(_ rules: RulesPlan, plan: ConfigPlan, catalog: ProfileCatalog?) -> Result<String, RuleFileError> {
        let points = catalog.map { SensorWiring.plannedPoints(plan, catalog: $0) } ?? []
        let topology: RuleTopology
        do {
            if FileManager.default.fileExists(atPath: plan.storage.path) {
                topology = try RuleFiles.topology(
                    store: try SiteStore(plan: plan, readOnly: true), extraPoints: points, polled: Set(plan.sensors.map(\.id)))
            } else if let file = plan.floorImport {
                topology = RuleTopologyBuilder.topology(floors: try FloorFiles.read(file), points: points)
            } else {
                topology = RuleTopologyBuilder.topology(floors: [], points: points)
            }
        } catch {
            return .failure(RuleFileError(lines: ["\(rules.file): cannot build the floor to check the rules against: \(error)"]))
        }
        do {
            let loaded = try RuleFiles.load(rules.file, topology: topology)
            try RuleFiles.checkChangeChecklists(loaded.compiled, file: rules.file, configFile: plan.file)
            return .success("\(loaded.compiled.rules.count) rules")
        } catch {
            return .failure(error)
        }
    }
}
