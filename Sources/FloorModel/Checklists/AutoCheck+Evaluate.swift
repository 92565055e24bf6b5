import Telemetry

/// What an automatic check found: an outcome (nil when the model cannot decide) and a note.
public struct AutoResult: Hashable, Sendable {
    /// Pass or fail; nil when it needs a person or live readings.
    public var outcome: ItemOutcome?
    /// "fits in U12–U13: yes", or the reasons it does not.
    public var note: String

    /// Creates a result.
    public init(_ outcome: ItemOutcome?, _ note: String) {
        self.outcome = outcome
        self.note = note
    }
}

extension AutoCheck {
    /// The fit-check problem codes this check looks at.
    var fitCodes: Set<FloorProblem.Code> {
        switch self {
        case .space: [.uOverlap, .outsideRack, .halfUPosition, .zeroUPosition, .missingPosition]
        case .weight: [.overWeight]
        case .power: [.overPowerBudget, .overPDURating, .overFeedCapacity, .unknownReference, .wrongRack]
        case .cooling: [.overCoolingBudget]
        case .airflow: [.exhaustIntoColdAisle]
        default: []
        }
    }

    /// Evaluates the check for a target on a floor; `live` (the running site's latest readings
    /// and firing events) decides `sensor-readings`, which is left to a person without it.
    public func evaluate(_ target: ChecklistTarget, floor: Floor, live: LiveSite? = nil) -> AutoResult {
        switch self {
        case .space, .weight, .power, .cooling, .airflow:
            return fit(target, floor: floor, live: live)
        case .poweredFromAB:
            guard let d = floor.device(target.id) else { return AutoResult(nil, "not a device") }
            let sides = Set(d.poweredBy.compactMap { floor.pdu($0)?.side })
            if sides == [.a, .b] { return AutoResult(.pass, "powered from A and B: \(d.poweredBy.map(\.rawValue).joined(separator: ", "))") }
            let have = sides.map(\.rawValue).sorted().joined(separator: "+")
            return AutoResult(.fail, "powered from \(have.isEmpty ? "no recorded PDU" : "side \(have) only"); A and B are required")
        case .cablesConnected:
            let ids = devicesOf(target, floor: floor)
            let cables = floor.cables.filter { ids.contains($0.a.device) || ids.contains($0.b.device) }
            let problems = floor.validateCables().filter { p in cables.contains { $0.id.rawValue == p.object } }
            let notConnected = cables.filter { $0.status != .connected }.map(\.id.rawValue)
            if cables.isEmpty { return AutoResult(.fail, "no cable is recorded for \(target)") }
            if problems.isEmpty && notConnected.isEmpty { return AutoResult(.pass, "\(cables.count) cable(s) recorded and connected") }
            let reasons = problems.map(\.description) + notConnected.map { "\($0) is not connected" }
            return AutoResult(.fail, reasons.joined(separator: "; "))
        case .cablesRemoved:
            let left = floor.cables.filter { ($0.a.device == target.id || $0.b.device == target.id) && $0.status != .decommissioning }
            return left.isEmpty ? AutoResult(.pass, "no cable left on \(target.id)") : AutoResult(.fail, "cables still recorded: \(left.map(\.id.rawValue).joined(separator: ", "))")
        case .servicesMoved:
            let hosted = floor.services.filter { $0.hostedOn.contains(target.id) && $0.status != .disposed }
            return hosted.isEmpty ? AutoResult(.pass, "no service hosted on \(target.id)") : AutoResult(.fail, "still hosts: \(hosted.map(\.id.rawValue).joined(separator: ", "))")
        case .sensorReadings:
            guard let live else { return AutoResult(nil, "needs live readings: answer by hand") }
            return live.sensorReadings(target, floor: floor)
        }
    }

    func devicesOf(_ target: ChecklistTarget, floor: Floor) -> Set<CIID> {
        target.kind == .device ? [target.id] : Set(floor.devices(in: target.id).map(\.id))
    }

    func fit(_ target: ChecklistTarget, floor: Floor, live: LiveSite? = nil) -> AutoResult {
        guard target.kind == .device, let d = floor.device(target.id) else { return AutoResult(nil, "fit checks need a device") }
        guard let m = floor.mountable(d) else { return AutoResult(.fail, "device type \(d.type) is not in the library") }
        guard let rid = d.rack, let rack = floor.rack(rid) else { return AutoResult(.fail, "\(d.id) has no planned rack") }
        var ctx = FitContext(floor: floor, rack: rid, excluding: d.id)
        // The measured side counts only for a device not yet drawing power: once it is installed,
        // its own draw is in the measurement already.
        if d.lifecycle == .planned || d.lifecycle == .staged, let live { ctx.measuredW = live.measuredW }
        let problems = FitCheck.problems(m, in: rack, floor: floor, context: ctx).filter { fitCodes.contains($0.code) }
        if !problems.isEmpty { return AutoResult(.fail, problems.map(\.message).joined(separator: "; ")) }
        switch self {
        case .space:
            let where_ = m.span.map { "\($0) \(d.face.rawValue)" } ?? "0U"
            return AutoResult(.pass, "fits in \(where_) of \(rid): yes")
        case .weight:
            let total = ctx.occupants.reduce(0) { $0 + $1.weightKg } + m.weightKg
            return AutoResult(.pass, "rack weight \(FitCheck.fmt(total)) kg\(rack.maxWeightKg.map { " of \(FitCheck.fmt($0)) kg" } ?? " (no limit recorded)")")
        case .power, .cooling:
            let total = ctx.occupants.reduce(0) { $0 + $1.powerW } + m.powerW
            let budget = self == .power ? rack.powerBudgetKW : rack.coolingBudgetKW
            let measured = ctx.measuredW[rid].map { "; measured \(FitCheck.fmt($0 / 1000)) kW now + \(FitCheck.fmt(m.powerW / 1000)) kW" } ?? ""
            return AutoResult(.pass, "rack load \(FitCheck.fmt(total / 1000)) kW planned\(measured)\(budget.map { " of \(FitCheck.fmt($0)) kW" } ?? " (no budget recorded)")")
        default:
            guard m.airflow?.exhaustSide != nil else { return AutoResult(nil, "airflow \(m.airflow?.rawValue ?? "unknown"): check by hand") }
            return AutoResult(.pass, "\(m.airflow?.rawValue ?? "unknown airflow") on the \(d.face.rawValue) face: exhaust not into a cold aisle")
        }
    }
}
