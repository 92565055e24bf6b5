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
    ///
    /// No correlation: every opening stands alone (``CorrelationContext/none``).
    public func decide(_ input: IncidentInput, link: IncidentLink?, now: Timestamp) -> IncidentDecision {
        decide(input, link: link, correlation: .none, now: now)
    }

    /// Decides as ``decide(_:link:now:)`` does, with the input's correlation group (issue 15):
    ///
    /// - An opening that would open a ticket joins instead the open ticket of another dedup
    ///   key's opening of the same rack or room first seen at most ``CorrelationPolicy/window``
    ///   before it (the parent): its link names the parent, the parent's link lists it, and a
    ///   note on the parent's ticket names it.
    /// - A member's later changes are notes on the parent's ticket, starting with its CI.
    /// - The group's ticket is resolved only when the parent and every member have cleared and
    ///   stayed clear for ``resolveAfter``; the members' links end with it.
    ///
    /// Links of other openings that the input changed come back in ``IncidentDecision/others``.
    public func decide(_ input: IncidentInput, link: IncidentLink?, correlation: CorrelationContext, now: Timestamp) -> IncidentDecision {
        switch input {
        case .change(let c, let seq, let window): onChange(c, seq: seq, window: window, link: link, context: correlation)
        case .tick: onTick(link, context: correlation, now: now)
        case .maintenanceEnded(let w): onMaintenanceEnded(w, link: link, context: correlation, now: now)
        case .operatorAction(let a): onOperator(a, link: link, context: correlation)
        case .closedInTool(let status, let at): onClosedInTool(status, at: at, link: link)
        }
    }

    /// The end of a hold-off that started at `since`.
    public func holdOffEnd(since: Timestamp) -> Timestamp { since.adding(seconds: resolveAfter) }

    // MARK: Changes

    func onChange(_ c: EventChange, seq: Int64, window: MaintenanceWindow?, link: IncidentLink?, context: CorrelationContext)
        -> IncidentDecision
    {
        if let link, let last = link.lastSeq, seq <= last {
            return IncidentDecision(actions: [], link: link, reason: "change #\(seq) already handled (last #\(last)): nothing to do")
        }
        let e = c.event
        let at = c.at
        let key = OpeningKey(e)
        let sq = "c\(seq)"
        var s = Step(link: link, context: context)
        // A hold-off that ended before this change settles first (a tick may not have come).
        settle(&s, at: at)
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
            updateMember(&s) {
                $0.clearedAt = nil
                $0.unconfirmed = false
                $0.severity = e.severity
            }
            s.say("re-fired within the hold-off: ticket \(l.ticketOpening) updated, no new incident")
            return s.decision
        }
        switch c.change {
        case .opened:
            if joining {
                s.emit(
                    .update(
                        TicketUpdate(text: "fired again at \(at) (a new opening, first seen \(key.firstSeen)): same ticket. \(e.message)")),
                    sq)
                s.say("a new opening while ticket \(l.ticketOpening) is open: joined it")
            } else {
                s.say("ticket \(l.ticketOpening) already open: nothing to do")
            }
        case .severityChanged:
            let text = "severity \(before.severity.rawValue) → \(e.severity.rawValue) at \(at): \(e.message)"
            updateMember(&s) { $0.severity = e.severity }
            if updateOnSeverityChange {
                s.emit(.update(TicketUpdate(text: text, severity: e.severity, priority: priority(of: e.severity))), sq)
                let below = e.severity < minimumSeverity ? " (below the minimum \(minimumSeverity.rawValue); the ticket stays open)" : ""
                s.say("severity changed to \(e.severity.rawValue): ticket \(l.ticketOpening) updated\(below)")
            } else {
                s.say("severity changed to \(e.severity.rawValue): not sent (update_on_severity_change: false)")
            }
        case .flappingStarted, .flappingEnded:
            let started = c.change == .flappingStarted
            let text = started ? "flapping since \(at): \(e.message)" : "stopped flapping at \(at); \(Self.state(e)): \(e.message)"
            if updateOnFlapping {
                s.emit(.update(TicketUpdate(text: text, severity: e.severity, priority: priority(of: e.severity))), sq)
                s.say("\(started ? "flapping started" : "flapping ended"): ticket \(l.ticketOpening) updated")
            } else {
                s.say("\(started ? "flapping started" : "flapping ended"): not sent (update_on_flapping: false)")
            }
        case .dataMissing:
            let inputs = (e.dataMissing ?? []).joined(separator: ", ")
            s.emit(
                .annotate(
                    "data missing at \(at): \(inputs.isEmpty ? "its inputs" : inputs) report no fresh good reading. The event still fires; "
                        + "the ticket is not resolved until fresh good readings show the condition cleared. \(e.message)"), sq)
            s.say("data missing: ticket \(l.ticketOpening) annotated, not resolved")
        case .dataReturned:
            s.emit(.annotate("data returned at \(at): the inputs report good readings again; \(Self.state(e)). \(e.message)"), sq)
            s.say("data returned: ticket \(l.ticketOpening) annotated")
        case .acknowledged, .annotated, .assigned, .silenced, .unsilenced:
            // Operators' actions reach the policy as `.operatorAction`, with their details.
            s.say("an operator's \(c.change.rawValue): handled as an operator action")
        case .resolved where l.parent != nil:
            memberCleared(&s, e, at: at, sq: sq)
        case .resolved:
            if let missing = e.dataMissing, !missing.isEmpty {
                s.link?.phase = .leftOpen(at: at)
                s.emit(
                    .annotate(
                        "the event closed at \(at) while data was missing (\(missing.joined(separator: ", "))): no evidence that the "
                            + "condition cleared, so the ticket is not resolved; close it by hand once checked. \(e.message)"), sq)
                s.say("closed while data missing: ticket \(l.opening) annotated, not resolved")
                if let l = s.link { endMembers(&s, of: l) }
            } else {
                s.link?.phase = .clearing(since: at)
                let firing = s.link.map(stillFiring) ?? []
                if !firing.isEmpty {
                    s.emit(
                        .annotate(
                            "cleared at \(at); the group's ticket stays open while \(Self.count(firing.count, "member")) still "
                                + "\(firing.count == 1 ? "fires" : "fire"): \(firing.joined(separator: ", ")). \(e.message)"), sq)
                    s.say("cleared at \(at): ticket \(l.opening) stays open while members still fire: \(firing.joined(separator: ", "))")
                } else if resolveAfter <= 0 {
                    expire(&s, since: s.link.flatMap(groupClearSince) ?? at)
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
        if var p = previous, p.parent == nil, case .resolved(let resolvedAt) = p.phase, reopenWithin > 0,
            c.at.seconds(since: resolvedAt) < reopenWithin,
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

    func onTick(_ link: IncidentLink?, context: CorrelationContext, now: Timestamp) -> IncidentDecision {
        guard var l = link else { return IncidentDecision(actions: [], link: nil, reason: "no incident link: nothing to do") }
        var ended: Silence?
        if let silence = l.silence, !silence.holds(at: now) {
            ended = silence
            l.silence = nil
        }
        var s = Step(link: l, context: context)
        if let parent = l.parent {
            // A member's ticket is its parent's: it ends when the group's hold-off does.
            settle(&s, at: now)
            if let m = s.link, m.phase == l.phase {
                let silence = ended.map { "silence by \($0.by) ended at \($0.until); " } ?? ""
                s.say("\(silence)member of the ticket of \(parent) (\(Self.describe(l.phase))): it ends with the group's ticket")
            }
            return s.decision
        }
        switch l.phase {
        case .clearing(let since):
            if let last = groupClearSince(l) {
                if now >= holdOffEnd(since: last) {
                    expire(&s, since: last)
                } else if last == since {
                    s.say("cleared at \(since): hold-off until \(holdOffEnd(since: since))")
                } else {
                    s.say("cleared at \(since), its last member at \(last): hold-off until \(holdOffEnd(since: last))")
                }
            } else {
                let firing = stillFiring(l).joined(separator: ", ")
                s.say("cleared at \(since): the group's ticket stays open while members still fire: \(firing)")
            }
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

    func onMaintenanceEnded(_ w: MaintenanceWindow, link: IncidentLink?, context: CorrelationContext, now: Timestamp) -> IncidentDecision {
        guard var l = link, case .withheld(.suppressed) = l.phase else {
            return IncidentDecision(
                actions: [], link: link, reason: "maintenance window on \(w.ci) ended: no suppressed event waiting, nothing to do")
        }
        l.event.suppressed = false
        var s = Step(link: l, context: context)
        evaluate(
            &s, notify: true, window: nil, at: now,
            trigger: "the maintenance window on \(w.ci) ended at \(w.end) while the event still fires")
        return s.decision
    }

    func onOperator(_ a: OperatorAction, link: IncidentLink?, context: CorrelationContext) -> IncidentDecision {
        guard var l = link, l.covers(a.opening) else {
            return IncidentDecision(
                actions: [], link: link,
                reason: "\(Self.describe(a.kind)) by \(a.by) on \(a.opening): no incident for that opening; it stays on the event")
        }
        let sq = "o\(a.id)"
        var s = Step(link: l, context: context)
        follow(&s)
        l = s.link ?? l
        if case .silence(let until, let why) = a.kind {
            l.silence = Silence(until: until, by: a.by, reason: why)
            s.link = l
            let text = "silenced by \(a.by) until \(until)\(why.isEmpty ? "" : " (\(why))")"
            if l.ticketOpen {
                s.emit(.update(TicketUpdate(text: "\(text): no new incident for this condition until then; this ticket stays open")), sq)
                s.say("\(text): ticket \(l.ticketOpening) updated")
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
            s.say("\(text): ticket \(l.ticketOpening) updated")
        } else if l.hasTicket {
            s.emit(.annotate(update.text), sq)
            s.say("\(text): ticket \(l.ticketOpening) is \(Self.describe(l.phase)), annotated")
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
        if l.parent == nil, l.group == nil, let parent = parentToJoin(l, s) {
            join(&s, parent: parent, trigger: trigger)
            return
        }
        l.phase = .open
        s.link = l
        s.emit(.open(fields(l.event, why: trigger)), "1")
        s.say(
            "\(trigger); \(l.event.severity.rawValue) is at or above the minimum \(minimumSeverity.rawValue): incident opened for \(l.opening)"
        )
    }

    /// The end of a hold-off of the link's ticket (`since`: when it, and its group's last
    /// member, cleared): resolve, or annotate only; a group's members end with it.
    func expire(_ s: inout Step, since: Timestamp) {
        guard let l = s.link else { return }
        expire(&s, l.opening, since: since)
    }

    /// The end of the hold-off of the ticket of `ticket` (the input's link or its parent).
    func expire(_ s: inout Step, _ ticket: OpeningKey, since: Timestamp) {
        guard var l = s.get(ticket) else { return }
        let end = holdOffEnd(since: since)
        let members = l.group?.members ?? []
        let stayed = resolveAfter > 0 ? " and stayed clear for \(Self.duration(resolveAfter))" : ""
        let cleared =
            members.isEmpty
            ? "cleared at \(since)\(stayed)"
            : "the first event and its \(Self.count(members.count, "member")) cleared, the last at \(since)\(stayed)"
        let sq = "t\(end.milliseconds)"
        let unconfirmed = members.filter(\.unconfirmed).map(Self.name)
        if !unconfirmed.isEmpty {
            l.phase = .leftOpen(at: end)
            s.put(l)
            s.emit(
                .annotate(
                    "\(cleared); not resolved: \(unconfirmed.joined(separator: ", ")) closed while its data was missing (no evidence that "
                        + "it cleared); close it by hand once checked. \(l.event.message)"), sq, on: ticket)
            s.say("\(cleared): ticket \(l.opening) annotated, not resolved (a member closed while its data was missing)")
        } else {
            switch onClear {
            case .resolve:
                l.phase = .resolved(at: end)
                s.put(l)
                s.emit(.resolve("\(cleared): resolved. \(l.event.message)"), sq, on: ticket)
                s.say("\(cleared): ticket \(l.opening) resolved")
            case .annotateOnly:
                l.phase = .leftOpen(at: end)
                s.put(l)
                s.emit(
                    .annotate("\(cleared); left open for a person to close (on_clear: annotate_only). \(l.event.message)"), sq, on: ticket)
                s.say("\(cleared): ticket \(l.opening) annotated, not resolved (on_clear: annotate_only)")
            }
        }
        endMembers(&s, of: l)
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

    // MARK: Correlation

    /// Settles what ended before `at`: the link's hold-off (a tick may not have come), or, for a
    /// member, its group's hold-off; a member whose group's ticket ended ends with it.
    func settle(_ s: inout Step, at: Timestamp) {
        guard let l = s.link else { return }
        let ticket = l.ticketOpening
        if let p = s.get(ticket), case .clearing = p.phase, let last = groupClearSince(p), at >= holdOffEnd(since: last) {
            expire(&s, ticket, since: last)
        }
        follow(&s)
    }

    /// A member whose parent's ticket ended (resolved, left open) ends with it.
    func follow(_ s: inout Step) {
        guard var l = s.link, let parent = l.parent, !l.isFinished, let p = s.get(parent), p.isFinished else { return }
        l.phase = p.phase
        s.link = l
        s.say("the group's ticket \(parent) is \(Self.describe(p.phase)): this member ended with it")
    }

    /// When the group's hold-off started: nil while the parent or a member fires; else the
    /// latest of their clears (the parent's own for a lone ticket).
    func groupClearSince(_ p: IncidentLink) -> Timestamp? {
        guard case .clearing(let since) = p.phase else { return nil }
        var last = since
        for m in p.group?.members ?? [] {
            guard let cleared = m.clearedAt else { return nil }
            last = max(last, cleared)
        }
        return last
    }

    /// Who of a group still fires: the parent (while open) and members not cleared, by name.
    func stillFiring(_ p: IncidentLink) -> [String] {
        var names: [String] = []
        if case .open = p.phase, p.group != nil { names.append("\(p.event.scope) (\(p.event.ruleID), the first)") }
        names += (p.group?.members ?? []).filter { $0.clearedAt == nil && !$0.unconfirmed }.map(Self.name)
        return names
    }

    /// The members of a ticket's group end with it: their links take its phase.
    func endMembers(_ s: inout Step, of p: IncidentLink) {
        for m in p.group?.members ?? [] {
            guard var l = s.get(m.opening), l.parent == p.opening, !l.isFinished else { continue }
            l.phase = p.phase
            l.reason = "the group's ticket \(p.opening) is \(Self.describe(p.phase)): this member ended with it"
            s.put(l)
        }
    }

    /// Changes the parent's record of the input's member (when the parent is known).
    func updateMember(_ s: inout Step, _ change: (inout GroupMember) -> Void) {
        guard let l = s.link, let parent = l.parent, var p = s.get(parent), var g = p.group,
            let i = g.members.firstIndex(where: { $0.opening == l.opening })
        else { return }
        change(&g.members[i])
        p.group = g
        s.put(p)
    }

    /// A member's event cleared (or closed while its data was missing): a note on the group's
    /// ticket saying who still fires, or when the ticket resolves.
    func memberCleared(_ s: inout Step, _ e: Event, at: Timestamp, sq: String) {
        guard let l = s.link, let parent = l.parent else { return }
        let missing = e.dataMissing ?? []
        let unconfirmed = !missing.isEmpty
        s.link?.phase = unconfirmed ? .leftOpen(at: at) : .clearing(since: at)
        updateMember(&s) {
            $0.clearedAt = at
            $0.unconfirmed = unconfirmed
        }
        let p = s.get(parent)
        let firing = p.map(stillFiring) ?? []
        var text =
            unconfirmed
            ? "closed at \(at) while data was missing (\(missing.joined(separator: ", "))): no evidence that it cleared, so the "
                + "policy will not resolve this ticket; close it by hand once checked."
            : "cleared at \(at)."
        let last = p.flatMap(groupClearSince)
        if !firing.isEmpty {
            text += " Still firing: \(firing.joined(separator: ", ")); the ticket stays open."
        } else if let last, !unconfirmed {
            let then = onClear == .resolve ? "resolves" : "is annotated (on_clear: annotate_only)"
            text += " The first event and every member have cleared: the ticket \(then) at \(holdOffEnd(since: last)) if they stay clear."
        }
        s.emit(.annotate("\(text) \(e.message)"), sq)
        s.say(
            "member \(unconfirmed ? "closed while data missing" : "cleared at \(at)"): ticket \(parent) annotated"
                + (firing.isEmpty ? "" : "; it stays open while \(firing.joined(separator: ", ")) still fire"))
        if firing.isEmpty, resolveAfter <= 0, let last { expire(&s, parent, since: last) }
    }

    /// The open ticket a new opening joins instead of opening its own: another dedup key's
    /// opening of the same rack or room, itself no member, whose ticket is open, first seen at
    /// most the window before it — the earliest such.
    func parentToJoin(_ l: IncidentLink, _ s: Step) -> (link: IncidentLink, key: CIID)? {
        let policy = s.context.policy
        guard policy.by != .off, let key = policy.groupKey(of: l.event) else { return nil }
        let candidates = s.context.links.filter { p in
            p.opening.dedupKey != l.opening.dedupKey && p.parent == nil && p.ticketOpen
                && (p.group?.key ?? policy.groupKey(of: p.event)) == key && policy.within(l.opening.firstSeen, after: p.opening.firstSeen)
        }
        let first = candidates.min { a, b in
            (a.opening.firstSeen, a.opening.dedupKey) < (b.opening.firstSeen, b.opening.dedupKey)
        }
        return first.map { ($0, key) }
    }

    /// The link's opening joins the parent's ticket as its next member: a note on that ticket
    /// names it, no ticket of its own.
    func join(_ s: inout Step, parent: (link: IncidentLink, key: CIID), trigger: String) {
        guard var l = s.link else { return }
        var p = parent.link
        let e = l.event
        var g = p.group ?? CorrelationGroup(key: parent.key, by: s.context.policy.by)
        g.members.append(GroupMember(opening: l.opening, ci: e.scope, severity: e.severity))
        p.group = g
        let n = g.members.count
        l.parent = p.opening
        l.phase = .open
        s.link = l
        s.put(p)
        let group = "group \(g.key) (by \(g.by.rawValue))"
        s.emit(
            .annotate(
                "joined as member \(n) of \(group): \(e.dedupKey) on \(e.scope), \(e.severity.rawValue), first seen \(e.firstSeen)"
                    + " (\(Self.duration(l.opening.firstSeen.seconds(since: p.opening.firstSeen))) after this ticket's first event): "
                    + "\(e.message)"), "join", on: p.opening, member: l.opening)
        s.say(
            "\(trigger); first seen within \(Self.duration(s.context.policy.window)) of \(p.opening) in \(group): "
                + "member \(n) of its ticket, no incident of its own")
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

    /// `1 member`, `3 members`.
    static func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// A member by its CI and rule: `DC-R05-TH3 (inlet-hot)`.
    static func name(_ m: GroupMember) -> String {
        let rule = m.opening.dedupKey.split(separator: "|", maxSplits: 1).first.map(String.init) ?? m.opening.dedupKey
        return "\(m.ci) (\(rule))"
    }
}

/// The decision being built: actions keyed by the ticket's opening (a member's parent's),
/// reasons in order, and the other links of the group it changed.
struct Step {
    var link: IncidentLink?
    var actions: [OutboxAction] = []
    var reasons: [String] = []
    /// The link of an earlier opening that a new opening replaced.
    var replaced: IncidentLink?
    /// The correlation group as given.
    let context: CorrelationContext
    /// Links of other openings changed so far, in the order first changed.
    var others: [IncidentLink] = []

    init(link: IncidentLink?, context: CorrelationContext = .none) {
        self.link = link
        self.context = context
    }

    /// The latest state of an opening's link: the input's, one changed so far, or as given.
    func get(_ opening: OpeningKey) -> IncidentLink? {
        if let l = link, l.opening == opening { return l }
        if let l = others.first(where: { $0.opening == opening }) { return l }
        return context.links.first { $0.opening == opening }
    }

    /// Records a changed link: the input's own, or another of the group.
    mutating func put(_ l: IncidentLink) {
        if link?.opening == l.opening {
            link = l
        } else if let i = others.firstIndex(where: { $0.opening == l.opening }) {
            others[i] = l
        } else {
            others.append(l)
        }
    }

    /// An action on the link's ticket. A member's goes to its parent's ticket as a note that
    /// starts with its CI (an acknowledgement or assignment keeps its field), its sequence
    /// prefixed with its own opening.
    mutating func emit(_ a: IncidentAction, _ sequence: String) {
        guard let l = link else { return }
        guard let parent = l.parent else {
            emit(a, sequence, on: l.opening)
            return
        }
        let note: IncidentAction
        switch a {
        case .update(var u) where u.assignee != nil || u.acknowledgedBy != nil:
            u.text = "\(l.event.scope): \(u.text)"
            (u.severity, u.priority) = (nil, nil)
            note = .update(u)
        default:
            note = .annotate("\(l.event.scope): \(a.text)")
        }
        emit(note, sequence, on: parent, member: l.opening)
    }

    /// An action on the ticket of `opening`, as it is; `member`'s own sequence when a member's.
    mutating func emit(_ a: IncidentAction, _ sequence: String, on opening: OpeningKey, member: OpeningKey? = nil) {
        let sq = member.map { "\($0)/\(sequence)" } ?? sequence
        actions.append(OutboxAction(key: ActionKey(opening: opening, action: a.name, sequence: sq), action: a))
    }

    mutating func say(_ reason: String) { reasons.append(reason) }

    var decision: IncidentDecision {
        let reason = reasons.joined(separator: "; then ")
        var l = link
        l?.reason = reason
        return IncidentDecision(actions: actions, link: l, reason: reason, replaced: replaced, others: others)
    }
}
