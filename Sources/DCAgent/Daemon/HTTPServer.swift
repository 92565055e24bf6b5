import AgentStore
import ContaminationRules
import Foundation
import Hummingbird
import Logging
import SensorDrivers
import ServiceLifecycle
import Telemetry

/// The HTTP side of the daemon. For now `/healthz`; the web UI and API come later.
enum HTTPServer {
    static func make(runtime: Runtime, logger: Logger, onRunning: @escaping @Sendable () -> Void) -> some Service {
        let router = Router()
        // First, so it wraps every route and the not-found answer: errors are JSON too.
        router.add(middleware: JSONErrors())
        router.get("/healthz") { _, _ -> Response in
            let h = runtime.writer.health
            let plan = runtime.current
            let devices = await runtime.deviceHealth()
            let offline = devices.filter { $0.value.offline }.keys.map(\.rawValue).sorted()
            let clock = ClockSync.read()
            let body: [String: Any] = [
                "status": h.stuck ? "degraded" : "ok",
                "agent": plan.agentName,
                "sites": plan.sites.map { $0.id.rawValue },
                "uptime_s": Int(Date().timeIntervalSince(runtime.started)),
                "reloads": runtime.reloadCount,
                "clock": [
                    "synchronised": clock.synchronised, "source": clock.source,
                    "max_error_s": clock.maxErrorSeconds ?? NSNull(),
                ] as [String: Any],
                "sensors": ["total": devices.count, "offline": offline] as [String: Any],
                "rules": runtime.rules.map { r -> Any in
                    let s = r.status.snapshot
                    return [
                        "rules": s.rules, "firing": s.firing, "evaluations": s.evaluations, "checkpoints": s.checkpoints,
                        "last_checkpoint": s.lastCheckpoint.map { "\($0)" } ?? NSNull(), "last_error": s.lastError ?? NSNull(),
                        "dropped_inputs": s.droppedInputs, "replayed_after_restart": s.replayed, "reloads": s.reloads,
                    ] as [String: Any]
                } ?? "off",
                "writer": [
                    "queued": h.queued, "dropped": h.dropped, "acknowledged": h.acknowledged, "batches": h.batches, "stuck": h.stuck,
                    "last_error": h.lastError ?? NSNull(),
                ] as [String: Any],
            ]
            return json(body, status: h.stuck ? .serviceUnavailable : .ok)
        }
        router.get("/api/devices") { _, _ -> Response in
            let devices = await runtime.deviceHealth()
            let rows: [[String: Any]] = devices.keys.sorted().map { id in
                let d = devices[id]!
                var row: [String: Any] = [
                    "id": id.rawValue, "offline": d.offline, "consecutive_failures": d.consecutiveFailures, "polls": d.polls,
                ]
                row["last_success"] = d.lastSuccess.map { "\($0)" } ?? NSNull()
                row["last_failure"] = d.lastFailure.map { "\($0)" } ?? NSNull()
                row["last_error"] = d.lastError ?? NSNull()
                row["last_poll_ms"] = d.lastPollDuration.map { $0.inSeconds * 1000 } ?? NSNull()
                return row
            }
            return json(["devices": rows])
        }
        // Events, newest first: `?state=firing` for the open ones only (the UI and ITSMLink read
        // the same rows; `after=SEQ` gives the change log after a sequence number).
        router.get("/api/events") { request, _ -> Response in
            let store = EventStore(database: runtime.database, samples: runtime.samples)
            let body: [String: Any]
            let p = request.uri.queryParameters
            do {
                if let text = p.get("after") {
                    // Refused, not ignored: `after=abc` answering the event list would look like
                    // an empty change log to a consumer that follows it.
                    guard let after = Int64(text), after >= 0 else {
                        return json(["error": "after '\(text)': expected a change sequence number (0 or more)"], status: .badRequest)
                    }
                    body = ["changes": try store.changes(after: after).map(EventJSONView.change)]
                } else {
                    let state = p.get("state") ?? "all"
                    guard state == "all" || state == "firing" else {
                        return json(["error": "state '\(state)': expected firing or all"], status: .badRequest)
                    }
                    guard let limit = p.get("limit").map({ Int($0) }) ?? 200 else {
                        return json(["error": "limit '\(p.get("limit") ?? "")': not a number"], status: .badRequest)
                    }
                    let query = try EventFilter.query(
                        firingOnly: state == "firing", severity: p.get("severity"), rule: p.get("rule"), ci: p.get("ci"),
                        rack: p.get("rack"), room: p.get("room"), limit: limit)
                    body = ["events": try store.events(query).map(EventJSONView.event)]
                }
            } catch let e as EventFilter.Invalid {
                return json(["error": e.description], status: .badRequest)
            } catch {
                logger.error("GET /api/events failed: \(error)")
                return json(["error": "store"], status: .internalServerError)
            }
            return json(body)
        }
        router.get("/api/events/stream") { request, _ -> Response in
            EventStream.response(request: request, runtime: runtime, logger: logger)
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

    /// Hummingbird's own errors (no route: 404 with an empty body) as the API's JSON error.
    struct JSONErrors<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            do {
                return try await next(request, context)
            } catch let e as HTTPError {
                let message = e.status == .notFound ? "no such resource: \(request.method) \(request.uri.path)" : e.body ?? e.status.reasonPhrase
                return HTTPServer.json(["error": message], status: e.status)
            }
        }
    }

    /// A JSON response (sorted keys, one line).
    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: EventJSONView.compact(object))))
    }
}
