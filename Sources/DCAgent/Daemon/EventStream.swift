import AgentStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// `GET /api/events/stream`: the event change log as server-sent events, for the web UI and any
/// consumer that wants changes as they happen. Each change is one SSE message whose `id` is its
/// sequence number in `event_changes`, so a client that reconnects with `Last-Event-ID` (the
/// browser's EventSource does) receives exactly what it missed — nothing is lost across a
/// dropped connection or a daemon restart. The stream reads the committed log (it shows only
/// what the store holds), waking twice a second, and sends a comment every 15 s to keep proxies
/// from closing an idle connection. It ends when the daemon shuts down.
enum EventStream {
    static let pollEvery = Duration.milliseconds(500)
    static let keepAliveEvery = Duration.seconds(15)

    static func response(request: Request, runtime: Runtime, logger: Logger) -> Response {
        // Resume after the client's last id; `?after=SEQ` does the same for tools; a new client
        // starts at the end of the log (what happens from now on).
        // A value that is not a sequence number is refused: ignored, it would start the stream at
        // the end and silently skip what the client asked for.
        let header = request.headers[HTTPField.Name("Last-Event-ID")!]
        let query = request.uri.queryParameters.get("after")
        for (name, text) in [("Last-Event-ID", header), ("after", query)] {
            if let text, Int64(text).map({ $0 < 0 }) ?? true {
                return HTTPServer.json(["error": "\(name) '\(text)': expected a change sequence number (0 or more)"], status: .badRequest)
            }
        }
        let resume = header.flatMap { Int64($0) } ?? query.flatMap { Int64($0) }
        let store = EventStore(database: runtime.database, samples: runtime.samples)
        let body = ResponseBody { writer in
            var cursor: Int64
            if let resume {
                cursor = resume
            } else {
                cursor = (try? store.lastChangeSeq()) ?? 0
            }
            try await writer.write(ByteBuffer(string: "retry: 2000\n: dcagent event changes after \(cursor)\n\n"))
            var quiet = Duration.zero
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let changes: [StoredEventChange]
                do {
                    changes = try store.changes(after: cursor, limit: 200)
                } catch {
                    logger.error("event stream: cannot read the change log: \(error)")
                    break
                }
                for c in changes {
                    let data = EventJSONView.compact(EventJSONView.change(c))
                    try await writer.write(ByteBuffer(string: "id: \(c.seq)\nevent: change\ndata: \(data)\n\n"))
                    cursor = c.seq
                }
                if changes.count == 200 { continue }
                if !changes.isEmpty { quiet = .zero }
                if quiet >= keepAliveEvery {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quiet = .zero
                }
                do { try await Task.sleep(for: pollEvery) } catch { break }
                quiet += pollEvery
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
