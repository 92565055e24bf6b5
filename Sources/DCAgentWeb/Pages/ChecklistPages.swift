import AgentStore
import FloorModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Telemetry

/// The checklist pages (Lampiran II I.1.b.3–6, J.2, J.3): `GET /checklists` lists runs newest
/// first, filtered by state, with the form that starts one; `GET /checklists/{id}` shows a run
/// with its items, answers, who and when; its forms post to `/checklists/{id}/answer|submit|
/// approve|reject|reopen`. Each post carries the session's CSRF token, needs the role the CLI
/// needs (engineer to start, answer, submit and reopen; approver to approve and reject) and goes
/// through the same ``ChecklistRepository`` call as `dcagent checklist …`; a refusal of the run's
/// model (the executor approving: J.2) comes back on the form, in the reader's language.
extension Pages {
    static let checklistListSize = 200
    static let checklistStates = ChecklistRun.State.allCases.map(\.rawValue)

    func registerChecklists(on router: Router<WebContext>) {
        router.get("/checklists") { request, context -> Response in
            let page = try await view(request, context, section: "checklists")
            return try await checklistList(request, context, page, error: nil)
        }

        router.post("/checklists") { request, context -> Response in
            let form = try await FormBody.read(request, context: context)
            let who = try await requireForm(.engineer, to: "run checklists", form, request, context)
            let page = try await view(request, context, section: "checklists")
            do {
                let run = try await startRun(form, by: who.user.name, page)
                return Self.seeOther("/checklists/" + Self.query(run.id))
            } catch let e as FieldError {
                return try await checklistList(request, context, page, error: e, form: form, status: .badRequest)
            } catch let e as ChecklistError {
                return try await checklistList(request, context, page, error: checklistRefusal(e, page, person: who.user.name), form: form, status: .conflict)
            } catch let e as StoreError where e.code == .invalid {
                let field = e.message.contains("target") ? "target" : "change"
                return try await checklistList(request, context, page, error: FieldError(field: field, message: e.message), form: form, status: .badRequest)
            }
        }

        router.get("/checklists/:id") { request, context -> Response in
            let page = try await view(request, context, section: "checklists")
            return try await checklistPage(request, context, page, error: nil)
        }

        for action in ["answer", "submit", "approve", "reject", "reopen"] {
            router.post(RouterPath("/checklists/:id/" + action)) { request, context -> Response in
                let form = try await FormBody.read(request, context: context)
                let id = try await checklistRunID(context)
                let needs: Role = action == "approve" || action == "reject" ? .approver : .engineer
                let who = try await requireForm(needs, to: "\(action) checklists", form, request, context)
                let by = who.user.name
                let page = try await view(request, context, section: "checklists")
                let actions = sources.checklistActions
                do {
                    switch action {
                    case "answer":
                        guard let item = form.text("item") else { throw FieldError(field: "item", message: t("error_required", page)) }
                        let outcome: ItemOutcome
                        switch form.text("outcome") ?? "" {
                        case "pass": outcome = .pass
                        case "fail": outcome = .fail
                        case "na", "n/a": outcome = .notApplicable
                        case let other:
                            throw FieldError(field: "outcome", message: t(other.isEmpty ? "error_required" : "error_bad_value", page, ["value": other]))
                        }
                        _ = try await actions.answerItem(run: id, item: item, outcome, note: form.text("note") ?? "", by: by)
                    case "submit": _ = try await actions.submitRun(id, by: by)
                    case "approve":
                        if form.text("override") != nil {
                            guard let supervisor = form.text("supervisor") else { throw FieldError(field: "supervisor", message: t("error_required", page)) }
                            _ = try await actions.approveRunWithOverride(id, by: by, supervisor: supervisor, reason: form.text("override_reason") ?? "")
                        } else {
                            _ = try await actions.approveRun(id, by: by, note: form.text("note") ?? "")
                        }
                    case "reject": _ = try await actions.rejectRun(id, by: by, reason: form.text("reason") ?? "")
                    default: _ = try await actions.reopenRun(id, by: by)
                    }
                } catch let e as FieldError {
                    return try await checklistPage(request, context, page, error: e, form: action, typed: form, status: .badRequest)
                } catch let e as ChecklistError {
                    let now = try await sources.checklists.run(id: id)
                    var refusal = checklistRefusal(e, page, run: now, person: by)
                    if refusal.field.isEmpty { refusal.field = action }
                    return try await checklistPage(request, context, page, error: refusal, form: action, typed: form, status: .conflict)
                } catch let e as StoreError where e.code == .invalid {
                    // An override naming someone who is not a supervisor (the repository checks it).
                    let field = e.message.contains("field supervisor") ? "supervisor" : action
                    return try await checklistPage(
                        request, context, page, error: FieldError(field: field, message: e.message), form: action, typed: form, status: .badRequest)
                }
                return Self.seeOther("/checklists/" + Self.query(id))
            }
        }
    }

    /// The run id of the path; an id that names no run is a 404.
    func checklistRunID(_ context: WebContext) async throws -> String {
        let id = context.parameters.get("id") ?? ""
        guard !id.isEmpty, try await sources.checklists.run(id: id) != nil else { throw PageError.notFound("checklist run \(id)") }
        return id
    }

    /// Starts a run from the start form's fields: template, target, change, and `to` for a
    /// decommissioning; a missing or unknown value is a ``FieldError`` naming the field.
    func startRun(_ form: FormBody, by person: String, _ page: PageView) async throws -> ChecklistRun {
        guard let templateID = form.text("template") else { throw FieldError(field: "template", message: t("error_required", page)) }
        guard let template = try sources.checklistTemplates().first(where: { $0.id == templateID }) else {
            throw FieldError(field: "template", message: t("error_bad_value", page, ["value": templateID]))
        }
        guard let targetText = form.text("target") else { throw FieldError(field: "target", message: t("error_required", page)) }
        guard let target = CIID(validating: targetText) else { throw FieldError(field: "target", message: t("error_bad_value", page, ["value": targetText])) }
        guard let change = form.text("change") else { throw FieldError(field: "change", message: t("error_required", page)) }
        var end: Lifecycle?
        if template.kind == .decommissioning {
            let to = form.text("to") ?? ""
            guard let l = Lifecycle(rawValue: to), l == .offline || l == .disposed else {
                throw FieldError(field: "to", message: t(to.isEmpty ? "error_required" : "error_bad_value", page, ["value": to]))
            }
            end = l
        }
        return try await sources.checklistActions.startRun(
            template: template, target: ChecklistTarget(template.kind.targetKind, target), changeReference: change, executor: person, decommissionTo: end)
    }

    /// A refusal of the run's model in the reader's language, with the field of the form it
    /// concerns; `run` (as stored after the refusal) and `person` fill in the words.
    func checklistRefusal(_ e: ChecklistError, _ page: PageView, run: ChecklistRun? = nil, person: String = "") -> FieldError {
        let field: String
        switch e.code {
        case .noteRequired: field = "note"
        case .reasonRequired: field = "reason"
        case .supervisorRequired: field = "supervisor"
        case .unknownItem, .automaticItem: field = "item"
        case .unknownTarget, .wrongTarget: field = "target"
        default: field = ""
        }
        // The words are the reader's; the model's detail (names, items) follows as given.
        var args = ["detail": e.detail, "run": e.run, "person": person]
        if let run {
            args["executor"] = run.executor
            args["state"] = t("cl_state_" + run.state.rawValue.replacingOccurrences(of: "-", with: "_"), page)
            args["unanswered"] = run.unanswered.joined(separator: ", ")
            args["failed"] = run.failed.joined(separator: ", ")
        }
        return FieldError(field: field, message: t("cl_error_" + e.code.rawValue.replacingOccurrences(of: "-", with: "_"), page, args))
    }

    /// The runs list with the start form; `error` marks the start form's field.
    func checklistList(
        _ request: Request, _ context: WebContext, _ page: PageView, error: FieldError?, form: FormBody? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let stateText = request.uri.queryParameters.get("state").map { String($0) }?.trimmingCharacters(in: .whitespaces) ?? ""
        var problems: [[String: Any]] = []
        var state: ChecklistRun.State?
        if !stateText.isEmpty {
            if let s = ChecklistRun.State(rawValue: stateText) { state = s } else {
                problems.append(["field": "state", "message": t("error_bad_value", page, ["value": stateText])])
            }
        }
        let runs = try await sources.checklistActions.recentRuns(state: state, limit: Self.checklistListSize)
        let rows = runs.map { s -> [String: Any] in
            let r = s.run
            return [
                "id": r.id, "link": "/checklists/" + Self.query(r.id), "title": r.template.title, "template": r.template.id,
                "target": r.target.id.rawValue, "target_link": targetLink(r.target), "change": r.changeReference, "executor": r.executor,
                "state": r.state.rawValue, "state_text": t("cl_state_" + r.state.rawValue.replacingOccurrences(of: "-", with: "_"), page),
                "started": page.time(r.startedAt), "updated": page.time(s.updatedAt), "site": s.site,
            ]
        }
        var data: [String: Any] = [
            "runs": rows, "empty": rows.isEmpty, "count": rows.count,
            "state_options": ([""] + Self.checklistStates).map { s in
                [
                    "value": s, "selected": s == stateText,
                    "label": s.isEmpty ? t("any", page) : t("cl_state_" + s.replacingOccurrences(of: "-", with: "_"), page),
                ] as [String: Any]
            },
            "can_start": (context.identity?.role ?? .viewer) >= .engineer,
        ]
        if !problems.isEmpty { data["problems"] = problems }
        do {
            let chosen = form?.text("template")
            let templates = try sources.checklistTemplates()
            data["templates"] = templates.map { tpl in
                ["id": tpl.id, "title": tpl.title, "kind": tpl.kind.rawValue, "target_kind": tpl.kind.targetKind.rawValue, "selected": tpl.id == chosen]
                    as [String: Any]
            }
            data["has_templates"] = !templates.isEmpty
        } catch {
            logger.error("checklist templates: \(error)")
            data["templates_error"] = t("cl_templates_unreadable", page)
        }
        // What was typed comes back with the refusal.
        if let form {
            data["form_target"] = form["target"] ?? ""
            data["form_change"] = form["change"] ?? ""
            data["to_options"] = ["offline", "disposed"].map { ["value": $0, "label": t("lifecycle_" + $0, page), "selected": form["to"] == $0] as [String: Any] }
        } else {
            data["form_target"] = request.uri.queryParameters.get("target").map { String($0) } ?? ""
            data["form_change"] = ""
            data["to_options"] = ["offline", "disposed"].map { ["value": $0, "label": t("lifecycle_" + $0, page), "selected": false] as [String: Any] }
        }
        if let error {
            data["error"] = error.message
            data["error_" + error.field] = true
        }
        return render("checklists", page, request, title: t("cl_title", page), status: problems.isEmpty ? status : .badRequest, data)
    }

    /// One run with its items and the forms the reader may use; `error` shows under `form` and
    /// marks its field; what was `typed` into the refused form is shown again.
    func checklistPage(
        _ request: Request, _ context: WebContext, _ page: PageView, error: FieldError?, form: String? = nil, typed: FormBody? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let r = try await sources.checklists.run(id: id) else { throw PageError.notFound("checklist run \(id)") }
        let role = context.identity?.role ?? .viewer
        let me = context.identity?.user.name
        let items = r.template.items.map { item -> [String: Any] in
            var row: [String: Any] = ["id": item.id, "text": item.text]
            if let ref = item.reference { row["reference"] = ref }
            if let auto = item.automatic { row["automatic"] = auto.rawValue }
            if let a = r.answers[item.id] {
                row["answered"] = true
                row["outcome"] = a.outcome == .notApplicable ? "na" : a.outcome.rawValue
                row["outcome_text"] = t("cl_outcome_" + (a.outcome == .notApplicable ? "na" : a.outcome.rawValue), page)
                row["person"] = a.person
                row["at"] = page.time(a.at)
                if !a.note.isEmpty { row["note"] = a.note }
                if a.automatic { row["by_agent"] = true }
            }
            return row
        }
        var run: [String: Any] = [
            "id": r.id, "title": r.template.title, "template": r.template.id, "kind": r.template.kind.rawValue,
            "target": r.target.id.rawValue, "target_link": targetLink(r.target), "target_kind": r.target.kind.rawValue,
            "change": r.changeReference, "executor": r.executor, "started": page.time(r.startedAt),
            "state": r.state.rawValue, "state_text": t("cl_state_" + r.state.rawValue.replacingOccurrences(of: "-", with: "_"), page),
            "items": items, "unanswered": r.unanswered.joined(separator: ", "), "has_unanswered": !r.unanswered.isEmpty,
            "failed": r.failed.joined(separator: ", "), "has_failed": !r.failed.isEmpty,
        ]
        if let to = r.decommissionTo { run["decommission_to"] = t("lifecycle_" + to.rawValue, page) }
        if let d = r.decidedBy { run["decided_by"] = d }
        if let n = r.decisionNote, !n.isEmpty { run["decision_note"] = n }
        if let s = r.overrideSupervisor { run["override_supervisor"] = s }
        if let c = r.completion { run["completion"] = t("cl_completion", page, ["ci": c.ci.rawValue, "to": t("lifecycle_" + c.to.rawValue, page)]) }
        // Items a person answers (the floor model's are the agent's).
        let answerable = r.template.items.filter { $0.automatic == nil || $0.automatic?.decidedByModel == false }
        var data: [String: Any] = [
            "run": run,
            "answer_items": answerable.map { item in
                ["id": item.id, "text": item.text, "open": r.answers[item.id] == nil, "selected": typed?["item"] == item.id] as [String: Any]
            },
            "outcomes": ["pass", "fail", "na"].map { ["value": $0, "label": t("cl_outcome_" + $0, page), "checked": typed?["outcome"] == $0] as [String: Any] },
            "typed_note": typed?["note"] ?? "", "typed_reason": typed?["reason"] ?? "", "typed_supervisor": typed?["supervisor"] ?? "",
            "typed_override_reason": typed?["override_reason"] ?? "", "typed_override": typed?.text("override") != nil,
        ]
        let engineer = role >= .engineer
        let approver = role >= .approver
        switch r.state {
        case .inProgress:
            if engineer { data["can_answer"] = true }
            if engineer { data["can_submit"] = true }
        case .submitted:
            if approver { data["can_decide"] = true }
            if approver && me == r.executor { data["is_executor"] = true }
        case .rejected:
            if engineer { data["can_reopen"] = true }
        case .approved: break
        }
        if let error {
            data["error"] = error.message
            data["error_form_" + (form ?? "")] = true
            data["error_" + error.field] = true
        }
        return render("checklist", page, request, title: t("cl_run_title", page, ["id": r.id]), status: status, data)
    }

    /// The page of a run's target: its rack, or the device's history.
    func targetLink(_ target: ChecklistTarget) -> String {
        target.kind == .rack ? "/racks/" + Self.query(target.id.rawValue) : "/ci/" + Self.query(target.id.rawValue) + "/history"
    }
}
