import AgentStore
import ContaminationRules
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// `/api/v1/events`: the events the rules raised, one event with its history, the change log
/// after a sequence number, and the change log live as server-sent events.
struct EventsAPI: Sendable {
    let sources: WebSources
    let logger: Logger

    /// The most changes one `GET /api/v1/events/changes` returns; `next` tells where to go on.
    static let changesPageLimit = 500

    func register(on api: RouterGroup<WebContext>) {
        let events = api.group("events")
        events.resource("", get: list)
        events.resource("changes", get: changes)
        events.resource("stream", get: stream)
        events.resource(":id", get: detail)
    }

    /// `GET /api/v1/events?state=firing|all&severity=&rule=&ci=&rack=&room=&site=&limit=`, newest first.
    @Sendable func list(_ request: Request, _: WebContext) async throws -> Response {
        let p = Self.queryParameters(request)
        if p.get("after") != nil {
            throw APIError.badParameter("after", "after: the change log is GET \(WebRoutes.apiBase)/events/changes?after=SEQ")
        }
        let state = p.get("state") ?? "all"
        guard state == "all" || state == "firing" else { throw APIError.badParameter("state", "state '\(state)': expected firing or all") }
        let limit = try Self.integer(p, "limit", default: 200)
        let query: EventQuery
        do throws(EventFilter.Invalid) {
            query = try EventFilter.query(
                firingOnly: state == "firing", severity: p.get("severity"), rule: p.get("rule"), ci: p.get("ci"), rack: p.get("rack"),
                room: p.get("room"), site: p.get("site"), limit: limit)
        } catch {
            throw APIError.badParameter(error.field, error.description)
        }
        return try WebJSON.response(EventList(events: try await sources.events.events(query).map(EventView.init)))
    }

    /// `GET /api/v1/events/changes?after=SEQ&limit=N`: the change log after SEQ, oldest first,
    /// at most ``changesPageLimit`` at a time.
    @Sendable func changes(_ request: Request, _: WebContext) async throws -> Response {
        let p = Self.queryParameters(request)
        let after = try Self.sequence(p.get("after"), field: "after") ?? 0
        let limit = min(try Self.integer(p, "limit", default: Self.changesPageLimit), Self.changesPageLimit)
        guard limit >= 1 else { throw APIError.badParameter("limit", "limit \(limit): must be at least 1") }
        let page = try await sources.events.changes(after: after, limit: limit)
        return try WebJSON.response(EventChangeList(changes: page.map(EventChangeView.init), next: page.last?.seq ?? after))
    }

    /// `GET /api/v1/events/{id}`: one event and its changes.
    @Sendable func detail(_ request: Request, context: WebContext) async throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError.badParameter("id", "event id '\(text)': expected a positive number") }
        guard let found = try await sources.events.event(id: id) else { throw APIError.notFound("no event \(id)") }
        let tickets = try await sources.events.ticketLinks(of: OpeningKey(found.event.event)).map(TicketView.init)
        return try WebJSON.response(EventDetail(event: EventView(found.event), changes: found.changes.map(EventChangeView.init), tickets: tickets))
    }

    /// `GET /api/v1/events/stream`: the change log as server-sent events. Each change is one
    /// message whose `id` is its sequence number, so a client that reconnects with
    /// `Last-Event-ID` (the browser's EventSource does) receives exactly what it missed — across
    /// a dropped connection or a daemon restart. `?after=SEQ` does the same for tools; a new
    /// client starts at the end of the log. The stream wakes on each commit (in process, or by
    /// another process such as the CLI), sends a comment after 15 s of quiet, and ends when the
    /// daemon shuts down.
    @Sendable func stream(_ request: Request, _: WebContext) async throws -> Response {
        // A value that is not a sequence number is refused: ignored, it would start the stream
        // at the end and silently skip what the client asked for.
        let header = try Self.sequence(request.headers[HTTPField.Name("Last-Event-ID")!], field: "Last-Event-ID")
        let query = try Self.sequence(Self.queryParameters(request).get("after"), field: "after")
        let resume = header ?? query
        let (events, logger, keepAliveEvery) = (sources.events, logger, sources.keepAliveEvery)
        // Subscribed before the cursor is read: a commit in between still wakes the stream.
        let commits = sources.commits()
        let body = ResponseBody { writer in
            var cursor: Int64
            if let resume { cursor = resume } else { cursor = try await events.lastChangeSeq() }
            try await writer.write(ByteBuffer(string: "retry: 2000\n: dcagent event changes after \(cursor)\n\n"))
            let (wakes, feeders) = Wakes.start(commits: commits, keepAliveEvery: keepAliveEvery)
            defer { feeders.cancel() }
            // Sends every change after the cursor; true when it wrote something.
            func drain(_ cursor: inout Int64) async throws -> Bool {
                var page: [StoredEventChange]
                var wrote = false
                repeat {
                    page = try await events.changes(after: cursor, limit: 200)
                    for c in page {
                        try await writer.write(ByteBuffer(string: "id: \(c.seq)\nevent: change\ndata: \(try WebJSON.line(EventChangeView(c)))\n\n"))
                        cursor = c.seq
                        wrote = true
                    }
                } while page.count == 200
                return wrote
            }
            var lastWrite = ContinuousClock.now
            await withGracefulShutdownHandler {
                do {
                    var iterator = wakes.makeAsyncIterator()
                    repeat {
                        if try await drain(&cursor) { lastWrite = .now }
                        if ContinuousClock.now - lastWrite >= keepAliveEvery {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            lastWrite = .now
                        }
                    } while await iterator.next() != nil && !Task.isCancelled
                    // Shutting down: what was committed before is still sent.
                    _ = try await drain(&cursor)
                } catch {
                    logger.debug("event stream ended: \(error)")
                }
            } onGracefulShutdown: {
                // Ends the commit loop, which finishes the wakes.
                feeders.cancel()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// The query parameters as a form encodes them: `+` is a space (what Python's requests, curl
    /// `--data-urlencode -G` and a browser's URLSearchParams send for one; schemathesis found
    /// `severity=warning,+critical` refused), `%2B` a plus. Hummingbird decodes only `%XX`.
    static func queryParameters(_ request: Request) -> FlatDictionary<Substring, Substring> {
        guard let query = request.uri.query, query.contains("+") else { return request.uri.queryParameters }
        return URI("?" + query.replacingOccurrences(of: "+", with: "%20")).queryParameters
    }

    /// A change sequence number (0 or more), or nil when absent; anything else is refused naming
    /// the parameter.
    static func sequence(_ text: String?, field: String) throws(APIError) -> Int64? {
        guard let text else { return nil }
        guard let n = Int64(text), n >= 0 else {
            throw APIError.badParameter(field, "\(field) '\(text)': expected a change sequence number (0 or more)")
        }
        return n
    }

    static func integer(_ p: FlatDictionary<Substring, Substring>, _ name: String, default value: Int) throws(APIError) -> Int {
        guard let text = p.get(name) else { return value }
        guard let n = Int(text) else { throw APIError.badParameter(name, "\(name) '\(text)': not a number") }
        return n
    }
}

/// `GET /api/v1/devices`: the polled devices and their health.
struct DevicesAPI: Sendable {
    let status: any AgentStatusSource

    func register(on api: RouterGroup<WebContext>) {
        let status = self.status
        api.resource("devices") { _, _ in try WebJSON.response(DeviceList(devices: await status.devices())) }
    }
}

/// The paths before `/api/v1`: each answers 308 (the method and body are kept) to its v1 path,
/// query included, so old scripts and bookmarks keep working and say where to go.
enum LegacyPaths {
    static func register(on router: Router<WebContext>) {
        for (old, new) in [("/api/devices", "/devices"), ("/api/events/stream", "/events/stream")] {
            router.get(RouterPath(old)) { request, _ in redirect(request, to: WebRoutes.apiBase + new) }
        }
        // `/api/events?after=SEQ` was the change log; without `after` it was the event list.
        router.get("/api/events") { request, _ in
            redirect(request, to: WebRoutes.apiBase + (request.uri.queryParameters.get("after") != nil ? "/events/changes" : "/events"))
        }
    }

    static func redirect(_ request: Request, to path: String) -> Response {
        let query = request.uri.query.map { "?" + $0 } ?? ""
        return Response(status: .permanentRedirect, headers: [.location: path + query])
    }
}
