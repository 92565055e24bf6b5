import ArgumentParser
import Foundation

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
                if !plan.sensors.isEmpty {
                    let problems: [ConfigProblem]
                    switch SensorWiring.loadCatalog(directory: plan.profilesDirectory) {
                    case .success(let catalog): problems = SensorWiring.check(plan, catalog: catalog)
                    case .failure(let e): problems = FileManager.default.fileExists(atPath: plan.profilesDirectory) ? e.problems : []
                    }
                    if !problems.isEmpty {
                        failed += 1
                        print(problems.map(\.description).joined(separator: "\n"))
                        continue
                    }
                }
                print("\(f): OK (\(plan.sites.count) site\(plan.sites.count == 1 ? "" : "s"), \(plan.sensors.count) sensor\(plan.sensors.count == 1 ? "" : "s"), database \(plan.storage.path))")
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
}
