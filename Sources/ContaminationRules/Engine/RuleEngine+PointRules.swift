import Telemetry

extension RuleEngine {
    /// Evaluates a point-level rule for one new reading; returns false for group rules
    /// (evaluated once per batch by `evaluateGroupRule`).
    mutating func evaluatePointRule(_ i: Int, reading r: Reading, memory m: PointMemory, now: Timestamp, into out: inout RuleOutput) -> Bool
    {
        let rule = rules.rules[i]
        let p = r.point
        switch rule.kind {
        case .threshold(let levels, _):
            // NaN, infinite and bad-quality readings never trip thresholds: they feed stale and quality.
            guard r.isUsable else { return true }
            let key = Event.dedupKey(rule: rule.id, scope: p.ci, point: p)
            let alert = state.alerts[key]
            let verdict = levels.verdict(r.value, active: alert?.active)
            if case .normal = verdict, alert == nil { return true }
            observe(
                i, scope: p.ci, point: p, verdict: verdict, message: thresholdMessage(levels, r, rule: rule) + whereSuffix(p.ci),
                evidence: m.recent, now: now, into: &out, culprits: [p], evidenced: [p])
        case .rate(let window, let limits, let minReadings):
            guard r.isUsable, let limit = limits[p] else { return true }
            let inWindow = m.samples.window(window, before: r.time)
            guard inWindow.count >= minReadings, !inWindow.isEmpty,
                r.time.seconds(since: Timestamp(milliseconds: m.samples.time(inWindow.lowerBound))) >= window / 2,
                let slope = m.samples.slopePerHour(inWindow)
            else { return true }
            let verdict: Verdict = abs(slope) > limit ? .breach(.warning) : .normal
            if isQuiet(i, scope: p.ci, point: p, verdict: verdict) { return true }
            let message =
                "\(p) changes at \(Format.number(slope)) \(unit(p))/h over \(RuleDuration(seconds: window)) (\(inWindow.count) readings), limit \(Format.number(limit)) \(unit(p))/h (ASHRAE)\(whereSuffix(p.ci))"
            observe(
                i, scope: p.ci, point: p, verdict: verdict, message: message, evidence: m.samples.readings(p, in: inWindow.suffix(PointMemory.evidenceCount)),
                now: now, into: &out, culprits: [p], evidenced: [p])
        case .stale(let after, _):
            evaluateStale(i, point: p, after: after, now: now, into: &out)
        case .frozen(let polls, _):
            guard r.isUsable else { return true }
            warn(
                i, point: p, if: m.sameValueCount >= polls,
                "\(p) has reported the same value \(show(r.value, p)) for \(m.sameValueCount) polls (limit \(polls)): stuck sensor?",
                else: "\(p) is changing again (\(show(r.value, p)))", evidence: m.recent, now: now, into: &out)
        case .quality(let polls, _):
            if case .absent = r.quality { return true }
            // About the data itself: no inputs of its own to miss.
            warn(
                i, point: p, if: m.badCount >= polls,
                "\(p) has returned \(m.badCount) bad readings in a row (limit \(polls)), last: \(r.quality)",
                else: "\(p) returns usable readings again", evidence: m.recent, now: now, into: &out, tracked: false)
        case .state(let severities):
            guard r.isUsable, let map = severities[p] else { return true }
            let n = Int(r.value.rounded())
            let verdict: Verdict = map[n].map { .breach($0) } ?? .normal
            if isQuiet(i, scope: p.ci, point: p, verdict: verdict) { return true }
            let name = rules.topology.points[p]?.states[n].map { "\($0) (\(n))" } ?? "\(n)"
            let message =
                map[n] != nil
                ? "\(p) is in state \(name)\(rule.sustain > 0 ? " for over \(RuleDuration(seconds: rule.sustain))" : "")\(whereSuffix(p.ci))"
                : "\(p) is back in state \(name)\(whereSuffix(p.ci))"
            observe(
                i, scope: p.ci, point: p, verdict: verdict, message: message, evidence: m.recent, now: now, into: &out, culprits: [p],
                evidenced: [p])
        case .clock(let maxDrift, _):
            // A new record (a reading of the same time is a duplicate, never seen here) read at
            // `now`: its stamp is the device's clock at most one poll interval ago.
            guard r.isUsable else { return true }
            let offset = r.value - Double(now.milliseconds) / 1000
            if let id = PointID(ci: p.ci, name: "clock_offset") {
                out.derived.append(Reading(point: id, time: now, value: (offset * 10).rounded() / 10))
            }
            let side = offset > 0 ? "ahead of" : "behind"
            let stamped = Timestamp(milliseconds: Int64((r.value * 1000).rounded()))
            warn(
                i, point: p, if: abs(offset) > maxDrift,
                "\(p.ci)'s clock is \(RuleDuration(seconds: abs(offset).rounded())) \(side) the agent's (a new record stamped \(stamped) was read at \(now); limit \(RuleDuration(seconds: maxDrift))): its records' times are wrong",
                else: "\(p.ci)'s clock agrees with the agent's again (offset \(Format.number(offset)) s)", evidence: m.recent, now: now,
                into: &out)
        case .offline, .obligation:
            return true
        case .envelope, .capacity, .allocation, .corrosion, .particles:
            return false
        }
        return true
    }

    /// A warning-or-nothing point condition (frozen, quality, clock): fires with `firing` while
    /// `breach` holds and resolves with `cleared`; `tracked` conditions keep their point as the
    /// input a resolution needs (``observe(_:scope:point:keySuffix:verdict:message:evidence:now:into:culprits:evidenced:)``).
    mutating func warn(
        _ i: Int, point p: PointID, if breach: Bool, _ firing: String, else cleared: String, evidence: [Reading], now: Timestamp,
        into out: inout RuleOutput, tracked: Bool = true
    ) {
        let verdict: Verdict = breach ? .breach(.warning) : .normal
        if isQuiet(i, scope: p.ci, point: p, verdict: verdict) { return }
        observe(
            i, scope: p.ci, point: p, verdict: verdict, message: (breach ? firing : cleared) + whereSuffix(p.ci), evidence: evidence, now: now,
            into: &out, culprits: tracked ? [p] : [], evidenced: tracked ? [p] : [])
    }

    /// True when a normal verdict meets no condition state: nothing changes, no message is needed.
    func isQuiet(_ ruleIndex: Int, scope: CIID, point: PointID?, verdict: Verdict) -> Bool {
        guard case .normal = verdict else { return false }
        return state.alerts[Event.dedupKey(rule: rules.rules[ruleIndex].id, scope: scope, point: point)] == nil
    }

    /// The point's unit spelling.
    func unit(_ p: PointID) -> String { rules.topology.points[p]?.unit.rawValue ?? "" }

    func thresholdMessage(_ l: ThresholdLevels, _ r: Reading, rule: CompiledRule) -> String {
        let word = l.rising ? "above" : "below"
        let p = r.point
        var limits: [String] = []
        if let w = l.warning { limits.append("warning \(show(w, p))") }
        if let c = l.critical { limits.append("critical \(show(c, p))") }
        limits.append("clear \(show(l.clear, p))")
        let sustain = rule.sustain > 0 ? ", for \(RuleDuration(seconds: rule.sustain))" : ""
        let past =
            l.critical.map { l.rising ? r.value >= $0 : r.value <= $0 } == true
            || l.warning.map { l.rising ? r.value >= $0 : r.value <= $0 } == true
        return "\(p) is \(show(r.value, p))\(past ? ", \(word) its limit" : "") (\(limits.joined(separator: ", "))\(sustain))"
    }

    /// Stale: no usable reading for `after` seconds; a point whose latest reading is `absent`
    /// (probe not fitted) is not stale.
    mutating func evaluateStale(_ i: Int, point p: PointID, after: Double, now: Timestamp, into out: inout RuleOutput) {
        let m = state.points[p]
        if case .absent? = m?.last?.quality { return }
        if m?.lastUsable != nil, state.staleSince[p] != nil { state.staleSince[p] = nil }
        var since = m?.lastUsable?.time ?? state.staleSince[p] ?? state.startedAt ?? now
        if let resumed = state.resumedAt, resumed > since { since = resumed }
        let age = now.seconds(since: since)
        let stale = age >= after
        if isQuiet(i, scope: p.ci, point: p, verdict: stale ? .breach(.warning) : .normal) { return }
        var tail =
            m?.lastUsable.map { ", last usable reading at \($0.time)" } ?? (m?.last == nil ? ", never read" : ", no usable reading yet")
        if let latest = m?.last, !latest.isUsable { tail += ", latest \(latest.quality)" }
        let message =
            stale
            ? "\(p) has had no usable reading for \(RuleDuration(seconds: age.rounded())) (limit \(RuleDuration(seconds: after)))\(tail)\(whereSuffix(p.ci))"
            : "\(p) reports again\(whereSuffix(p.ci))"
        observe(
            i, scope: p.ci, point: p, verdict: stale ? .breach(.warning) : .normal, message: message, evidence: m?.recent ?? [], now: now,
            into: &out)
    }
}
