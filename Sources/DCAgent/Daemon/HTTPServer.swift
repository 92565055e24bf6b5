import AgentStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Telemetry

/// The HTTP side of the daemon. For now `/healthz`; the web UI and API come later.
enum HTTPServer {
    static func make(runtime: Runtime, logger: Logger, onRunning: @escaping @Sendable () -> Void) -> some Service {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            let h = runtime.writer.health
            let plan = runtime.current
            let body: [String: Any] = [
                "status": h.stuck ? "degraded" : "ok",
                "agent": plan.agentName,
                "sites": plan.sites.map { $0.id.rawValue },
                "uptime_s": Int(Date().timeIntervalSince(runtime.started)),
                "reloads": runtime.reloadCount,
                "writer": [
                    "queued": h.queued, "dropped": h.dropped, "acknowledged": h.acknowledged, "batches": h.batches, "stuck": h.stuck,
                    "last_error": h.lastError ?? NSNull(),
                ] as [String: Any],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
            return Response(
                status: h.stuck ? .serviceUnavailable : .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        let plan = runtime.current
        return Application(
            router: router,
            configuration: .init(address: .hostname(plan.http.bind, port: plan.http.port), serverName: "dcagent"),
            onServerRunning: { channel in
                logger.info("HTTP listening", metadata: ["http.address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                onRunning()
            },
            logger: logger)
    }
}
