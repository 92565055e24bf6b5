package import AgentStore
package import ContaminationRules
package import DCAgentWeb
import SensorDrivers
package import Foundation
package import Hummingbird
package import Logging
package import ServiceLifecycle
import Telemetry

/// The daemon's HTTP server: the routes of ``DCAgentWeb`` over this agent's store and services,
/// bound where the config says (127.0.0.1 unless configured).
package enum HTTPService {
    package static func make(
        runtime: Runtime, commits: @escaping @Sendable () -> AsyncStream<Void>, logger: Logger, onRunning: @escaping @Sendable () -> Void
    ) -> some Service {
        let sources = WebSources(status: runtime, events: EventStore(database: runtime.database, samples: runtime.samples), commits: commits)
        let plan = runtime.current
        return Application(
            router: WebRoutes.router(sources, logger: logger),
            configuration: .init(address: .hostname(plan.http.bind, port: plan.http.port), serverName: "dcagent"),
            onServerRunning: { channel in
                logger.info("HTTP listening", metadata: ["http.address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                onRunning()
            },
            logger: logger)
    }
}

extension Runtime: AgentStatusSource {
    package func health() async -> HealthView {
        let h = writer.health
        let plan = current
        let devices = await deviceHealth()
        let clock = ClockSync.read()
        let rules = self.rules.map { r -> HealthView.Rules in
            let s = r.status.snapshot
            return .on(
                .init(
                    rules: s.rules, firing: s.firing, evaluations: s.evaluations, checkpoints: s.checkpoints,
                    lastCheckpoint: s.lastCheckpoint.map { "\($0)" }, lastError: s.lastError, droppedInputs: s.droppedInputs,
                    replayedAfterRestart: s.replayed, reloads: s.reloads))
        }
        return HealthView(
            status: h.stuck ? "degraded" : "ok", agent: plan.agentName, sites: plan.sites.map { $0.id.rawValue },
            uptimeS: Int(Date().timeIntervalSince(started)), reloads: reloadCount,
            clock: .init(synchronised: clock.synchronised, source: clock.source, maxErrorS: clock.maxErrorSeconds),
            sensors: .init(total: devices.count, offline: devices.filter { $0.value.offline }.keys.map(\.rawValue).sorted()),
            rules: rules ?? .off,
            writer: .init(
                queued: h.queued, dropped: h.dropped, acknowledged: h.acknowledged, batches: h.batches, stuck: h.stuck, lastError: h.lastError))
    }

    package func devices() async -> [DeviceView] {
        let devices = await deviceHealth()
        return devices.keys.sorted().map { id in
            let d = devices[id]!
            return DeviceView(
                id: id.rawValue, offline: d.offline, consecutiveFailures: d.consecutiveFailures, polls: d.polls,
                lastSuccess: d.lastSuccess.map { "\($0)" }, lastFailure: d.lastFailure.map { "\($0)" }, lastError: d.lastError,
                lastPollMs: d.lastPollDuration.map { $0.inSeconds * 1000 })
        }
    }
}
