import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the config on SIGHUP. An invalid new config keeps the old one running and logs
/// every problem (DESIGN decision 3: the config is reloaded, never the floor).
struct ReloadService: Service {
    let runtime: Runtime
    let configPath: String
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        logger.info("SIGHUP: reloading configuration", metadata: ["config.file": "\(configPath)"])
        switch ConfigLoader.load(path: configPath) {
        case .failure(let errors):
            for p in errors.problems {
                logger.error("reload refused: \(p.reason)", metadata: ["config.file": "\(p.file)", "config.key": "\(p.path)", "config.line": "\(p.line.map(String.init) ?? "-")"])
            }
            logger.error("configuration NOT reloaded; the previous one stays in force", metadata: ["config.problems": "\(errors.problems.count)"])
        case .success(let plan):
            let (applied, restart) = runtime.apply(plan)
            logger.info(
                "configuration reloaded",
                metadata: ["config.applied": "\(applied.joined(separator: ","))", "config.needs_restart": "\(restart.joined(separator: ","))"])
            if !restart.isEmpty {
                logger.warning("some changed settings take effect only after a restart", metadata: ["config.needs_restart": "\(restart.joined(separator: ","))"])
            }
        }
    }
}
