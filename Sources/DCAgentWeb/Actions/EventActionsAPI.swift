public import AgentStore
import Foundation
import HTTPTypes
import Hummingbird
public import Telemetry

/// What operator actions need from a store: a site agent's ``EventActionRepository``; the
/// central console (issue 21) will forward them to the owning site instead.
public protocol EventActing: Sendable {
    func acknowledge(_ eventID: Int64, note: String?, actor: String) async throws -> StoredEventChange
    func annotate(_ eventID: Int64, text: String, actor: String) async throws -> StoredEventChange
    func assign(_ eventID: Int64, to assignee: String?, actor: String) async throws -> StoredEventChange
    func silence(_ eventID: Int64, until: Timestamp, note: String?, actor: String) async throws -> StoredEventChange
    func unsilence(_ eventID: Int64, actor: String) async throws -> StoredEventChange
}

extension EventActionRepository: EventActing {
    public func acknowledge(_ eventID: Int64, note: String?, actor: String) async throws -> StoredEventChange {
        try await offPool { try self.acknowledge(eventID, note: note, actor: actor, now: .now) }
    }
    public func annotate(_ eventID: Int64, text: String, actor: String) async throws -> StoredEventChange {
        try await offPool { try self.annotate(eventID, text: text, actor: actor, now: .now) }
    }
    public func assign(_ eventID: Int64, to assignee: String?, actor: String) async throws -> StoredEventChange {
        try await offPool { try self.assign(eventID, to: assignee, actor: actor, now: .now) }
    }
    public func silence(_ eventID: Int64, until: Timestamp, note: String?, actor: String) async throws -> StoredEventChange {
        try await offPool { try self.silence(eventID, until: until, note: note, actor: actor, now: .now) }
    }
    public func unsilence(_ eventID: Int64, actor: String) async throws -> StoredEventChange {
        try await offPool { try self.unsilence(eventID, actor: actor, now: .now) }
    }
}

/// No store to act on: every action answers 503.
public struct NoEventActions: EventActing {
    public init() {}
    static var unavailable: APIError {
        APIError(.serviceUnavailable, code: "actions_unavailable", message: "this server cannot act on events")
    }
    public func acknowledge(_ eventID: Int64, note: String?, actor: String) async throws -> StoredEventChange { throw Self.unavailable }
    public func annotate(_ eventID: Int64, text: String, actor: String) async throws -> StoredEventChange { throw Self.unavailable }
    public func assign(_ eventID: Int64, to assignee: String?, actor: String) async throws -> StoredEventChange { throw Self.unavailable }
    public func silence(_ eventID: Int64, until: Timestamp, note: String?, actor: String) async throws -> StoredEventChange {
        throw Self.unavailable
    }
    public func unsilence(_ eventID: Int64, actor: String) async throws -> StoredEventChange { throw Self.unavailable }
}

/// `POST /api/v1/events/{id}/ack|notes|assign|silence`, `DELETE /api/v1/events/{id}/silence`:
/// operators' actions (role operator), each answered with the change it logged.
struct EventActionsAPI: Sendable {
    let actions: any EventActing
    let access: any AccessControl

    struct AckRequest: Decodable { var note: String? }
    struct NoteRequest: Decodable { var text: String }
    struct AssignRequest: Decodable { var assignee: String? }
    struct SilenceRequest: Decodable {
        /// How long (`30m`, `2h`, `1d`), or
        var `for`: String?
        /// until when (ISO 8601).
        var until: String?
        var note: String?
    }

    struct ChangeAnswer: Codable { var change: EventChangeView }

    func register(on api: RouterGroup<WebContext>) {
        api.post("events/:id/ack", use: ack)
        api.post("events/:id/notes", use: note)
        api.post("events/:id/assign", use: assign)
        api.post("events/:id/silence", use: silence)
        api.delete("events/:id/silence", use: unsilence)
    }

    /// The event id of the path, the acting person (operator or higher, CSRF checked).
    func prelude(_ request: Request, _ context: WebContext, _ what: String) async throws -> (Int64, WebIdentity) {
        let identity = try await context.require(.operator_, to: what, access: access, request: request)
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else { throw APIError.badParameter("id", "event id '\(text)': expected a positive number") }
        return (id, identity)
    }

    /// Runs an action and answers its change; the store's refusals in the API's shape.
    func answer(status: HTTPResponse.Status = .created, field: String = "body", _ body: () async throws -> StoredEventChange) async throws -> Response {
        do {
            return try WebJSON.response(ChangeAnswer(change: EventChangeView(try await body())), status: status)
        } catch let e as StoreError {
            switch e.code {
            case .notFound: throw APIError.notFound(e.message)
            case .conflict: throw APIError(.conflict, code: "conflict", message: e.message)
            case .unknownUser, .userDisabled: throw APIError(.badRequest, code: "bad_body", message: e.message, field: "assignee")
            case .invalid: throw APIError(.badRequest, code: "bad_body", message: e.message, field: field)
            case .notAllowed: throw APIError(.forbidden, code: "forbidden", message: e.message)
            default: throw e
            }
        }
    }

    @Sendable func ack(_ request: Request, context: WebContext) async throws -> Response {
        let (id, who) = try await prelude(request, context, "acknowledge events")
        let body = try await RequestBody.decodeIfPresent(AckRequest.self, from: request, context: context)
        return try await answer(field: "note") { try await actions.acknowledge(id, note: body?.note, actor: who.user.name) }
    }

    @Sendable func note(_ request: Request, context: WebContext) async throws -> Response {
        let (id, who) = try await prelude(request, context, "write notes on events")
        let body = try await RequestBody.decode(NoteRequest.self, from: request, context: context)
        return try await answer(field: "text") { try await actions.annotate(id, text: body.text, actor: who.user.name) }
    }

    @Sendable func assign(_ request: Request, context: WebContext) async throws -> Response {
        let (id, who) = try await prelude(request, context, "assign events")
        let body = try await RequestBody.decode(AssignRequest.self, from: request, context: context)
        return try await answer(field: "assignee") { try await actions.assign(id, to: body.assignee, actor: who.user.name) }
    }

    @Sendable func silence(_ request: Request, context: WebContext) async throws -> Response {
        let (id, who) = try await prelude(request, context, "silence events")
        let body = try await RequestBody.decode(SilenceRequest.self, from: request, context: context)
        let until: Timestamp
        switch (body.for, body.until) {
        case (let text?, nil):
            guard let d = DurationText.parse(text), d > .zero else {
                throw APIError(.badRequest, code: "bad_body", message: "for '\(text)': a duration such as 30m, 2h or 1d", field: "for")
            }
            until = Timestamp.now.adding(seconds: d.inSeconds)
        case (nil, let text?):
            guard let t = Timestamp(parsing: text) else {
                throw APIError(.badRequest, code: "bad_body", message: "until '\(text)': an ISO 8601 time such as 2026-12-07T18:00:00Z", field: "until")
            }
            until = t
        default:
            throw APIError(.badRequest, code: "bad_body", message: "give exactly one of for (a duration) and until (a time)", field: "for")
        }
        return try await answer(field: body.for != nil ? "for" : "until") {
            try await actions.silence(id, until: until, note: body.note, actor: who.user.name)
        }
    }

    @Sendable func unsilence(_ request: Request, context: WebContext) async throws -> Response {
        let (id, who) = try await prelude(request, context, "end silences")
        return try await answer(status: .ok) { try await actions.unsilence(id, actor: who.user.name) }
    }
}
