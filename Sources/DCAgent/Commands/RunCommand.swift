import ArgumentParser
import DCAgentServer

/// `dcagent run --config FILE`: the daemon, as one `ServiceGroup` wired in dependency order
/// (store first, HTTP last; STYLE habit 3).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the daemon in the foreground.")
    @OptionGroup var config: ConfigOption

    func run() async throws {
        let plan = try config.plan()
        do {
            try await Daemon.run(plan: plan, configPath: config.config)
        } catch let error as DaemonExit {
            for line in error.lines { printErr(line) }
            throw ExitCode(error.code)
        }
    }
}
