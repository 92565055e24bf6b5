public import Telemetry

/// The agent's own clock as the kernel reports it (adjtimex): every reading, event and record is
/// stamped with it, so an unsynchronised clock makes every time DCAgent shows doubtful.
public struct AgentClockStatus: Hashable, Sendable, Codable {
    /// True when the kernel says the clock is synchronised (NTP or PTP discipline it).
    public var synchronised: Bool
    /// The kernel's maximum error estimate, seconds, when known.
    public var maxErrorSeconds: Double?
    /// Where the status comes from (`adjtimex`), and the kernel's clock state (`TIME_ERROR`).
    public var source: String
    /// Creates a status.
    public init(synchronised: Bool, maxErrorSeconds: Double?, source: String) {
        self.synchronised = synchronised
        self.maxErrorSeconds = maxErrorSeconds
        self.source = source
    }
}

extension RuleEngine {
    /// Dedup key of the agent's clock event.
    public static func agentClockKey(agent: CIID) -> String { Event.dedupKey(rule: "agent.clock-unsynchronised", scope: agent, point: nil) }

    /// Takes the agent's clock status (call it at every tick): a warning event opens while the
    /// clock is not synchronised, and resolves when the kernel reports it synchronised again.
    public mutating func agentClock(_ status: AgentClockStatus, agent: CIID, now: Timestamp) -> RuleOutput {
        var out = RuleOutput()
        let error = status.maxErrorSeconds.map { ", maximum error \(Format.number($0)) s" } ?? ""
        if !status.synchronised {
            guard state.clockEvent == nil else { return out }
            let e = Event(
                dedupKey: Self.agentClockKey(agent: agent), ruleID: "agent.clock-unsynchronised", kind: .agent, severity: .warning,
                state: .firing, scope: agent, room: nil, point: nil, firstSeen: now, lastSeen: now, count: 1,
                message:
                    "agent \(agent)'s clock is not synchronised (\(status.source)\(error)): the times of readings, events and records may be wrong — run an NTP client (chrony, systemd-timesyncd) on this machine",
                evidence: [], suppressed: false, flapping: false)
            state.clockEvent = e
            out.changes.append(EventChange(change: .opened, event: e, at: now, notify: true))
        } else if var e = state.clockEvent {
            e.state = .resolved
            e.lastSeen = now
            e.message = "resolved: agent \(agent)'s clock is synchronised (\(status.source)\(error))"
            out.changes.append(EventChange(change: .resolved, event: e, at: now, notify: true))
            state.clockEvent = nil
        }
        return out
    }
}
