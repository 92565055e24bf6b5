public import AgentStore
import ContaminationRules
import Foundation
import Hummingbird

/// What the tickets routes read: the built-in tickets (a site agent's store).
public protocol TicketReading: Sendable {
    func list(openOnly: Bool, limit: Int) async throws -> [BuiltinTicket]
    func ticket(_ number: String) async throws -> BuiltinTicket?
}

extension BuiltinTickets: TicketReading {}

/// No ticket store: the lists are empty.
public struct NoTickets: TicketReading {
    public init() {}
    public func list(openOnly: Bool, limit: Int) async throws -> [BuiltinTicket] { [] }
    public func ticket(_ number: String) async throws -> BuiltinTicket? { nil }
}

/// A built-in ticket as the API writes it.
public struct TicketDetailView: Codable, Sendable, Equatable {
    public var number: String
    public var kind: String
    public var subject: String
    public var state: String
    @Nullable public var priority: String?
    @Nullable public var assignee: String?
    /// The event opening it belongs to: its dedup key and first-seen time.
    public var dedupKey: String
    public var firstSeen: String
    @Nullable public var ci: String?
    @Nullable public var severity: String?
    public var created: String
    public var updated: String
    public var history: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        public var at: String
        public var what: String
        public var text: String
    }

    public init(_ t: BuiltinTicket) {
        (number, kind, subject, state, priority, assignee) = (t.number, t.kind, t.subject, t.state, t.priority, t.assignee)
        (dedupKey, firstSeen, ci, severity) = (t.opening.dedupKey, "\(t.opening.firstSeen)", t.ci, t.severity)
        (created, updated) = ("\(t.created)", "\(t.updated)")
        history = t.history.map { Entry(at: "\($0.at)", what: $0.what, text: $0.text) }
    }
}

/// `GET /api/v1/tickets?state=open|all&limit=`, `GET /api/v1/tickets/{number}`: the built-in
/// tickets (issue 12), newest first.
struct TicketsAPI: Sendable {
    let tickets: any TicketReading

    struct TicketList: Codable { var tickets: [TicketDetailView] }
    struct TicketAnswer: Codable { var ticket: TicketDetailView }

    func register(on api: RouterGroup<WebContext>) {
        let tickets = self.tickets
        api.resource("tickets") { request, _ in
            let p = request.uri.queryParameters
            let state = p.get("state").map { String($0) } ?? "all"
            guard state == "all" || state == "open" else { throw APIError.badParameter("state", "state '\(state)': all or open") }
            let limit = try EventsAPI.integer(p, "limit", default: 200)
            guard limit >= 1 else { throw APIError.badParameter("limit", "limit \(limit): must be at least 1") }
            let list = try await tickets.list(openOnly: state == "open", limit: min(limit, 5000))
            return try WebJSON.response(TicketList(tickets: list.map(TicketDetailView.init)))
        }
        api.resource("tickets/:number") { _, context in
            let number = context.parameters.get("number") ?? ""
            guard let t = try await tickets.ticket(number) else { throw APIError.notFound("no ticket \(number)") }
            return try WebJSON.response(TicketAnswer(ticket: TicketDetailView(t)))
        }
    }
}
