package import Logging
package import ServiceLifecycle

/// Talks to systemd (Type=notify): `READY=1` and `STATUS=…` once HTTP listens, `WATCHDOG=1`
/// every half `WATCHDOG_USEC` while the store's writer makes progress, `STOPPING=1` on
/// shutdown. A wedged writer stops the pings, so systemd restarts the daemon.
package struct NotifyService<C: Clock>: Service where C.Duration == Duration {
    package let notifier: SystemdNotifier
    package let ready: AsyncStream<Void>
    package let status: @Sendable () -> String
    package let writerStuck: @Sendable () -> Bool
    package let clock: C
    package let logger: Logger

    package func run() async throws {
        let notifier = notifier, ready = ready, status = status, writerStuck = writerStuck, clock = clock, logger = logger
        try? await cancelWhenGracefulShutdown {
            for await _ in ready { break }
            try Task.checkCancellation()
            notifier.notify("READY=1\nSTATUS=\(status())")
            logger.info("ready", metadata: ["systemd.notify": "\(notifier.isEnabled)"])
            guard let interval = notifier.watchdogInterval else {
                try await gracefulShutdown()
                return
            }
            var wasStuck = false
            while !Task.isCancelled {
                let stuck = writerStuck()
                if !stuck {
                    notifier.notify("WATCHDOG=1")
                    if wasStuck { logger.notice("store writer progressing again; watchdog pings resumed") }
                } else if !wasStuck {
                    logger.critical("store writer is stuck; watchdog pings withheld so systemd restarts the daemon")
                    notifier.notify("STATUS=store writer stuck")
                }
                wasStuck = stuck
                try await clock.sleep(for: interval)
            }
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping")
    }
}
