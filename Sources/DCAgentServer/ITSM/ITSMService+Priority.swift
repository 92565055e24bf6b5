import AgentStore
package import ContaminationRules
package import FloorModel
import Foundation
import Synchronization
package import ITSMLink
package import Telemetry

/// What the service knows to prioritise a ticket (issue 15, Lampiran II F.1.b.1): the floors
/// for the impact through the CI graph, and the trend of the readings behind each event.
package struct PriorityContext: Sendable {
    package var config: PriorityConfig
    package var floors: [Floor]
    /// The trend of each point's readings over `config.trendWindow` before its change.
    package var trends: [PointID: TrendEstimate]

    package init(config: PriorityConfig, floors: [Floor], trends: [PointID: TrendEstimate] = [:]) {
        self.config = config
        self.floors = floors
        self.trends = trends
    }

    /// The priority of an event: its CI's impact on the floor that holds it, its severity and
    /// its point's trend.
    package func assess(_ e: Event) -> PriorityAssessment {
        let impact = floors.lazy.map { $0.impact(of: e.scope) }.first(where: \.onFloor) ?? ServiceImpact(ci: e.scope, onFloor: false, services: [])
        let trend = e.point.flatMap { trends[$0] } ?? .unknown
        return config.assess(severity: e.severity, trend: trend, impact: impact)
    }

    /// The decision with each new ticket's priority from the matrix — its number on the ticket,
    /// its reasons in the body and in the link's reason (what the event shows) — and a severity
    /// update's new priority assessed again.
    package func apply(_ d: IncidentDecision) -> IncidentDecision {
        var out = d
        let links = ([d.link, d.replaced].compactMap { $0 } + d.others)
        func event(of o: OpeningKey) -> Event? { links.first { $0.opening == o }?.event }
        var said: [String] = []
        out.actions = d.actions.map { a in
            var a = a
            switch a.action {
            case .open(var f):
                guard let e = event(of: a.key.opening) else { return a }
                let p = assess(e)
                f.priority = p.priority
                f.body += "\nPriority: \(p.label) — " + p.reasons.joined(separator: "; ")
                a.action = .open(f)
                said.append("\(p.label) (" + p.reasons.joined(separator: "; ") + ")")
            case .update(var u) where u.priority != nil:
                guard var e = event(of: a.key.opening) else { return a }
                if let s = u.severity { e.severity = s }
                let p = assess(e)
                u.priority = p.priority
                u.text += " Priority now \(p.label): " + p.reasons.joined(separator: "; ")
                a.action = .update(u)
            default: break
            }
            return a
        }
        // Remember each ticket's priority on its link.
        for a in out.actions {
            let p: Int?
            switch a.action {
            case .open(let f): p = f.priority
            case .update(let u): p = u.priority
            default: p = nil
            }
            guard let p else { continue }
            if out.link?.opening == a.key.opening { out.link?.priority = p }
            if let i = out.others.firstIndex(where: { $0.opening == a.key.opening }) { out.others[i].priority = p }
        }
        // A member joining a group's ticket raises the group's priority when its own is higher
        // (a critical member of a warning's ticket; a probe before a PDU's outlets): the group's
        // ticket carries the highest priority of what it holds.
        for a in d.actions where a.key.sequence.hasSuffix("/join") {
            guard let member = d.link, member.parent == a.key.opening,
                let i = out.others.firstIndex(where: { $0.opening == a.key.opening })
            else { continue }
            let parent = out.others[i]
            let current = parent.priority ?? assess(parent.event).priority
            let p = assess(member.event)
            guard p.priority < current else { continue }
            let text = "priority raised from P\(current) to \(p.label) by member \(member.event.scope): " + p.reasons.joined(separator: "; ")
            out.actions.append(
                OutboxAction(
                    key: ActionKey(opening: a.key.opening, action: "update", sequence: "\(member.opening)/priority"),
                    action: .update(TicketUpdate(text: text, severity: nil, priority: p.priority))))
            out.others[i].priority = p.priority
            said.append(text)
        }
        if !said.isEmpty {
            let text = said.joined(separator: "; ")
            out.reason += "; " + text
            if var l = out.link, l.reason == d.reason {
                l.reason = out.reason
                out.link = l
            }
        }
        return out
    }
}

extension ITSMService {
    /// The priority context of the changes after the cursor: the stored floors, and the trend
    /// of each firing event's point over the trend window before its change, judged against the
    /// direction its rule calls worse (``ITSMPlan/worseFalling``) with a deadband of 0.2 % of the
    /// reading per minute (0.05 °C/min at 27 °C: slower drift is steady).
    func priorityContext() async throws -> PriorityContext {
        let revision = try await store.floor.revision()
        let floors: [Floor]
        if let cached = floorCache.withLock({ $0 }), cached.revision == revision {
            floors = cached.floors
        } else {
            floors = try await store.floor.floors()
            floorCache.withLock { $0 = (revision, floors) }
        }
        var ctx = PriorityContext(config: plan.priority, floors: floors)
        let cursor = try await store.itsm.cursor(Self.consumer)
        let pending = try await store.events.changes(after: cursor, limit: 200)
        var seen = Set<PointID>()
        for c in pending where c.change.event.state == .firing {
            guard let point = c.change.event.point, seen.insert(point).inserted else { continue }
            let at = c.change.at
            let samples = try await store.samples.samples(point, from: at.adding(seconds: -plan.priority.trendWindow), to: at, limit: 2000)
                .filter { $0.quality == .good }
            guard let last = samples.last else { continue }
            let worse: Trend.Worse = plan.worseFalling.contains(c.change.event.ruleID) ? .falling : .rising
            ctx.trends[point] = Trend.of(
                samples: samples.map { ($0.time, $0.value) }, worseWhen: worse, deadband: abs(last.value) * 0.002)
        }
        return ctx
    }
}
