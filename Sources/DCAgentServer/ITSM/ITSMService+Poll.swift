import AgentStore
import ContaminationRules
import Foundation
import ITSMLink
package import Telemetry
import Logging

/// Both directions (issue 15): the ITSM tool's own state of each open ticket is read back
/// every `itsm.poll_every`; a ticket a person resolved, rejected or deleted there is given to
/// the policy, which reopens it while its event fires, lets the close stand during a hold-off,
/// and never lets it pass silently (the link's reason, shown on the event, says what happened).
extension ITSMService {
    /// Reads the state of the open tickets at the target; returns how many were closed by hand.
    @discardableResult
    package func pollTickets(now: Timestamp) async throws -> Int {
        guard let rt else { return 0 }  // built-in tickets are closed through the agent only
        let target = self.target
        var closed = 0
        for row in try await store.itsm.activeLinks(target: target) {
            guard let ref = row.ticket, let id = Int(ref), let json = row.policy,
                let link = try? JSONDecoder().decode(IncidentLink.self, from: json), link.ticketOpen, link.parent == nil
            else { continue }  // a correlation group's members ride its parent's ticket: read once, for the parent
            let status: String
            do { status = try await rt.ticket(id).status } catch {
                logger.warning("itsm: reading RT ticket \(id) back failed (\(error)); tried again at the next poll")
                if case .unreachable = error { break }
                continue
            }
            guard ["resolved", "rejected", "deleted"].contains(status) else { continue }
            let d = plan.policy.decide(.closedInTool(status: status, at: now), link: link, now: now)
            let items = try d.actions.map { try Self.item($0, target: target, eventID: row.eventID) }
            let links = try [d.link, d.replaced].compactMap { $0 }.map { try Self.row($0, target: target, eventID: row.eventID, reason: d.reason, at: now) }
            try await store.itsm.apply(items, links: links, now: now)
            logger.warning("itsm: RT ticket \(id) was \(status) by hand: \(d.reason)")
            closed += 1
        }
        return closed
    }
}
