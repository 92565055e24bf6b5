import ArgumentParser
import Foundation
import Telemetry

/// `dcagent-sim run`: serves every sensor of the config until Ctrl-C or SIGTERM.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Serve the sensors of a config's `sensors:` list until Ctrl-C / SIGTERM.")

    @Option(help: "The config file with the `sensors:` list.")
    var config: String = "config/demo.yaml"

    @Option(help: "State directory: injections, status, SNMP values, snmpd configs and logs.")
    var state: String

    @Option(help: "Seconds between ticks.")
    var tick: Double = 1

    @Option(help: "Speed-up of slow processes (corrosion film growth); 8640 turns 30 days into 5 minutes.")
    var timeScale: Double = 1

    @Option(help: "Particle counters' sample period, e.g. 60s, 10s.")
    var particlePeriod: String = "60s"

    @Option(help: "Seed of the random streams (same seed, same drift).")
    var seed: UInt64 = 1

    @Option(help: "Path of snmpd.")
    var snmpd: String = "/usr/sbin/snmpd"

    func validate() throws {
        guard tick > 0, tick <= 60 else { throw ValidationError("--tick must be in (0, 60] seconds") }
        guard timeScale > 0 else { throw ValidationError("--time-scale must be positive") }
        guard let p = DurationText.seconds(particlePeriod, bareSeconds: true), p >= 1 else {
            throw ValidationError("--particle-period must be a duration of at least 1s, e.g. 60s")
        }
    }

    func run() throws {
        let log = SimLog()
        do {
            let cfg = try SimConfig.load(file: config)
            let dir = try StateDirectory(state, create: true)
            var options = SimOptions()
            options.tick = tick
            options.timeScale = timeScale
            options.samplePeriod = DurationText.seconds(particlePeriod, bareSeconds: true) ?? 60
            options.seed = seed
            options.snmpd = snmpd
            options.bridge = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let stop = StopSignal()
            try Simulator(config: cfg, dir: dir, options: options, log: log).run(until: stop)
        } catch let error as SimError {
            log(.error, error.description)
            throw ExitCode.failure
        }
    }
}
