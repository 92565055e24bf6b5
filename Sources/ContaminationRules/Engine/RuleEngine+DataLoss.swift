public import Telemetry

/// The agent's own data loss (DESIGN decision 7): readings the store's bounded queue dropped.
public struct DataLoss: Hashable, Sendable, Codable {
    /// The open event, while drops continue or until the quiet time has passed.
    public var event: Event?
    /// Readings dropped while the event was open.
    public var dropped: Int
    /// When the last drop was reported.
    public var lastDrop: Timestamp
}

extension RuleEngine {
    /// Dedup key of the data-loss event of an agent.
    public static func dataLossKey(agent: CIID) -> String { Event.dedupKey(rule: "agent.dropped-readings", scope: agent, point: nil) }

    /// Reports readings the store dropped since the previous report (DESIGN decision 7: a full
    /// write queue drops the oldest readings, counts them and raises an event). Drops open a
    /// warning event — monitoring is blind for what was dropped — which counts every further
    /// drop and resolves once `quietFor` seconds pass without one. Call it with 0 at every tick.
    public mutating func storeDropped(_ newlyDropped: Int, agent: CIID, quietFor: Double = 600, now: Timestamp) -> RuleOutput {
        var out = RuleOutput()
        var loss = state.dataLoss
        if newlyDropped > 0 {
            if var e = loss?.event {
                let total = (loss?.dropped ?? 0) + newlyDropped
                e.lastSeen = now
                e.message = Self.dataLossMessage(total, since: e.firstSeen, agent: agent)
                loss = DataLoss(event: e, dropped: total, lastDrop: now)
            } else {
                let e = Event(
                    dedupKey: Self.dataLossKey(agent: agent), ruleID: "agent.dropped-readings", kind: .agent, severity: .warning, state: .firing,
                    scope: agent, room: nil, point: nil, firstSeen: now, lastSeen: now, count: 1,
                    message: Self.dataLossMessage(newlyDropped, since: now, agent: agent), evidence: [], suppressed: false, flapping: false)
                loss = DataLoss(event: e, dropped: newlyDropped, lastDrop: now)
                out.changes.append(EventChange(change: .opened, event: e, at: now, notify: true))
            }
        } else if let l = loss, var e = l.event, now.seconds(since: l.lastDrop) >= quietFor {
            e.state = .resolved
            e.lastSeen = now
            e.message = "resolved: no readings dropped for \(RuleDuration(seconds: quietFor)); \(l.dropped) were lost from \(e.firstSeen) to \(l.lastDrop)"
            out.changes.append(EventChange(change: .resolved, event: e, at: now, notify: true))
            loss = nil
        }
        state.dataLoss = loss
        return out
    }

    static func dataLossMessage(_ n: Int, since: Timestamp, agent: CIID) -> String {
        "agent \(agent) dropped \(n) reading\(n == 1 ? "" : "s") since \(since): the store's write queue "
            + "(storage.writer.queue_capacity) or the rules engine's input queue was full; the dropped readings are lost — "
            + "check the disk, and writer.dropped and rules.dropped_inputs in /healthz"
    }
}
