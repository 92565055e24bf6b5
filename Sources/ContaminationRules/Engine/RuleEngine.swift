public import Telemetry

/// The rule engine: readings, device health and an explicit `now` in; event changes and derived
/// readings out. A value type with no IO and no clock: the daemon owns time and persistence.
public struct RuleEngine: Sendable {
    /// The compiled rules.
    public let rules: CompiledRuleSet
    /// The persisted state; encode it after each evaluation.
    public internal(set) var state: RuleEngineState
    /// Maintenance windows in force (from the store); events under them are recorded, not notified.
    public var maintenance: [MaintenanceWindow] = []
    /// Obligation records (DESIGN decision 10), from the store.
    public var records: [ObligationRecord] = []

    /// Rule indices by input point.
    let rulesByPoint: [PointID: [Int]]
    /// Longest rate window per point (history kept for slopes).
    let historyWindow: [PointID: Double]
    /// Points a stale rule watches.
    let staleWatched: Set<PointID>
    /// The shortest stale limit watching each point, seconds (``silentAfter(_:)``).
    let staleAfter: [PointID: Double]
    /// True until the first evaluation has noted when newly watched points began to be watched.
    var watchNoted = false

    /// Creates an engine from compiled rules and a state decoded from the store (or a new one).
    public init(rules: CompiledRuleSet, state: RuleEngineState = RuleEngineState()) {
        self.rules = rules
        self.state = state
        var byPoint: [PointID: [Int]] = [:]
        var windows: [PointID: Double] = [:]
        var stale: Set<PointID> = []
        var staleAfter: [PointID: Double] = [:]
        for (i, rule) in rules.rules.enumerated() {
            for p in Set(rule.kind.inputPoints) { byPoint[p, default: []].append(i) }
            switch rule.kind {
            case .rate(let window, let limits, _):
                for p in limits.keys { windows[p] = max(windows[p] ?? 0, window) }
            case .stale(let after, let points):
                stale.formUnion(points)
                for p in points { staleAfter[p] = min(staleAfter[p] ?? after, after) }
            default:
                break
            }
        }
        self.rulesByPoint = byPoint
        self.historyWindow = windows
        self.staleWatched = stale
        self.staleAfter = staleAfter
    }

    /// Notes, at the first evaluation of these rules, since when each never-read point has been
    /// watched by a stale rule: a sensor added by a reload is not stale for the time before it
    /// was added. Points that have a reading, or that no stale rule watches, need no entry.
    mutating func noteWatched(now: Timestamp) {
        guard !watchNoted else { return }
        watchNoted = true
        for p in state.staleSince.keys where !staleWatched.contains(p) || state.points[p]?.lastUsable != nil {
            state.staleSince[p] = nil
        }
        for p in staleWatched where state.points[p]?.lastUsable == nil && state.staleSince[p] == nil {
            state.staleSince[p] = now
        }
    }

    /// Every open event.
    public var openEvents: [Event] { state.openEvents }

    /// After a restart: for each point whose memory came back from a checkpoint, the stored
    /// readings it needs again — from the start of its longest rate window (or just its latest
    /// readings, for a point without one) up to the latest reading it had seen. The caller reads
    /// them from the store, at least the last ``evidenceCount`` of each, and hands them to
    /// ``warm(_:)``.
    public var warmUpRanges: [PointID: ClosedRange<Timestamp>] {
        var out: [PointID: ClosedRange<Timestamp>] = [:]
        for (p, m) in state.points where m.needsWarmUp {
            guard let last = m.last else { continue }
            out[p] = (historyWindow[p].map { last.time.adding(seconds: -$0) } ?? last.time)...last.time
        }
        return out
    }

    /// How many readings a point keeps as evidence (what ``warmUpRanges`` asks at least for).
    public static var evidenceCount: Int { PointMemory.evidenceCount }

    /// Restores rate-window histories and evidence readings from stored readings (any order,
    /// any points; readings after what a point has seen are ignored, they are replayed through
    /// ``ingest(_:now:)``). Evaluates nothing.
    public mutating func warm(_ stored: [Reading]) {
        let byPoint = Dictionary(grouping: stored, by: \.point)
        for (p, m) in state.points where m.needsWarmUp {
            state.points[p]?.warm((byPoint[p] ?? []).sorted { $0.time < $1.time }, window: historyWindow[p])
        }
    }

    /// Evaluates a batch of readings at `now`: point rules per reading, then room, rack and
    /// device rules touched by the batch. Duplicate or older readings of a point are ignored.
    public mutating func ingest(_ readings: [Reading], now: Timestamp) -> RuleOutput {
        if state.startedAt == nil { state.startedAt = now }
        noteWatched(now: now)
        var out = RuleOutput()
        var touched: Set<Int> = []
        var batch: [PointID: [Reading]] = [:]
        for (_, r) in readings.enumerated().sorted(by: { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }) {
            guard state.points[r.point, default: PointMemory()].record(r, keepHistory: historyWindow[r.point]),
                let memory = state.points[r.point]
            else { continue }
            batch[r.point, default: []].append(r)
            for i in rulesByPoint[r.point] ?? [] {
                if evaluatePointRule(i, reading: r, memory: memory, now: now, into: &out) == false { touched.insert(i) }
            }
        }
        out.derived += powerTotals(batch: batch, now: now)
        for i in touched.sorted() { evaluateGroupRule(i, batch: batch, now: now, into: &out) }
        // A bad, absent or uncertain reading of a firing condition's input marks it at once (no
        // kind resolves on one); a good one unmarks it where its evaluation did not.
        refreshGaps(touching: Set(batch.keys), now: now, into: &out)
        // A derived reading never shadows a device's own point (DESIGN decision 8).
        out.derived.removeAll { rules.isMeasured($0.point) }
        return out
    }

    /// Time-based evaluation: stale points, expired sustain timers, flapping that has calmed,
    /// yearly obligations, offline devices held past their sustain time.
    public mutating func tick(now: Timestamp) -> RuleOutput {
        if state.startedAt == nil { state.startedAt = now }
        noteWatched(now: now)
        var out = RuleOutput()
        let ruleIndex = Dictionary(rules.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, rule) in rules.rules.enumerated() {
            switch rule.kind {
            case .stale(let after, let points):
                for p in points { evaluateStale(i, point: p, after: after, now: now, into: &out) }
            case .obligation(let schedule, let kinds, let rooms):
                evaluateObligations(i, schedule: schedule, kinds: kinds, rooms: rooms, now: now, into: &out)
            default: break
            }
        }
        for key in state.alerts.keys.sorted() {
            guard var alert = state.alerts[key] else { continue }
            guard let i = ruleIndex[alert.ruleID] else {
                out.changes += retire(key: key, now: now, because: "rule '\(alert.ruleID)' was removed from the configuration")
                continue
            }
            if !watches(i, alert) {
                let what = alert.point.map { "\($0)" } ?? "\(alert.scope)"
                out.changes += retire(
                    key: key, now: now, because: "rule '\(alert.ruleID)' no longer watches \(what) (its sensor left the configuration or the floor)")
                continue
            }
            if case .stale = rules.rules[i].kind { continue }
            if case .obligation = rules.rules[i].kind { continue }
            out.changes += alert.settle(
                key: key, rule: rules.rules[i], now: now, suppressed: suppressed(alert.scope, room: alert.room, now: now), observed: false)
            state.alerts[key] = alert.isIdle ? nil : alert
        }
        // Inputs that went silent since they last reported: their events stay, marked.
        refreshGaps(touching: nil, now: now, into: &out)
        return out
    }

    /// Devices that are no longer polled (removed from the configuration): their offline
    /// conditions resolve, saying so — nothing would ever report them online again — and
    /// their last health is forgotten.
    public mutating func devicesRetired(_ devices: [CIID], now: Timestamp) -> RuleOutput {
        let gone = Set(devices)
        var out = RuleOutput()
        for d in gone { state.devices[d] = nil }
        for key in state.alerts.keys.sorted() {
            guard let alert = state.alerts[key], alert.kind == .offline, gone.contains(alert.scope) else { continue }
            out.changes += retire(key: key, now: now, because: "device \(alert.scope) is no longer polled (removed from the configuration)")
        }
        return out
    }

    /// Takes the drivers' health reports and evaluates the offline rules.
    public mutating func deviceHealth(_ reports: [DeviceHealth], now: Timestamp) -> RuleOutput {
        if state.startedAt == nil { state.startedAt = now }
        noteWatched(now: now)
        var out = RuleOutput()
        for h in reports { state.devices[h.device] = h }
        let reported = Set(reports.map(\.device))
        for (i, rule) in rules.rules.enumerated() {
            guard case .offline(let devices) = rule.kind else { continue }
            for d in devices where reported.contains(d) {
                guard let h = state.devices[d] else { continue }
                let verdict: Verdict = h.online ? .normal : .breach(.critical)
                let message =
                    h.online
                    ? "device \(d) is online again"
                    : "device \(d) is offline\(h.reason.isEmpty ? "" : " (\(h.reason))")\(whereSuffix(d))"
                observe(i, scope: d, point: nil, verdict: verdict, message: message, evidence: [], now: now, into: &out)
            }
        }
        return out
    }

    // MARK: - Shared helpers

    /// True when a maintenance window covers the CI, the rack it is mounted in, or its room at
    /// `now` (work on a rack silences the sensors and PDUs in it).
    func suppressed(_ ci: CIID, room: CIID?, now: Timestamp) -> Bool {
        let rack = rules.topology.devices[ci]?.rack
        return maintenance.contains { w in w.isOpen(at: now) && (w.ci == ci || w.ci == room || (rack != nil && w.ci == rack)) }
    }

    /// `, rack R, room M` for messages.
    func whereSuffix(_ ci: CIID) -> String {
        let w = rules.topology.whereabouts(of: ci)
        return w.isEmpty ? "" : " (\(w))"
    }

    /// Feeds a verdict into the condition of (rule, scope, point) and collects the changes.
    ///
    /// Missing data never clears an alarm: `culprits` are the inputs that make a breach a
    /// breach, `evidenced` those this evaluation saw within limits. A firing condition keeps the
    /// inputs that made it fire until a fresh good reading of each shows it cleared; while one
    /// of them has none (stale, bad, absent, uncertain, a restarted series), a verdict that
    /// would lower or clear it holds it where it is, and its event is marked ``Event/dataMissing``.
    mutating func observe(
        _ ruleIndex: Int, scope: CIID, point: PointID?, keySuffix: String = "", verdict: Verdict, message: String,
        evidence: [Reading], now: Timestamp, into out: inout RuleOutput, culprits: [PointID] = [], evidenced: [PointID] = []
    ) {
        let rule = rules.rules[ruleIndex]
        let key = Event.dedupKey(rule: rule.id + keySuffix, scope: scope, point: point)
        var alert =
            state.alerts[key]
            ?? AlertState(
                ruleID: rule.id, kind: rule.kind.name, scope: scope, point: point, room: rules.topology.room(of: scope),
                rack: rules.topology.rack(of: scope))
        if case .normal = verdict, alert.active == nil, alert.breachSince.isEmpty, !alert.flapping, state.alerts[key] == nil { return }
        var verdict = verdict
        var unproven: Set<PointID> = []
        if alert.active != nil || verdict.isBreach {
            var inputs = Set(alert.inputs)
            inputs.subtract(evidenced.filter { evidenceGap($0, now: now) == nil })
            // The inputs that made it fire and this evaluation did not see within limits, fresh
            // and good (left out as too old, absent from the sample, a metal without a rate):
            // no evidence they cleared, whatever the others say.
            unproven = inputs.subtracting(verdict.isBreach ? culprits : [])
            if verdict.isBreach { inputs.formUnion(culprits) }
            alert.inputs = inputs.sorted(by: PointID.byParts)
        }
        let gaps = alert.active == nil ? [] : alert.inputs.compactMap { evidenceGap($0, now: now) } + kindGaps(alert)
        if let active = alert.active, !unproven.isEmpty || !gaps.isEmpty, verdict.lowers(active) { verdict = .hold(active) }
        let wasMissing = alert.event?.dataMissing != nil
        if gaps.isEmpty { alert.event?.dataMissing = nil }
        let quiet = suppressed(scope, room: alert.room, now: now)
        var changes = alert.observe(verdict, message: message, evidence: evidence, key: key, rule: rule, now: now, suppressed: quiet)
        if alert.active == nil {
            alert.inputs = []
        } else if alert.event != nil {
            // An event that opens on doubtful inputs is marked in its opening; later, each flip is a change.
            if let i = changes.lastIndex(where: { $0.change == .opened || $0.change == .flappingStarted }) {
                _ = alert.mark(gaps, wasMissing: !gaps.isEmpty, now: now, suppressed: quiet)
                if let e = alert.event { changes[i].event = e }
            } else {
                changes += alert.mark(gaps, wasMissing: wasMissing, now: now, suppressed: quiet)
            }
        }
        out.changes += changes
        state.alerts[key] = alert.isIdle ? nil : alert
    }

    /// True unless the rule is a per-point (or per-device) rule that no longer selects the
    /// condition's point (or device): after a reload without that sensor, nothing would ever
    /// evaluate the condition again.
    func watches(_ i: Int, _ alert: AlertState) -> Bool {
        switch rules.rules[i].kind {
        case .threshold, .rate, .stale, .frozen, .quality, .state, .clock:
            guard let p = alert.point else { return true }
            return rulesByPoint[p]?.contains(i) == true
        case .offline(let devices):
            return devices.contains(alert.scope)
        default:
            return true
        }
    }

    /// Resolves a condition nothing evaluates any more (its rule was removed, or no longer
    /// selects its point), saying why.
    mutating func retire(key: String, now: Timestamp, because reason: String) -> [EventChange] {
        guard let alert = state.alerts.removeValue(forKey: key), var e = alert.event else { return [] }
        e.state = .resolved
        e.lastSeen = now
        e.message = "resolved: \(reason)"
        return [EventChange(change: .resolved, event: e, at: now, notify: !suppressed(alert.scope, room: alert.room, now: now))]
    }

    /// The latest usable reading of a point.
    func latest(_ p: PointID) -> Reading? { state.points[p]?.lastUsable }

    /// The evidence readings of a point.
    func evidence(_ p: PointID) -> [Reading] { state.points[p]?.recent ?? [] }

    /// A value with the point's unit, for messages.
    func show(_ v: Double, _ p: PointID?) -> String {
        let unit = p.flatMap { rules.topology.points[$0]?.unit }.map(\.rawValue) ?? ""
        return Format.number(v) + (unit.isEmpty ? "" : " \(unit)")
    }
}

/// Number formatting for messages: at most 2 decimals, no trailing zeros.
enum Format {
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
        var s = String(r)
        if s.contains("e") { return s }
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    static func percent(_ ratio: Double) -> String { number(ratio * 100) + " %" }
}
