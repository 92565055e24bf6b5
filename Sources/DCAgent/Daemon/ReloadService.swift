import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the config on SIGHUP. An invalid new config keeps the old one running and logs
/// every problem (DESIGN decision 3: the config is reloaded, never the floor). Sensors are
/// rebuilt from the new config, profiles and secrets first: one that does not build refuses the
/// whole reload; changed ones replace the running polling (``SensorSupervisor``).
struct ReloadService: Service {
    let runtime: Runtime
    let configPath: String
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    func reload() async {
        logger.info("SIGHUP: reloading configuration", metadata: ["config.file": "\(configPath)"])
        switch ConfigLoader.load(path: configPath) {
        case .failure(let errors):
            refuse(errors)
        case .success(let plan):
            var next: SensorSupervisor.Generation?
            if let sensors = runtime.sensors {
                do {
                    next = try await SensorSupervisor.prepare(plan, logger: logger, unless: sensors.generation.fingerprint)
                } catch {
                    refuse(error)
                    return
                }
            }
            let (applied, restart) = runtime.apply(plan, sensorsInstalled: next != nil)
            if let next, let sensors = runtime.sensors {
                let change = sensors.install(next)
                logger.notice("sensors replaced: \(change.summary)", metadata: ["sensors.count": "\(next.sensors.count)"])
            }
            logger.info(
                "configuration reloaded",
                metadata: ["config.applied": "\(applied.joined(separator: ","))", "config.needs_restart": "\(restart.joined(separator: ","))"])
            if !restart.isEmpty {
                logger.warning("some changed settings take effect only after a restart", metadata: ["config.needs_restart": "\(restart.joined(separator: ","))"])
            }
        }
    }

    private func refuse(_ errors: ConfigErrors) {
        for p in errors.problems {
            logger.error("reload refused: \(p.reason)", metadata: ["config.file": "\(p.file)", "config.key": "\(p.path)", "config.line": "\(p.line.map(String.init) ?? "-")"])
        }
        logger.error("configuration NOT reloaded; the previous one stays in force", metadata: ["config.problems": "\(errors.problems.count)"])
    }
}
