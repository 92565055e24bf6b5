import ContaminationRules
public import Telemetry

extension IncidentPolicy {
    /// A ticket closed by a person in the ITSM tool (issue 15, both directions). Never silent:
    /// - the event still fires: the ticket is reopened with a note saying why (a closed ticket
    ///   for a live anomaly is how anomalies get lost);
    /// - the event cleared and its hold-off runs: the person's close stands (resolved early);
    /// - the ticket was deleted: it is left alone (a reply would bring it back), and the link
    ///   says so for the people who read the event.
    func onClosedInTool(_ status: String, at: Timestamp, link: IncidentLink?) -> IncidentDecision {
        guard let l = link, l.ticketOpen else {
            return IncidentDecision(
                actions: [], link: link, reason: link?.reason ?? "ticket \(status) in the ITSM tool: no open incident, nothing to do")
        }
        var s = Step(link: l)
        let sq = "h\(at.milliseconds)"
        switch l.phase {
        case .clearing(let since):
            s.link?.phase = .resolved(at: at)
            s.say("ticket \(l.opening) \(status) by hand in the ITSM tool at \(at), during the hold-off after the event cleared at \(since): the close stands")
        default:
            if status == "deleted" {
                s.link?.phase = .leftOpen(at: at)
                s.say(
                    "ticket \(l.opening) deleted by hand in the ITSM tool at \(at) while the event still fires (\(Self.state(l.event))): "
                        + "not reopened; the event stays open here and needs a person")
            } else if onClosedByHand == .new, l.group?.members.isEmpty ?? true {
                // The closed ticket stays closed; the anomaly gets a new incident, its opening
                // the time the close was seen (so the tool finds no ticket for it yet), the
                // event's own opening joined to it so its later changes reach the new ticket.
                var old = l
                old.phase = .leftOpen(at: at)
                old.reason = "ticket \(l.opening) \(status) by hand in the ITSM tool at \(at) while the event still fires: a new incident opened (on_closed_by_hand: new)"
                s.replaced = old
                var fresh = IncidentLink(
                    opening: OpeningKey(dedupKey: l.opening.dedupKey, firstSeen: at), joined: [l.opening.firstSeen] + l.joined, phase: .open,
                    event: l.event, silence: l.silence, lastSeq: l.lastSeq)
                s.link = fresh
                s.emit(
                    .open(
                        fields(
                            l.event,
                            why: "the incident for this anomaly (opening \(l.opening)) was \(status) by hand at \(at) while it still fires (on_closed_by_hand: new)")),
                    "1")
                s.say("ticket \(l.opening) \(status) by hand in the ITSM tool at \(at) while the event still fires: a new incident opened")
            } else {
                s.emit(
                    .reopen(
                        "\(status) by hand at \(at), but the anomaly still fires: reopened (\(Self.state(l.event)): \(l.event.message)). "
                            + "DCAgent resolves this ticket itself once fresh readings show the condition cleared."), sq)
                s.say("ticket \(l.opening) \(status) by hand in the ITSM tool at \(at) while the event still fires: reopened")
            }
        }
        return s.decision
    }
}
