import ContaminationRules
import ITSMLink
import Telemetry

/// The start of every scenario; times in the tables are seconds after it.
let t0 = Timestamp(seconds: 1_780_000_000)

func at(_ seconds: Double) -> Timestamp { t0.adding(seconds: seconds) }

let probe = CIID(unchecked: "DC-R1-A05-TH1")
let room = CIID(unchecked: "DC-R1")
let window = MaintenanceWindow(ci: room, start: at(-60), end: at(3600), reason: "CHG-1234")

/// An inlet temperature event of one opening (first seen `opened` seconds after t0).
func event(
    _ severity: Severity = .critical, _ state: EventState = .firing, opened: Double = 0, last: Double? = nil, suppressed: Bool = false,
    flapping: Bool = false, missing: [String]? = nil
) -> Event {
    let point = PointID(ci: probe, name: "temperature")!
    return Event(
        dedupKey: Event.dedupKey(rule: "inlet-hot", scope: probe, point: point), ruleID: "inlet-hot", kind: .threshold, severity: severity,
        state: state, scope: probe, room: room, rack: CIID(unchecked: "DC-R1-A05"), point: point, firstSeen: at(opened),
        lastSeen: at(last ?? opened), count: 1, message: "\(point) is 31 °C, above its limit (warning 27 °C, critical 30 °C)",
        evidence: [Reading(point: point, time: at(last ?? opened), value: 31)], suppressed: suppressed, flapping: flapping,
        dataMissing: missing)
}

/// One step of a scenario.
enum Step: Sendable {
    /// An event change at `t` of the opening first seen at `opened`.
    case change(EventChange.Change, Severity = .critical, t: Double, opened: Double = 0, suppressed: Bool = false, missing: [String]? = nil)
    /// The clock at `t`.
    case tick(Double)
    /// The maintenance window ended (at `t`).
    case windowEnded(Double)
    /// An operator's action at `t` on the opening first seen at `opened`.
    case op(OperatorAction.Kind, t: Double, opened: Double = 0)

    /// The policy's input (change sequence numbers are given by the runner).
    func input(seq: Int64) -> (IncidentInput, Timestamp) {
        switch self {
        case .change(let change, let severity, let t, let opened, let suppressed, let missing):
            let state: EventState = change == .resolved ? .resolved : .firing
            let e = event(
                severity, state, opened: opened, last: t, suppressed: suppressed, flapping: change == .flappingStarted, missing: missing)
            return (
                .change(EventChange(change: change, event: e, at: at(t), notify: !suppressed), seq: seq, window: suppressed ? window : nil),
                at(t)
            )
        case .tick(let t):
            return (.tick, at(t))
        case .windowEnded(let t):
            return (.maintenanceEnded(window), at(t))
        case .op(let kind, let t, let opened):
            let opening = OpeningKey(event(opened: opened))
            return (.operatorAction(OperatorAction(id: "op-\(Int(t))", opening: opening, by: "ana", at: at(t), kind: kind)), at(t))
        }
    }
}

/// What a scenario produced: every decision in order, and the links it ended with.
struct Run {
    var decisions: [IncidentDecision] = []
    var link: IncidentLink?
    /// Every link that a new opening replaced, oldest first.
    var replaced: [IncidentLink] = []

    var actions: [OutboxAction] { decisions.flatMap(\.actions) }
    var names: [String] { actions.map(\.action.name) }
    var reasons: [String] { decisions.map(\.reason) }
}

/// Runs the steps through the policy, carrying the link; change sequence numbers count up
/// from `firstSeq`.
func run(_ steps: [Step], policy: IncidentPolicy = .defaults, link start: IncidentLink? = nil, firstSeq: Int64 = 1) -> Run {
    var r = Run(link: start)
    var seq = firstSeq
    for step in steps {
        let (input, now) = step.input(seq: seq)
        if case .change = step { seq += 1 }
        let d = policy.decide(input, link: r.link, now: now)
        r.decisions.append(d)
        if let old = d.replaced { r.replaced.append(old) }
        r.link = d.link
    }
    return r
}
