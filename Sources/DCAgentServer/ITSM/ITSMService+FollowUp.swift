import AgentStore
import ContaminationRules
import FloorModel
import Dispatch
import Foundation
import ITSMLink
package import Telemetry
import Logging

/// The follow-up of incidents (issue 15, Lampiran II H.2): once an incident's ticket exists,
/// the recurrence of its condition may open a problem (F.3.b.1) or join the open one — carrying
/// a known error's workaround into the incident's ticket — and a rule that declares
/// `needs_change:` drafts a request for change (E.1) with a checklist run on the rack. Each
/// incident is followed up once: the problem, the change, their outbox entries and the mark
/// commit together.
extension ITSMService {
    /// Follows up every incident whose ticket exists and that was not followed up yet; then
    /// starts the checklist runs of drafted changes. Returns how many incidents it followed up.
    @discardableResult
    package func followUp(now: Timestamp) async throws -> Int {
        let target = self.target
        var done = 0
        for link in try await store.followUps.pending(target: target) {
            let d = try await followUpOne(link, target: target, now: now)
            done += d ? 1 : 0
        }
        try await startChecklists(now: now)
        return done
    }

    /// The incident's event and priority from its link and its open action (a correlation
    /// member's: its group's ticket's open), and the group's parent when it is a member.
    func incidentRecord(_ link: TicketLink) async throws -> (record: IncidentRecord, parent: OpeningKey?)? {
        guard let json = link.policy, let l = try? JSONDecoder().decode(IncidentLink.self, from: json) else { return nil }
        var priority = plan.policy.priority(of: l.event.severity)
        if let payload = try await store.followUps.openPayload(target: link.target, opening: l.parent ?? link.opening),
            case .open(let f)? = try? JSONDecoder().decode(IncidentAction.self, from: payload)
        {
            priority = f.priority
        }
        return (IncidentRecord(opening: link.opening, ticket: link.ticket, event: l.event, priority: priority), l.parent)
    }

    func followUpOne(_ link: TicketLink, target: String, now: Timestamp) async throws -> Bool {
        guard let incident = try await incidentRecord(link) else {
            try await store.followUps.record(
                .init(target: target, incident: link.opening, incidentTicket: link.ticket, reason: "no policy state on the link: not followed up"),
                now: now)
            return false
        }
        let key = link.opening.dedupKey
        let since = link.opening.firstSeen.adding(seconds: -plan.recurrence.within)
        var history: [IncidentRecord] = []
        for l in try await store.followUps.incidents(target: target, dedupKey: key, since: since) where l.opening != link.opening {
            if let r = try await incidentRecord(l) { history.append(r.record) }
        }
        let problem = try await store.followUps.openProblem(condition: key)
        let change = try await store.followUps.openChange(condition: key)
        let d = FollowUp.decide(
            incident.record, history: history, openProblem: problem?.opening, policy: plan.recurrence, need: plan.changeNeeds[incident.record.event.ruleID],
            openChange: change?.number)
        var w = ITSMFollowUps.Write(target: target, incident: link.opening, incidentTicket: link.ticket, reason: d.reasons.joined(separator: "; "))
        let builtin = target == "builtin"
        if let p = d.openProblem {
            let tickets = Dictionary(([incident.record] + history).map { ($0.opening, $0.ticket) }, uniquingKeysWith: { a, _ in a })
            w.newProblem = (p.opening, p.key, p.subject, p.body, p.trend, p.ci.rawValue, p.incidents.map { ($0, tickets[$0] ?? nil) })
            if !builtin {
                w.items.append(try Self.followUpItem(.openProblem(p), kind: "problem", opening: p.opening, sequence: "1", target: target))
                // A change drafted before the problem existed refers to it from now on.
                if let change {
                    w.items.append(
                        try Self.followUpItem(
                            .linkIncident(p.opening, note: "problem opened for this condition: linked"), kind: "change", opening: change.opening,
                            sequence: "\(p.opening)", target: target))
                }
            }
        } else if let p = d.joinProblem {
            w.joinProblem = p
            if !builtin {
                w.items.append(
                    try Self.followUpItem(
                        .linkIncident(link.opening, note: "incident \(link.ticket ?? link.opening.description) recurs: linked"), kind: "problem",
                        opening: p, sequence: "\(link.opening)", target: target))
            }
            // A known error's workaround goes into the incident's ticket (a correlation member's
            // is its group's: the action is keyed by the ticket's opening, as the policy keys it).
            if let problem, problem.state == "known_error", let cause = problem.rootCause, let work = problem.workaround {
                let text = "Known error \(problem.number): root cause: \(cause). Workaround: \(work)"
                    + (incident.parent == nil ? "" : " (for \(incident.record.event.scope), a member of this ticket's group)")
                let action = IncidentAction.annotate(text)
                let ticketOpening = incident.parent ?? link.opening
                w.items.append(
                    OutboxItem(
                        target: target, idempotencyKey: "\(target)|\(ticketOpening)/annotate/kedb-\(problem.number)-\(link.opening)", opening: ticketOpening,
                        eventID: link.eventID, action: action.name, payload: try JSONEncoder().encode(action)))
            }
        }
        if let c = d.draftChange {
            w.newChange = (c.opening, c.subject, c.body, c.category.rawValue, c.cis.map(\.rawValue), c.checklist, c.rack?.rawValue)
            if !builtin {
                let problemOpening = d.openProblem?.opening ?? d.joinProblem
                w.items.append(try Self.followUpItem(.openChange(c, problem: problemOpening), kind: "change", opening: c.opening, sequence: "1", target: target))
            }
        }
        let made = try await store.followUps.record(w, now: now)
        if made.problem != nil || made.change != nil {
            logger.info(
                "itsm: follow-up of \(link.ticket ?? link.opening.description): \(w.reason)\(made.problem.map { " (\($0))" } ?? "")\(made.change.map { " (\($0))" } ?? "")")
        }
        return true
    }

    static func followUpItem(_ a: FollowUpAction, kind: String, opening: OpeningKey, sequence: String, target: String) throws -> OutboxItem {
        let name = a.name(kind: kind)
        return OutboxItem(
            target: target, idempotencyKey: "\(target)|\(opening)/\(name)/\(sequence)", opening: opening, eventID: nil, action: name,
            payload: try JSONEncoder().encode(a))
    }

    /// Starts the checklist run of each drafted change that names one (on its rack, with the
    /// change's number as the change reference) and records it on the change.
    func startChecklists(now: Timestamp) async throws {
        let waiting = try await store.followUps.changesAwaitingChecklist()
        guard !waiting.isEmpty else { return }
        for c in waiting {
            guard let name = c.checklist, let rack = c.rack else { continue }
            guard let dir = plan.checklistDirectory else {
                // Nothing to start it from: the change says so, and is not tried again.
                try await store.followUps.abandonChecklist(
                    c.number, reason: "checklist \(name) not started: no checklists/ folder beside the config nor /etc/dcagent/checklists", now: now)
                logger.warning("itsm: \(c.number): checklist \(name) not started: no checklist folder")
                continue
            }
            do {
                let template = try ChecklistTemplates.load(name, from: dir)
                // A synchronous write with the audit trail's lock and fsync: on a Dispatch
                // thread, never holding one of the cooperative pool's.
                let checklists = store.checklists
                let run = try await withCheckedThrowingContinuation { (k: CheckedContinuation<ChecklistRun, any Error>) in
                    DispatchQueue.global(qos: .utility).async {
                        k.resume(
                            with: Result {
                                try checklists.start(
                                    template: template, target: ChecklistTarget(.rack, CIID(unchecked: rack)), changeReference: c.number,
                                    executor: UserRepository.systemActor)
                            })
                    }
                }
                try await store.followUps.setChecklistRun(c.number, run: run.id, now: now)
                logger.info("itsm: checklist run \(run.id) (\(name) on \(rack)) started for \(c.number)")
            } catch let e as StoreError where e.code == .busy {
                logger.warning("itsm: \(c.number): checklist \(name) on \(rack) not started yet: \(e); tried again")
            } catch {
                // The template is gone or broken, the rack left the floor: said on the change,
                // which keeps no checklist (a person starts one by hand).
                try await store.followUps.abandonChecklist(c.number, reason: "checklist \(name) on \(rack) not started: \(error)", now: now)
                logger.error("itsm: \(c.number): checklist \(name) on \(rack) not started: \(error)")
            }
        }
    }

    // MARK: Delivering problems and changes

    /// Delivers a problem or change action; the target's ticket reference when it made one.
    func deliverFollowUp(_ action: FollowUpAction, _ entry: OutboxEntry) async throws -> String? {
        guard let rt else { return nil }  // built-in: the records are the tickets
        let opening = entry.item.opening
        let firstSeen = opening.firstSeen.date
        func ticketOf(_ o: OpeningKey) async throws -> Int? { try await rtTicket(of: o) }
        func create(queue: String, subject: String, body: String, ci: CIID) async throws -> Int {
            if let found = try await rt.findTicket(dedupKey: opening.dedupKey, firstSeen: firstSeen) { return found }
            return try await rt.createTicket(
                queue: queue, subject: subject, body: body,
                customFields: [
                    RTClient.Field.dedupKey: opening.dedupKey, RTClient.Field.firstSeen: RTClient.firstSeenValue(firstSeen),
                    RTClient.Field.ci: ci.rawValue,
                ])
        }
        switch action {
        case .openProblem(let p):
            let id = try await create(queue: plan.rt?.problemQueue ?? "Problems", subject: p.subject, body: p.body, ci: p.ci)
            // The incidents are members of the problem (RT's parent/child link).
            var members: [Int] = []  // a group's members share its ticket: once each
            for o in p.incidents { if let t = try await ticketOf(o), !members.contains(t) { members.append(t) } }
            if !members.isEmpty { try await rt.addLinks(ticket: id, .hasMember, members) }
            return "\(id)"
        case .linkIncident(let other, let note):
            var found = try await ticketOf(opening)
            if found == nil { found = try await rt.findTicket(dedupKey: opening.dedupKey, firstSeen: firstSeen) }
            guard let id = found else {
                throw RTError.notFound(status: 0, reason: "no RT ticket for \(opening)")
            }
            // Not known yet (its own open still queued): retried until it is.
            guard let t = try await ticketOf(other) else { throw RTError.server(status: 0, reason: "RT ticket of \(other) not made yet") }
            try await rt.addLinks(ticket: id, entry.item.action == "change.link" ? .refersTo : .hasMember, [t])
            try await rt.comment(ticket: id, text: note)
            return nil
        case .openChange(let c, let problem):
            let id = try await create(queue: plan.rt?.changeQueue ?? "Changes", subject: c.subject, body: c.body, ci: c.cis.first ?? "unknown")
            var refers: [Int] = []
            if let t = try await ticketOf(c.incident) { refers.append(t) }
            if let problem, let t = try await ticketOf(problem) { refers.append(t) }
            if !refers.isEmpty { try await rt.addLinks(ticket: id, .refersTo, refers) }
            return "\(id)"
        case .annotate(let text):
            guard let id = try await ticketOf(opening) else { throw RTError.notFound(status: 0, reason: "no RT ticket for \(opening)") }
            try await rt.comment(ticket: id, text: text)
            return nil
        }
    }
}
