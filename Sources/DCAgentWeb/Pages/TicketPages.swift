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
            try await ticketPage(request, context, error: nil)
        }
        // Problems and changes (issue 15): a known error recorded by an engineer; a change
        // approved or rejected by an approver who is not its requester (J.2).
        for action in ["known-error", "approve", "reject"] {
            router.post(RouterPath("/tickets/:number/" + action)) { request, context -> Response in
                let form = try await FormBody.read(request, context: context)
                let number = context.parameters.get("number") ?? ""
                guard let followUps = sources.followUps else { throw PageError.notFound(number) }
                let needed: Role = action == "known-error" ? .engineer : .approver
                let who = try await requireForm(needed, to: action == "known-error" ? "record a known error" : "\(action) a change", form, request, context)
                do {
                    switch action {
                    case "known-error":
                        _ = try await followUps.recordKnownError(
                            number, rootCause: form.text("root_cause") ?? "", workaround: form.text("workaround") ?? "", actor: who.user.name)
                    default:
                        _ = try await followUps.decideChange(number, approve: action == "approve", note: form.text("note") ?? "", actor: who.user.name)
                    }
                } catch let e as StoreError {
                    if e.code == .notFound { throw PageError.notFound(number) }
                    let field = action == "known-error" ? (e.message.contains("workaround") ? "workaround" : "root_cause") : "note"
                    let status: HTTPResponse.Status = e.code == .conflict ? .conflict : e.code == .notAllowed ? .forbidden : .badRequest
                    return try await ticketPage(request, context, error: FieldError(field: field, message: e.message), status: status)
                }
                return Self.seeOther("/tickets/\(number)")
            }
        }
    }

    /// A ticket's page; `error` marks the form field a refused action named.
    func ticketPage(_ request: Request, _ context: WebContext, error: FieldError?, status: HTTPResponse.Status = .ok) async throws -> Response {
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
            let role = context.identity?.role ?? .viewer
            let me = context.identity?.user.name
            if ticket.kind == "problem", let p = try await sources.followUps?.problem(number) {
                var problem: [String: Any] = ["state": p.state, "trend": p.trend, "condition": p.conditionKey]
                problem["incidents"] = p.incidents.map { ["ticket": $0.ticket ?? "—", "opening": $0.opening.description] }
                if let c = p.rootCause { problem["root_cause"] = c }
                if let w = p.workaround { problem["workaround"] = w }
                if let by = p.knownErrorBy { problem["known_error_by"] = by }
                if p.state != "closed" && role >= .engineer { problem["can_record"] = true }
                data["problem"] = problem
            }
            if ticket.kind == "change", let c = try await sources.followUps?.change(number) {
                var change: [String: Any] = [
                    "state": c.state, "category": c.category, "requester": c.requester, "cis": c.cis.joined(separator: ", "),
                    "incident": c.incident.description,
                ]
                // The incident's ticket (a correlation member's: its group's), linked when built in.
                if let ref = try await sources.events.ticketLinks(of: c.incident).compactMap(\.ticket).first {
                    change["incident_ticket"] = ref
                    if ref.hasPrefix("INC-") { change["incident_builtin"] = true }
                }
                if let p = c.problem { change["problem"] = p }
                if let r = c.checklistRun { change["checklist_run"] = r }
                if let by = c.decidedBy { change["decided_by"] = by }
                if let n = c.decisionNote, !n.isEmpty { change["decision_note"] = n }
                // Offered only to an approver who is not the requester (J.2); the store refuses anyway.
                if c.state == "draft" && role >= .approver && me != c.requester { change["can_decide"] = true }
                data["change"] = change
            }
            if let error {
                data["error"] = error.message
                data["error_" + error.field] = true
            }
            return render("ticket", page, request, title: t("ticket", page) + " " + ticket.number, status: status, data)
    }
}
