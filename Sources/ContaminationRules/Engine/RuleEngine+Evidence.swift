import Telemetry

/// Why an input of a firing event is no evidence now (DESIGN: missing data never clears an alarm).
struct EvidenceGap: Hashable, Sendable {
    /// The input.
    var point: PointID
    /// For a person: `DC-R05-TH1/temperature has not reported for 12m; last seen 30 °C at …`.
    var detail: String
}

extension Verdict {
    /// True when the verdict would take a condition firing at `active` down or clear it.
    func lowers(_ active: Severity) -> Bool {
        switch self {
        case .normal: true
        case .hold(let s), .breach(let s): s < active
        }
    }

    var isBreach: Bool {
        if case .breach = self { return true }
        return false
    }
}

extension RuleEngine {
    /// Seconds without a reading after which a point is silent: the shortest limit of the stale
    /// rules that watch it, else ten minutes (``PowerTree/defaultMaxAge``).
    func silentAfter(_ p: PointID) -> Double { staleAfter[p] ?? PowerTree.defaultMaxAge }

    /// Why `p` is no evidence at `now`; nil when its latest reading is of good quality and fresh.
    /// The agent's own downtime is not the point's silence: age counts from the restart at most.
    func evidenceGap(_ p: PointID, now: Timestamp) -> EvidenceGap? {
        guard let last = state.points[p]?.last else { return EvidenceGap(point: p, detail: "\(p) has never reported") }
        switch last.quality {
        case .bad(let reason): return EvidenceGap(point: p, detail: "\(p) reads bad (\(reason)) at \(last.time)")
        case .absent: return EvidenceGap(point: p, detail: "\(p) reads absent (not fitted or not supported) at \(last.time)")
        case .uncertain: return EvidenceGap(point: p, detail: "\(p) is uncertain (\(show(last.value, p)) at \(last.time))")
        case .good: break
        }
        var since = last.time
        if let resumed = state.resumedAt, resumed > since { since = resumed }
        guard now.seconds(since: since) > silentAfter(p) else { return nil }
        return EvidenceGap(
            point: p,
            detail: "\(p) has not reported for \(RuleDuration(seconds: now.seconds(since: last.time).rounded())); last seen \(show(last.value, p)) at \(last.time)")
    }

    /// Marks every firing condition whose inputs (those in `touching`, or all when nil) have
    /// gone without evidence, and unmarks those whose inputs report good readings again. It
    /// never resolves: only an evaluation on fresh good readings does.
    mutating func refreshGaps(touching: Set<PointID>?, now: Timestamp, into out: inout RuleOutput) {
        for key in state.alerts.keys.sorted() {
            guard var alert = state.alerts[key], alert.active != nil, !alert.inputs.isEmpty else { continue }
            if let touching, !alert.inputs.contains(where: touching.contains) { continue }
            let gaps = alert.inputs.compactMap { evidenceGap($0, now: now) } + kindGaps(alert)
            let wasMissing = alert.event?.dataMissing != nil
            out.changes += alert.mark(gaps, wasMissing: wasMissing, now: now, suppressed: suppressed(alert.scope, room: alert.room, now: now))
            state.alerts[key] = alert
        }
    }

    /// Gaps only a kind can see: a corrosion metal whose series restarted (a replaced sensor)
    /// and has no 30-day rate yet, although its readings are fresh.
    func kindGaps(_ alert: AlertState) -> [EvidenceGap] {
        guard alert.kind == .corrosion, let rule = rules.rules.first(where: { $0.id == alert.ruleID }),
            case .corrosion(_, _, let minSpan, _, _) = rule.kind
        else { return [] }
        return alert.inputs.compactMap { p in
            guard let series = state.corrosion[p], series.ratePer30Days(minSpan: minSpan) == nil else { return nil }
            let covered = series.span.map { " covers \(RuleDuration(seconds: $0.rounded()))" } ?? " has no sample yet"
            let restart = series.replacements > 0 ? "restarted (sensor replaced); the new series" : "series"
            return EvidenceGap(point: p, detail: "\(p) \(restart)\(covered) of the \(RuleDuration(seconds: minSpan)) a 30-day rate needs")
        }
    }
}
