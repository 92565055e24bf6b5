public import Telemetry

/// The persisted state of one condition (one dedup key): sustain timers, the firing severity,
/// the open event and the recent transitions for flapping detection.
public struct AlertState: Hashable, Sendable, Codable {
    /// The rule that owns it.
    public var ruleID: String
    /// The rule's kind.
    public var kind: RuleKindName
    /// The CI it concerns.
    public var scope: CIID
    /// The point it concerns, if one.
    public var point: PointID?
    /// The room of the scope.
    public var room: CIID?
    /// The rack the scope is or is mounted in (nil in a state saved before racks were recorded).
    public var rack: CIID?
    /// The severity currently firing (the truth under a flapping event), nil when clear.
    public var active: Severity?
    /// Since when the condition has continuously breached each level (sustain timers).
    public var breachSince: [Severity: Timestamp] = [:]
    /// The latest verdict.
    var verdict: Verdict = .normal
    /// The latest message and evidence, used when a sustain timer expires on `tick`.
    public var message: String = ""
    /// The latest evidence.
    public var evidence: [Reading] = []
    /// The open event (firing, possibly flapping), nil when none.
    public var event: Event?
    /// Times of recent fire/resolve transitions (within the flapping window).
    public var transitions: [Timestamp] = []
    /// True while the condition flaps.
    public var flapping: Bool = false
    /// The inputs that made it fire and have not since shown, by a fresh good reading, that
    /// they cleared: the evidence a resolution needs (stored optional: older states decode).
    var inputsSeen: [PointID]?
    /// ``inputsSeen``, sorted, never nil.
    public var inputs: [PointID] {
        get { inputsSeen ?? [] }
        set { inputsSeen = newValue.isEmpty ? nil : newValue }
    }

    init(ruleID: String, kind: RuleKindName, scope: CIID, point: PointID?, room: CIID?, rack: CIID?) {
        self.ruleID = ruleID
        self.kind = kind
        self.scope = scope
        self.point = point
        self.room = room
        self.rack = rack
    }

    /// Marks or unmarks the open event as firing without evidence (``Event/dataMissing``),
    /// emitting a change when that flips while it fires. `gaps` say, per input, why it is no
    /// evidence; the event's message gets them after its latest verdict's message.
    mutating func mark(_ gaps: [EvidenceGap], wasMissing: Bool, now: Timestamp, suppressed: Bool) -> [EventChange] {
        guard var e = event, e.state == .firing else { return [] }
        if gaps.isEmpty {
            e.dataMissing = nil
            e.message = flapping ? e.message : message
        } else {
            e.dataMissing = Array(Set(gaps.map(\.point.description))).sorted()
            e.message = message + " — no fresh good reading shows it cleared: " + gaps.map(\.detail).joined(separator: "; ")
        }
        event = e
        guard wasMissing != !gaps.isEmpty else { return [] }
        return [EventChange(change: gaps.isEmpty ? .dataReturned : .dataMissing, event: e, at: now, notify: !suppressed)]
    }

    /// True when nothing is pending, firing or remembered: the state can be dropped.
    var isIdle: Bool { active == nil && event == nil && breachSince.isEmpty && transitions.isEmpty }

    /// Records a verdict and settles; returns the event changes.
    mutating func observe(
        _ verdict: Verdict, message: String, evidence: [Reading], key: String, rule: CompiledRule, now: Timestamp,
        suppressed: Bool
    ) -> [EventChange] {
        self.verdict = verdict
        switch verdict {
        case .normal:
            breachSince = [:]
        case .breach(let s):
            for level in Severity.allCases {
                if level <= s {
                    if breachSince[level] == nil { breachSince[level] = now }
                } else {
                    breachSince[level] = nil
                }
            }
        case .hold:
            break
        }
        if case .normal = verdict {
        } else {
            self.message = message
            self.evidence = evidence
        }
        if case .normal = verdict, active != nil { self.message = message }
        return settle(key: key, rule: rule, now: now, suppressed: suppressed, observed: true)
    }

    /// The severity that should fire now, from the latest verdict and the sustain timers.
    func target(sustain: Double, now: Timestamp) -> Severity? {
        switch verdict {
        case .normal: return nil
        case .hold(let s): return active == nil ? nil : s
        case .breach(let s):
            let sustained = Severity.allCases.filter { $0 <= s && (breachSince[$0].map { now.seconds(since: $0) >= sustain } ?? false) }
            return sustained.max() ?? (active.map { min($0, s) })
        }
    }

    /// Applies the target severity: opens, escalates, resolves, detects flapping. `observed` is
    /// false on a tick (no new observation): a firing event's last-seen time then stays put.
    mutating func settle(key: String, rule: CompiledRule, now: Timestamp, suppressed: Bool, observed: Bool) -> [EventChange] {
        var changes: [EventChange] = []
        if flapping, let last = transitions.last, now.seconds(since: last) >= rule.flapping.window {
            changes += endFlapping(now: now, suppressed: suppressed)
        }
        if !flapping { transitions.removeAll { now.seconds(since: $0) >= rule.flapping.window } }
        let target = target(sustain: rule.sustain, now: now)
        switch (active, target) {
        case (nil, nil):
            break
        case (nil, let t?):
            active = t
            changes += transition(opening: true, key: key, rule: rule, now: now, suppressed: suppressed)
        case (_?, nil):
            active = nil
            changes += transition(opening: false, key: key, rule: rule, now: now, suppressed: suppressed)
        case (let a?, let t?):
            active = t
            guard var e = event else { break }
            if observed { e.lastSeen = now }
            e.message = message
            e.evidence = evidence
            e.suppressed = suppressed
            if a != t, !flapping {
                e.severity = t
                changes.append(EventChange(change: .severityChanged, event: e, at: now, notify: !suppressed))
            } else if a != t {
                e.severity = max(e.severity, t)
            }
            event = e
        }
        return changes
    }

    mutating func transition(opening: Bool, key: String, rule: CompiledRule, now: Timestamp, suppressed: Bool) -> [EventChange] {
        transitions.append(now)
        transitions.removeAll { now.seconds(since: $0) >= rule.flapping.window }
        if flapping {
            if var e = event {
                e.lastSeen = now
                if opening {
                    e.count += 1
                    e.severity = max(e.severity, active ?? e.severity)
                }
                e.message = message
                event = e
            }
            return []
        }
        if transitions.count >= rule.flapping.transitions {
            flapping = true
            var e = event ?? newEvent(key: key, now: now, suppressed: suppressed)
            e.state = .firing
            e.flapping = true
            e.lastSeen = now
            if opening, event != nil { e.count += 1 }
            e.message = "flapping: \(transitions.count) transitions within \(RuleDuration(seconds: rule.flapping.window)); last: \(message)"
            event = e
            return [EventChange(change: .flappingStarted, event: e, at: now, notify: !suppressed)]
        }
        if opening {
            let e = newEvent(key: key, now: now, suppressed: suppressed)
            event = e
            return [EventChange(change: .opened, event: e, at: now, notify: !suppressed)]
        }
        guard var e = event else { return [] }
        e.state = .resolved
        e.lastSeen = now
        e.message = "resolved: \(message)"
        e.suppressed = suppressed
        event = nil
        return [EventChange(change: .resolved, event: e, at: now, notify: !suppressed)]
    }

    mutating func endFlapping(now: Timestamp, suppressed: Bool) -> [EventChange] {
        flapping = false
        transitions = []
        guard var e = event else { return [] }
        e.flapping = false
        e.lastSeen = now
        e.suppressed = suppressed
        if let a = active {
            e.severity = a
            e.message = message
            event = e
            return [EventChange(change: .flappingEnded, event: e, at: now, notify: !suppressed)]
        }
        e.state = .resolved
        e.message = "resolved after flapping: \(message)"
        event = nil
        return [EventChange(change: .resolved, event: e, at: now, notify: !suppressed)]
    }

    func newEvent(key: String, now: Timestamp, suppressed: Bool) -> Event {
        Event(
            dedupKey: key, ruleID: ruleID, kind: kind, severity: active ?? .warning, state: .firing, scope: scope, room: room, rack: rack, point: point,
            firstSeen: now, lastSeen: now, count: 1, message: message, evidence: evidence, suppressed: suppressed, flapping: false)
    }
}
