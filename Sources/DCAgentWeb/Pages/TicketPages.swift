import AgentStore
import ContaminationRules
import Foundation
import Hummingbird
import Telemetry

/// `GET /tickets/{number}`: a built-in ticket (issue 12) — where an event's ticket link goes
/// when the site's ticket system is DCAgent itself — with its history and the events of its
/// opening.
extension Pages {
    func registerTickets(on router: Router<WebContext>) {
        router.get("/tickets/:number") { request, context -> Response in
            let page = try await view(request, context, section: "events")
            let number = context.parameters.get("number") ?? ""
            guard let ticket = try await sources.tickets.ticket(number) else { throw PageError.notFound(t("ticket", page) + " " + number) }
            var data: [String: Any] = [
                "number": ticket.number, "kind": ticket.kind, "subject": ticket.subject, "state": ticket.state,
                "created": page.time(ticket.created), "updated": page.time(ticket.updated), "dedup_key": ticket.opening.dedupKey,
                "first_seen": page.time(ticket.opening.firstSeen),
                "history": ticket.history.map { ["at": page.time($0.at), "what": $0.what, "text": $0.text] },
            ]
            if let p = ticket.priority { data["priority"] = p }
            if let a = ticket.assignee { data["assignee"] = a }
            if let c = ticket.ci { data["ci"] = c }
            if let s = ticket.severity { data["severity"] = s }
            let events = try await sources.events.events(EventQuery(limit: 5000)).filter {
                $0.event.dedupKey == ticket.opening.dedupKey && $0.event.firstSeen == ticket.opening.firstSeen
            }
            data["events"] = events.map { ["id": $0.id, "message": $0.event.message] }
            return render("ticket", page, request, title: t("ticket", page) + " " + ticket.number, data)
        }
    }
}
