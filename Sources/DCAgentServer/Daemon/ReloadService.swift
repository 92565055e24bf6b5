package import Logging
package import ServiceLifecycle
import UnixSignals

/// Reloads the config on SIGHUP. An invalid new config keeps the old one running and logs
/// every problem (DESIGN decision 3: the config is reloaded, never the floor). Sensors are
/// rebuilt from the new config, profiles and secrets first: one that does not build refuses the
/// whole reload; changed ones replace the running polling (``SensorSupervisor``).
package struct ReloadService: Service {
    package let runtime: Runtime
    package let configPath: String
    package let logger: Logger

    package func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await reload()
        }
    }

    package func reload() async {
        logger.info("SIGHUP: reloading configuration", metadata: ["config.file": "\(configPath)"])
        switch ConfigLoader.load(path: configPath) {
        case .failure(let errors):
            refuse(errors)
        case .success(let plan):
            let next: SensorSupervisor.Generation?
            do {
                next = try await SensorSupervisor.prepare(plan, logger: logger, unless: runtime.sensors.generation.fingerprint)
            } catch {
                refuse(error)
                return
            }
            // Sensors first, so that the rules recompile (in apply) against the new ones.
            if let next {
                let change = runtime.sensors.install(next)
                runtime.metrics.retire(change.removed)
                logger.notice("sensors replaced: \(change.summary)", metadata: ["sensors.count": "\(next.sensors.count)"])
            }
            if let store = runtime.store { await runtime.metrics.locate(plan: plan, store: store, logger: logger) }
            let (applied, restart) = runtime.apply(plan, sensorsInstalled: next != nil)
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
