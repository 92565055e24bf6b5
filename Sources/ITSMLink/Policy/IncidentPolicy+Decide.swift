import ContaminationRules
public import Telemetry

extension IncidentPolicy {
    /// Decides what one input does to the ticket of a condition: the outbox actions, the link's
    /// new state and why. Pure: the same input, link and `now` always give the same decision,
    /// with the same action keys.
    ///
    /// - `link`: the latest link of the input's dedup key, nil when there is none.
    /// - `now`: the time of a tick, a window's end; a change is judged at its own time
    ///   (``EventChange/at``), an operator action at its own (``OperatorAction/at``).
    public func decide(_ input: IncidentInput, link: IncidentLink?, now: Timestamp) -> IncidentDecision {
        switch input {
        case .change(let c, let seq, let window): onChange(c, seq: seq, window: window, link: link)
        case .tick: onTick(link, now: now)
        case .maintenanceEnded(let w): onMaintenanceEnded(w, link: link, now: now)
        case .operatorAction(let a): onOperator(a, link: link)
        case .closedInTool(let status, let at): onClosedInTool(status, at: at, link: link)
        }
    }

    /// The end of a hold-off that started at `since`.
    public func holdOffEnd(since: Timestamp) -> Timestamp { since.adding(seconds: resolveAfter) }

    // MARK: Changes

    func onChange(_ c: EventChange, seq: Int64, window: MaintenanceWindow?, link: IncidentLink?) -> IncidentDecision {
        if let link, let last = link.lastSeq, seq <= last {
            return IncidentDecision(actions: [], link: link, reason: "change #\(seq) already handled (last #\(last)): nothing to do")
        }
        let e = c.event
        let at = c.at
        let key = OpeningKey(e)
        let sq = "c\(seq)"
        var s = Step(link: link)
        // A hold-off that ended before this change settles first (a tick may not have come).
        if let l = s.link, case .clearing(let since) = l.phase, at >= holdOffEnd(since: since) { expire(&s, since: since) }
        guard var l = s.link, l.covers(key) || l.ticketOpen else {
            // No link, or one of an earlier opening that is done: this opening starts afresh.
            newOpening(&s, c, window: window, sq: sq)
            s.link?.lastSeq = seq
            return s.decision
        }
        if l.isFinished {
            s.say("opening \(key) already \(Self.describe(l.phase)): nothing to do")
            l.lastSeq = seq
            s.link = l
            return s.decision
        }
        let joining = !l.covers(key)
        if joining { l.joined.append(key.firstSeen) }
        let before = l.event
        l.event = e
        l.lastSeq = seq
        s.link = l
        if case .withheld = l.phase {
            if e.state == .resolved {
                s.link?.phase = .cleared(at: at)
                s.say("cleared at \(at) before an incident was opened (\(l.reason)): no incident")
            } else {
                evaluate(&s, notify: c.notify, window: window, at: at, trigger: Self.trigger(c, before: before))
            }
            return s.decision
        }
        // The ticket is open (firing or in its hold-off).
        if e.state == .firing, case .clearing(let since) = l.phase {
            s.link?.phase = .open
            let opening = joining ? " (a new opening, first seen \(key.firstSeen))" : ""
            s.emit(
                .update(
                    TicketUpdate(
                        text:
                            "fired again at \(at)\(opening), within the \(Self.duration(resolveAfter)) hold-off after it cleared at \(since): "
                            + "same ticket. \(Self.state(e)): \(e.message)", severity: e.severity, priority: priority(of: e.severity))), sq)
            s.say("re-fired within the hold-off: ticket \(l.opening) updated, no new incident")
            return s.decision
        }
        switch c.change {
        case .opened:
            if joining {
                s.emit(
                    .update(
                        TicketUpdate(text: "fired again at \(at) (a new opening, first seen \(key.firstSeen)): same ticket. \(e.message)")),
                    sq)
                s.say("a new opening while ticket \(l.opening) is open: joined it")
            } else {
                s.say("ticket \(l.opening) already open: nothing to do")
            }
        case .severityChanged:
            let text = "severity \(before.severity.rawValue) → \(e.severity.rawValue) at \(at): \(e.message)"
            if updateOnSeverityChange {
                s.emit(.update(TicketUpdate(text: text, severity: e.severity, priority: priority(of: e.severity))), sq)
                let below = e.severity < minimumSeverity ? " (below the minimum \(minimumSeverity.rawValue); the ticket stays open)" : ""
                s.say("severity changed to \(e.severity.rawValue): ticket \(l.opening) updated\(below)")
            } else {
                s.say("severity changed to \(e.severity.rawValue): not sent (update_on_severity_change: false)")
            }
        case .flappingStarted, .flappingEnded:
            let started = c.change == .flappingStarted
            let text = started ? "flapping since \(at): \(e.message)" : "stopped flapping at \(at); \(Self.state(e)): \(e.message)"
            if updateOnFlapping {
                s.emit(.update(TicketUpdate(text: text, severity: e.severity, priority: priority(of: e.severity))), sq)
                s.say("\(started ? "flapping started" : "flapping ended"): ticket \(l.opening) updated")
            } else {
                s.say("\(started ? "flapping started" : "flapping ended"): not sent (update_on_flapping: false)")
            }
        case .dataMissing:
            let inputs = (e.dataMissing ?? []).joined(separator: ", ")
            s.emit(
                .annotate(
                    "data missing at \(at): \(inputs.isEmpty ? "its inputs" : inputs) report no fresh good reading. The event still fires; "
                        + "the ticket is not resolved until fresh good readings show the condition cleared. \(e.message)"), sq)
            s.say("data missing: ticket \(l.opening) annotated, not resolved")
        case .dataReturned:
            s.emit(.annotate("data returned at \(at): the inputs report good readings again; \(Self.state(e)). \(e.message)"), sq)
            s.say("data returned: ticket \(l.opening) annotated")
        case .acknowledged, .annotated, .assigned, .silenced, .unsilenced:
            // Operators' actions reach the policy as `.operatorAction`, with their details.
            s.say("an operator's \(c.change.rawValue): handled as an operator action")
        case .resolved:
            if let missing = e.dataMissing, !missing.isEmpty {
                s.link?.phase = .leftOpen(at: at)
                s.emit(
                    .annotate(
                        "the event closed at \(at) while data was missing (\(missing.joined(separator: ", "))): no evidence that the "
                            + "condition cleared, so the ticket is not resolved; close it by hand once checked. \(e.message)"), sq)
                s.say("closed while data missing: ticket \(l.opening) annotated, not resolved")
            } else {
                s.link?.phase = .clearing(since: at)
                if resolveAfter <= 0 {
                    expire(&s, since: at)
                } else {
                    let then = onClear == .resolve ? "resolves" : "is annotated (on_clear: annotate_only)"
                    s.say(
                        "cleared at \(at): ticket \(l.opening) \(then) at \(holdOffEnd(since: at)) if it stays clear "
                            + "(resolve_after \(Self.duration(resolveAfter)))")
                }
            }
        }
        return s.decision
    }

    /// A change of an opening with no live link: a new ticket, a reopened one, or none.
    func newOpening(_ s: inout Step, _ c: EventChange, window: MaintenanceWindow?, sq: String) {
        let e = c.event
        let key = OpeningKey(e)
        let previous = s.link
        guard e.state == .firing else {
            s.say("opening \(key) resolved with no incident: nothing to do")
            return
        }
        let silence = previous?.silence.flatMap { $0.holds(at: c.at) ? $0 : nil }
        if var p = previous, case .resolved(let resolvedAt) = p.phase, reopenWithin > 0, c.at.seconds(since: resolvedAt) < reopenWithin,
            withheld(e, notify: c.notify, window: window, silence: silence, at: c.at) == nil
        {
            p.joined.append(key.firstSeen)
            p.phase = .open
            p.event = e
            s.link = p
            s.emit(
                .reopen(
                    "fired again at \(c.at) (a new opening, first seen \(key.firstSeen)), \(Self.duration(c.at.seconds(since: resolvedAt))) "
                        + "after the ticket was resolved (reopen_within \(Self.duration(reopenWithin))). \(Self.state(e)): \(e.message)"),
                sq)
            s.say("re-fired within reopen_within: ticket \(p.opening) reopened, no new incident")
            return
        }
        if let p = previous { s.replaced = p }
        s.link = IncidentLink(opening: key, phase: .withheld(.belowMinimum), event: e, silence: silence)
        evaluate(&s, notify: c.notify, window: window, at: c.at, trigger: Self.trigger(c, before: nil))
    }

    // MARK: The clock, windows, operators

    func onTick(_ link: IncidentLink?, now: Timestamp) -> IncidentDecision {
        guard var l = link else { return IncidentDecision(actions: [], link: nil, reason: "no incident link: nothing to do") }
        var ended: Silence?
        if let silence = l.silence, !silence.holds(at: now) {
            ended = silence
            l.silence = nil
        }
        var s = Step(link: l)
        switch l.phase {
        case .clearing(let since) where now >= holdOffEnd(since: since):
            expire(&s, since: since)
        case .clearing(let since):
            s.say("cleared at \(since): hold-off until \(holdOffEnd(since: since))")
        case .withheld(.silenced) where ended != nil:
            let silence = ended!
            evaluate(
                &s, notify: !l.event.suppressed, window: nil, at: now,
                trigger: "the silence by \(silence.by) ended at \(silence.until) while the event still fires")
        default:
            s.say(
                ended.map { "silence by \($0.by) ended at \($0.until); nothing else to do" } ?? "\(Self.describe(l.phase)): nothing to do")
        }
        return s.decision
    }

    func onMaintenanceEnded(_ w: MaintenanceWindow, link: IncidentLink?, now: Timestamp) -> IncidentDecision {
        guard var l = link, case .withheld(.suppressed) = l.phase else {
            return IncidentDecision(
                actions: [], link: link, reason: "maintenance window on \(w.ci) ended: no suppressed event waiting, nothing to do")
        }
        l.event.suppressed = false
        var s = Step(link: l)
        evaluate(
            &s, notify: true, window: nil, at: now,
            trigger: "the maintenance window on \(w.ci) ended at \(w.end) while the event still fires")
        return s.decision
    }

    func onOperator(_ a: OperatorAction, link: IncidentLink?) -> IncidentDecision {
        guard var l = link, l.covers(a.opening) else {
            return IncidentDecision(
                actions: [], link: link,
                reason: "\(Self.describe(a.kind)) by \(a.by) on \(a.opening): no incident for that opening; it stays on the event")
        }
        let sq = "o\(a.id)"
        var s = Step(link: l)
        if case .silence(let until, let why) = a.kind {
            l.silence = Silence(until: until, by: a.by, reason: why)
            s.link = l
            let text = "silenced by \(a.by) until \(until)\(why.isEmpty ? "" : " (\(why))")"
            if l.ticketOpen {
                s.emit(.update(TicketUpdate(text: "\(text): no new incident for this condition until then; this ticket stays open")), sq)
                s.say("\(text): ticket \(l.opening) updated")
            } else if case .withheld = l.phase {
                if case let (kind, reason)? = withheld(l.event, notify: !l.event.suppressed, window: nil, silence: l.silence, at: a.at) {
                    s.link?.phase = .withheld(kind)
                    s.say("\(reason): no incident opened")
                }
            } else {
                s.say("\(text): later openings until then open no incident")
            }
            return s.decision
        }
        let (text, update): (String, TicketUpdate) =
            switch a.kind {
            case .acknowledge:
                ("acknowledged by \(a.by) at \(a.at)", TicketUpdate(text: "acknowledged by \(a.by) at \(a.at)", acknowledgedBy: a.by))
            case .note(let note): ("note by \(a.by)", TicketUpdate(text: "note by \(a.by) at \(a.at): \(note)"))
            case .assign(let to):
                ("assigned to \(to) by \(a.by)", TicketUpdate(text: "assigned to \(to) by \(a.by) at \(a.at)", assignee: to))
            case .silence: ("", TicketUpdate(text: ""))
            }
        if l.ticketOpen {
            s.emit(.update(update), sq)
            s.say("\(text): ticket \(l.opening) updated")
        } else if l.hasTicket {
            s.emit(.annotate(update.text), sq)
            s.say("\(text): ticket \(l.opening) is \(Self.describe(l.phase)), annotated")
        } else {
            s.say("\(text): no incident for this event (\(Self.describe(l.phase))); it stays on the event")
        }
        return s.decision
    }

    // MARK: Shared steps

    /// Why a firing event opens no incident now, or nil when it opens one. All reasons are
    /// named; the first (suppressed, silenced, below the minimum) is the phase.
    func withheld(_ e: Event, notify: Bool, window: MaintenanceWindow?, silence: Silence?, at: Timestamp) -> (
        IncidentLink.Withheld, String
    )? {
        var reasons: [(IncidentLink.Withheld, String)] = []
        if !notify || e.suppressed {
            let text =
                window.map { "suppressed by maintenance window on \($0.ci) until \($0.end)\($0.reason.isEmpty ? "" : " (\($0.reason))")" }
                ?? "suppressed by a maintenance window on its CI or room"
            reasons.append((.suppressed, text))
        }
        if let silence, silence.holds(at: at) {
            reasons.append(
                (.silenced, "silenced by \(silence.by) until \(silence.until)\(silence.reason.isEmpty ? "" : " (\(silence.reason))")"))
        }
        if e.severity < minimumSeverity {
            reasons.append((.belowMinimum, "\(e.severity.rawValue) is below the minimum severity \(minimumSeverity.rawValue)"))
        }
        guard let first = reasons.first else { return nil }
        return (first.0, reasons.map(\.1).joined(separator: "; "))
    }

    /// Opens the ticket of the link's event, or records why not.
    func evaluate(_ s: inout Step, notify: Bool, window: MaintenanceWindow?, at: Timestamp, trigger: String) {
        guard var l = s.link else { return }
        if case let (kind, reason)? = withheld(l.event, notify: notify, window: window, silence: l.silence, at: at) {
            l.phase = .withheld(kind)
            s.link = l
            s.say("\(reason): no incident opened")
            return
        }
        l.phase = .open
        s.link = l
        s.emit(.open(fields(l.event, why: trigger)), "1")
        s.say(
            "\(trigger); \(l.event.severity.rawValue) is at or above the minimum \(minimumSeverity.rawValue): incident opened for \(l.opening)"
        )
    }

    /// The end of a hold-off: resolve, or annotate only.
    func expire(_ s: inout Step, since: Timestamp) {
        guard let l = s.link else { return }
        let end = holdOffEnd(since: since)
        let cleared = resolveAfter > 0 ? "cleared at \(since) and stayed clear for \(Self.duration(resolveAfter))" : "cleared at \(since)"
        let sq = "t\(end.milliseconds)"
        switch onClear {
        case .resolve:
            s.link?.phase = .resolved(at: end)
            s.emit(.resolve("\(cleared): resolved. \(l.event.message)"), sq)
            s.say("\(cleared): ticket \(l.opening) resolved")
        case .annotateOnly:
            s.link?.phase = .leftOpen(at: end)
            s.emit(.annotate("\(cleared); left open for a person to close (on_clear: annotate_only). \(l.event.message)"), sq)
            s.say("\(cleared): ticket \(l.opening) annotated, not resolved (on_clear: annotate_only)")
        }
    }

    /// A new ticket's fields.
    func fields(_ e: Event, why: String) -> TicketFields {
        let head = "\(e.severity.rawValue.uppercased()) \(e.ruleID) on \(e.scope): \(e.message)"
        let subject = head.count <= TicketFields.subjectLimit ? head : String(head.prefix(TicketFields.subjectLimit - 1)) + "…"
        var lines = [e.message, ""]
        lines.append("Rule: \(e.ruleID) (\(e.kind.rawValue)), severity \(e.severity.rawValue)\(e.flapping ? ", flapping" : "")")
        var where_ = "CI: \(e.scope)"
        if let p = e.point { where_ += ", point \(p)" }
        if let r = e.rack { where_ += ", rack \(r)" }
        if let r = e.room { where_ += ", room \(r)" }
        lines.append(where_)
        lines.append("First seen: \(e.firstSeen); last seen: \(e.lastSeen); count \(e.count)")
        if let missing = e.dataMissing, !missing.isEmpty { lines.append("Data missing: \(missing.joined(separator: ", "))") }
        if !e.evidence.isEmpty {
            lines.append("Evidence:")
            for r in e.evidence { lines.append("  \(r.point) = \(r.value) (\(r.quality)) at \(r.time)") }
        }
        lines.append("Opened because: \(why)")
        lines.append("Dedup key: \(e.dedupKey); opening \(OpeningKey(e))")
        return TicketFields(
            subject: subject, body: lines.joined(separator: "\n"), priority: priority(of: e.severity), ci: e.scope, severity: e.severity,
            dedupKey: e.dedupKey, firstSeen: e.firstSeen)
    }

    // MARK: Words

    static func trigger(_ c: EventChange, before: Event?) -> String {
        let e = c.event
        switch c.change {
        case .opened: return "fired at \(c.at)"
        case .severityChanged: return "severity \(before.map { "\($0.severity.rawValue) → " } ?? "")\(e.severity.rawValue) at \(c.at)"
        case .flappingStarted: return "started flapping at \(c.at)"
        case .flappingEnded: return "stopped flapping at \(c.at), still firing"
        case .dataMissing: return "data went missing at \(c.at), still firing"
        case .dataReturned: return "data returned at \(c.at), still firing"
        case .resolved: return "resolved at \(c.at)"
        case .acknowledged, .annotated, .assigned, .silenced, .unsilenced: return "\(c.change.rawValue) at \(c.at)"
        }
    }

    static func state(_ e: Event) -> String {
        e.state == .firing ? "still firing (\(e.severity.rawValue)\(e.flapping ? ", flapping" : ""))" : "resolved"
    }

    static func describe(_ p: IncidentLink.Phase) -> String {
        switch p {
        case .withheld(let w): "withheld (\(w.rawValue))"
        case .open: "open"
        case .clearing(let since): "clearing since \(since)"
        case .resolved(let at): "resolved at \(at)"
        case .leftOpen(let at): "left open at \(at)"
        case .cleared(let at): "cleared at \(at) without an incident"
        }
    }

    static func describe(_ k: OperatorAction.Kind) -> String {
        switch k {
        case .acknowledge: "acknowledgement"
        case .note: "note"
        case .assign(let to): "assignment to \(to)"
        case .silence(let until, _): "silence until \(until)"
        }
    }

    static func duration(_ seconds: Double) -> String { RuleDuration(seconds: seconds).description }
}

/// The decision being built: actions keyed by the link's opening, reasons in order.
struct Step {
    var link: IncidentLink?
    var actions: [OutboxAction] = []
    var reasons: [String] = []
    /// The link of an earlier opening that a new opening replaced.
    var replaced: IncidentLink?

    init(link: IncidentLink?) { self.link = link }

    mutating func emit(_ a: IncidentAction, _ sequence: String) {
        guard let l = link else { return }
        actions.append(OutboxAction(key: ActionKey(opening: l.opening, action: a.name, sequence: sequence), action: a))
    }

    mutating func say(_ reason: String) { reasons.append(reason) }

    var decision: IncidentDecision {
        let reason = reasons.joined(separator: "; then ")
        var l = link
        l?.reason = reason
        return IncidentDecision(actions: actions, link: l, reason: reason, replaced: replaced)
    }
}
