import AgentStore
import ContaminationRules
import Foundation
import Hummingbird
import Telemetry

/// The events console: `GET /events` filtered by site, room, rack, severity and state;
/// `GET /events/{id}` with its history, evidence, linked tickets and the operators' actions
/// (acknowledge, note, assign, silence), each a form posted to `/events/{id}/…` (role operator,
/// CSRF token in the form) through the same store code as the API.
extension Pages {
    func registerEvents(on router: Router<WebContext>) {
        router.get("/events") { request, context -> Response in
            let page = try await view(request, context, section: "events")
            let q = request.uri.queryParameters
            let value = { (name: String) -> String in q.get(name).map { String($0) }?.trimmingCharacters(in: .whitespaces) ?? "" }
            let state = value("state").isEmpty ? "firing" : value("state")
            var problems: [String: String] = [:]
            let query: EventQuery
            do {
                query = try EventFilter.query(
                    firingOnly: state != "all" && state != "resolved", severity: value("severity"), rule: nil, ci: nil,
                    rack: value("rack"), room: value("room"), site: value("site"), limit: 500)
            } catch let error as EventFilter.Invalid {
                problems[error.field] = error.description
                query = EventQuery(firingOnly: true, limit: 500)
            }
            if !["firing", "all", "resolved", "unacknowledged", "acknowledged"].contains(state) {
                problems["state"] = t("error_bad_value", page, ["value": state])
            }
            var events = try await sources.events.events(query)
            switch state {
            case "resolved": events = events.filter { $0.event.state == .resolved }
            case "unacknowledged": events = events.filter { $0.operatorState.acknowledgedBy == nil }
            case "acknowledged": events = events.filter { $0.operatorState.acknowledgedBy != nil }
            default: break
            }
            var rows: [[String: Any]] = []
            for e in events.prefix(300) {
                var row = eventRow(e, page)
                row["tickets"] = try await ticketLinks(e, page)
                rows.append(row)
            }
            let filters: [String: Any] = [
                "site": value("site"), "room": value("room"), "rack": value("rack"),
                "severity_options": ["", "critical", "warning", "info"].map { s in
                    ["value": s, "label": s.isEmpty ? t("any", page) : t("severity_" + s, page), "selected": s == value("severity")] as [String: Any]
                },
                "state_options": ["firing", "unacknowledged", "acknowledged", "resolved", "all"].map { s in
                    ["value": s, "label": t("state_" + s, page), "selected": s == state] as [String: Any]
                },
                "site_options": ([("", t("any", page))] + sources.sites.map { ($0.id, $0.name) }).map { id, name in
                    ["value": id, "label": name, "selected": id == value("site")] as [String: Any]
                },
            ]
            var data: [String: Any] = ["events": rows, "count": rows.count, "filters": filters, "empty": rows.isEmpty]
            if !problems.isEmpty { data["problems"] = problems.sorted { $0.key < $1.key }.map { ["field": $0.key, "message": $0.value] } }
            return render("events", page, request, title: t("events_title", page), status: problems.isEmpty ? .ok : .badRequest, data)
        }

        router.get("/events/:id") { request, context -> Response in
            let page = try await view(request, context, section: "events")
            return try await eventPage(request, context, page, error: nil)
        }

        for action in ["ack", "note", "assign", "silence", "unsilence"] {
            router.post(RouterPath("/events/:id/" + action)) { request, context -> Response in
                let form = try await FormBody.read(request, context: context)
                let id = try eventID(context)
                let who = try await requireForm(.operator_, to: "act on events", form, request, context)
                let actor = who.user.name
                let page = try await view(request, context, section: "events")
                do {
                    switch action {
                    case "ack": _ = try await sources.eventActions.acknowledge(id, note: form.text("note"), actor: actor)
                    case "note":
                        guard let text = form.text("text") else { throw FieldError(field: "text", message: t("error_required", page)) }
                        _ = try await sources.eventActions.annotate(id, text: text, actor: actor)
                    case "assign": _ = try await sources.eventActions.assign(id, to: form.text("assignee"), actor: actor)
                    case "silence":
                        let text = form.text("for") ?? ""
                        guard let d = DurationText.parse(text), d > .zero else {
                            throw FieldError(field: "for", message: t("error_duration", page, ["value": text]))
                        }
                        _ = try await sources.eventActions.silence(id, until: Timestamp.now.adding(seconds: d.inSeconds), note: form.text("note"), actor: actor)
                    default: _ = try await sources.eventActions.unsilence(id, actor: actor)
                    }
                } catch let e as FieldError {
                    return try await eventPage(request, context, page, error: e, status: .badRequest)
                } catch let e as StoreError {
                    if e.code == .notFound { throw PageError.notFound("event \(id)") }
                    let field = action == "assign" ? "assignee" : action == "note" ? "text" : "note"
                    return try await eventPage(request, context, page, error: FieldError(field: field, message: e.message), status: e.code == .conflict ? .conflict : .badRequest)
                }
                return Self.seeOther("/events/\(id)")
            }
        }
    }

    func eventID(_ context: WebContext) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else { throw PageError.notFound("event \(text)") }
        return id
    }

    /// The event page; `error` marks the form field a refused action named.
    func eventPage(_ request: Request, _ context: WebContext, _ page: PageView, error: FieldError?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let id = try eventID(context)
        guard let (event, changes) = try await sources.events.event(id: id) else { throw PageError.notFound("event \(id)") }
        var data = eventRow(event, page)
        data["tickets"] = try await ticketLinks(event, page)
        data["changes"] = changes.reversed().map { c -> [String: Any] in
            var row: [String: Any] = ["at": page.time(c.change.at), "change": t("change_" + c.change.change.rawValue, page), "seq": c.seq]
            if let a = c.action {
                row["actor"] = a.actor
                if let text = a.text { row["text"] = text }
                if let who = a.assignee { row["assignee"] = who }
                if let until = a.until { row["until"] = page.time(until) }
            }
            return row
        }
        data["evidence"] = event.event.evidence.map { r -> [String: Any] in
            ["point": r.point.description, "time": page.time(r.time), "value": r.isUsable ? Self.number(r.value) : "—", "quality": r.quality.description]
        }
        data["can_act"] = (context.identity?.role ?? .viewer) >= .operator_
        data["firing"] = event.event.state == .firing
        data["silenced"] = event.operatorState.isSilenced(at: .now)
        if let error {
            data["error"] = error.message
            data["error_" + error.field] = true
        }
        return render("event", page, request, title: t("event_title", page, ["id": "\(id)"]), status: status, ["e": data])
    }

    /// One event as the console lists it.
    func eventRow(_ s: StoredEvent, _ page: PageView) -> [String: Any] {
        let e = s.event
        var row: [String: Any] = [
            "id": s.id, "rule": e.ruleID, "kind": e.kind.rawValue, "severity": e.severity.rawValue,
            "severity_text": t("severity_" + e.severity.rawValue, page), "state": e.state.rawValue,
            "state_text": t("state_" + e.state.rawValue, page), "scope": e.scope.rawValue, "message": e.message,
            "first_seen": page.time(e.firstSeen), "last_seen": page.time(e.lastSeen), "count": e.count, "dedup_key": e.dedupKey,
        ]
        // Absent, not empty: a mustache section shows for an empty string too.
        if let site = s.site { row["site"] = site.rawValue }
        if let room = e.room { row["room"] = room.rawValue }
        if let rack = e.rack { row["rack"] = rack.rawValue }
        if let point = e.point { row["point"] = point.description }
        if let by = s.operatorState.acknowledgedBy { row["acknowledged_by"] = by }
        if let at = s.operatorState.acknowledgedAt { row["acknowledged_at"] = page.time(at) }
        if let who = s.operatorState.assignee { row["assignee"] = who }
        if let until = s.operatorState.silencedUntil, until > .now { row["silenced_until"] = page.time(until) }
        if let missing = e.dataMissing { row["data_missing"] = missing.joined(separator: ", ") }
        if let at = s.resolvedAt { row["resolved_at"] = page.time(at) }
        if e.flapping { row["flapping"] = true }
        if e.suppressed { row["suppressed"] = true }
        return row
    }

    /// The tickets an event's opening became, each with a link into its ITSM tool.
    func ticketLinks(_ s: StoredEvent, _ page: PageView) async throws -> [[String: Any]] {
        try await sources.events.ticketLinks(of: OpeningKey(dedupKey: s.event.dedupKey, firstSeen: s.event.firstSeen)).map { l in
            var row: [String: Any] = ["target": l.target, "state": l.state, "reason": l.reason]
            if let ticket = l.ticket {
                row["ticket"] = ticket
                if let url = sources.ticketURL(l.target, ticket) { row["url"] = url }
            }
            return row
        }
    }

    /// A number as pages print it: up to 2 decimals, no trailing zeros.
    static func number(_ v: Double, decimals: Int = 2) -> String {
        guard v.isFinite else { return "—" }
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }
}

/// A form value refused: which field, and why (in the reader's language).
struct FieldError: Error {
    var field: String
    var message: String
}
