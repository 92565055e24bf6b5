public import Telemetry

/// A thing to mount in a rack as the fit check sees it: a device or a PDU with its type
/// resolved and its weight and power settled.
public struct Mountable: Hashable, Sendable {
    /// Its CI id; nil for a hypothetical device in a what-if.
    public var id: CIID?
    /// Its device type.
    public var type: DeviceType
    /// Its lowest unit; nil for 0U (and for a device not yet given one).
    public var position: HalfU?
    /// The face it is mounted on.
    public var face: RackFace
    /// Weight in kg (0 when unknown).
    public var weightKg: Double
    /// Power to plan with, watts (0 when unknown).
    public var powerW: Double
    /// Airflow, nil when unknown.
    public var airflow: Airflow?
    /// The PDUs it draws from.
    public var poweredBy: [CIID]

    /// Creates a mountable.
    public init(
        id: CIID?, type: DeviceType, position: HalfU?, face: RackFace, weightKg: Double? = nil, powerW: Double? = nil,
        airflow: Airflow? = nil, poweredBy: [CIID] = []
    ) {
        self.id = id
        self.type = type
        self.position = position
        self.face = face
        self.weightKg = weightKg ?? type.weightKg ?? 0
        self.powerW = powerW ?? type.planningDrawW ?? 0
        self.airflow = airflow ?? type.airflow
        self.poweredBy = poweredBy
    }

    /// The units it occupies, nil when it has no position or no height.
    public var span: USpan? {
        guard let p = position, type.height.halves > 0 else { return nil }
        return USpan(bottom: p, height: type.height)
    }

    /// The rack faces it takes: both for full-depth devices, else its own face.
    public var faces: Set<RackFace> { type.isFullDepth ? [.front, .rear] : [face] }

    /// The rack face its hot air leaves from, nil when not front or rear.
    public var exhaustRackFace: RackFace? {
        guard let side = airflow?.exhaustSide else { return nil }
        return face == .front ? side : side.opposite
    }

    /// A label for messages: its id, or its model.
    public var label: String { id?.rawValue ?? type.model }
}

/// One reason a thing does not fit; validation turns it into a ``FloorProblem``.
public struct FitProblem: Hashable, Sendable, CustomStringConvertible {
    /// Kind of problem.
    public var code: FloorProblem.Code
    /// The field of the candidate it concerns.
    public var field: String
    /// A sentence for a person.
    public var message: String

    /// Creates a fit problem.
    public init(code: FloorProblem.Code, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// `[u-overlap] position: …`.
    public var description: String { "[\(code.rawValue)] \(field): \(message)" }
}

/// What is already in place around a candidate: the rack's other occupants and the load on
/// every PDU and feed. ``init(floor:rack:excluding:)`` builds it from a floor.
public struct FitContext: Hashable, Sendable {
    /// Other things mounted in the same rack.
    public var occupants: [Mountable]
    /// Watts already planned on each PDU (each device counts in full on every PDU it uses, so
    /// either side of an A/B pair can carry the load alone when the other fails).
    public var pduLoadW: [CIID: Double]
    /// Watts already planned on each feed (the sum of its PDUs' loads).
    public var feedLoadW: [CIID: Double]
    /// Watts measured now on the rack and its PDUs (their fresh `power_total`, DESIGN decision
    /// 18), for a candidate not yet drawing: the check then also holds the measured load plus
    /// the candidate's against the budget and ratings — a rack can draw more than it was planned.
    public var measuredW: [CIID: Double]

    /// Creates a context from its parts.
    public init(
        occupants: [Mountable] = [], pduLoadW: [CIID: Double] = [:], feedLoadW: [CIID: Double] = [:], measuredW: [CIID: Double] = [:]
    ) {
        self.occupants = occupants
        self.pduLoadW = pduLoadW
        self.feedLoadW = feedLoadW
        self.measuredW = measuredW
    }

    /// The context of a rack in a floor, leaving out one CI (the candidate itself when it moves).
    public init(floor: Floor, rack: CIID, excluding: CIID? = nil) {
        var occupants: [Mountable] = []
        var pduLoad: [CIID: Double] = [:]
        for d in floor.devices where d.id != excluding && d.lifecycle.occupiesSpace {
            guard let m = floor.mountable(d) else { continue }
            if d.rack == rack { occupants.append(m) }
            for p in Set(d.poweredBy) { pduLoad[p, default: 0] += m.powerW }
        }
        for p in floor.pdus where p.id != excluding && p.rack == rack && p.lifecycle.occupiesSpace {
            if let m = floor.mountable(p) { occupants.append(m) }
        }
        var feedLoad: [CIID: Double] = [:]
        for p in floor.pdus { if let f = p.feed { feedLoad[f, default: 0] += pduLoad[p.id] ?? 0 } }
        self.init(occupants: occupants, pduLoadW: pduLoad, feedLoadW: feedLoad)
    }
}

/// The one fit check (DESIGN decision 9): does this thing fit this rack at this position and
/// face, given what is already there? Returns every reason it does not; empty means it fits.
/// Validation, checklists and capacity what-ifs all call it.
public enum FitCheck {
    /// Every reason `candidate` does not fit `rack` among `context`; `floor` supplies PDUs,
    /// feeds and aisles.
    public static func problems(_ candidate: Mountable, in rack: Rack, floor: Floor, context: FitContext) -> [FitProblem] {
        var out: [FitProblem] = []
        out += space(candidate, rack: rack, context: context)
        out += capacity(candidate, rack: rack, context: context)
        out += power(candidate, rack: rack, floor: floor, context: context)
        out += airflow(candidate, rack: rack, floor: floor)
        return out
    }

    /// Every reason `candidate` does not fit `rack` as the floor stands (the candidate's own
    /// id, if it is already on the floor, is left out of the comparison).
    public static func problems(_ candidate: Mountable, in rack: Rack, floor: Floor) -> [FitProblem] {
        problems(candidate, in: rack, floor: floor, context: FitContext(floor: floor, rack: rack.id, excluding: candidate.id))
    }

    // MARK: Rules

    static func space(_ c: Mountable, rack: Rack, context: FitContext) -> [FitProblem] {
        let h = c.type.height
        guard let p = c.position else {
            if h.halves > 0 {
                return [.init(code: .missingPosition, field: "position", message: "a \(h)U \(c.type.model) needs a rack position")]
            }
            return []
        }
        if h.halves == 0 {
            return [.init(code: .zeroUPosition, field: "position", message: "a 0U device type (\(c.type.model)) cannot be given a rack position (U\(p))")]
        }
        if h.isWhole && !p.isWhole {
            return [.init(code: .halfUPosition, field: "position", message: "U\(p) is a half-unit position but \(c.type.model) is \(h)U high; whole-unit types go at whole units")]
        }
        let span = USpan(bottom: p, height: h)
        let r = rack.span
        if span.bottom < r.bottom || span.end > r.end {
            return [.init(code: .outsideRack, field: "position", message: "\(span) is outside \(rack.id) (\(r), \(rack.heightU)U from U\(rack.startingUnit))")]
        }
        var out: [FitProblem] = []
        for o in context.occupants {
            guard let os = o.span, os.overlaps(span) else { continue }
            let shared = c.faces.intersection(o.faces)
            guard !shared.isEmpty else { continue }
            let faces = shared.count == 2 ? "both faces" : "the \(shared.first!.rawValue) face"
            out.append(.init(code: .uOverlap, field: "position", message: "\(span) overlaps \(o.label) at \(os) on \(faces)"))
        }
        return out
    }

    static func capacity(_ c: Mountable, rack: Rack, context: FitContext) -> [FitProblem] {
        var out: [FitProblem] = []
        let weight = context.occupants.reduce(0) { $0 + $1.weightKg } + c.weightKg
        if let max = rack.maxWeightKg, weight > max {
            out.append(.init(code: .overWeight, field: "weight_kg", message: "rack \(rack.id) would carry \(fmt(weight)) kg, over its limit of \(fmt(max)) kg"))
        }
        let power = context.occupants.reduce(0) { $0 + $1.powerW } + c.powerW
        let measured = context.measuredW[rack.id].map { $0 + c.powerW }
        if let budget = rack.powerBudgetKW {
            if power > budget * 1000 {
                out.append(.init(code: .overPowerBudget, field: "allocated_power_w", message: "rack \(rack.id) would draw \(fmt(power / 1000)) kW, over its power budget of \(fmt(budget)) kW"))
            } else if let m = measured, m > budget * 1000 {
                out.append(.init(code: .overPowerBudget, field: "allocated_power_w", message: "rack \(rack.id) measures \(fmt(m / 1000 - c.powerW / 1000)) kW now; with \(fmt(c.powerW / 1000)) kW more it would draw \(fmt(m / 1000)) kW, over its power budget of \(fmt(budget)) kW"))
            }
        }
        if let cooling = rack.coolingBudgetKW {
            if power > cooling * 1000 {
                out.append(.init(code: .overCoolingBudget, field: "allocated_power_w", message: "rack \(rack.id) would dissipate \(fmt(power / 1000)) kW, over its cooling budget of \(fmt(cooling)) kW"))
            } else if let m = measured, m > cooling * 1000 {
                out.append(.init(code: .overCoolingBudget, field: "allocated_power_w", message: "rack \(rack.id) measures \(fmt(m / 1000 - c.powerW / 1000)) kW now; with \(fmt(c.powerW / 1000)) kW more it would dissipate \(fmt(m / 1000)) kW, over its cooling budget of \(fmt(cooling)) kW"))
            }
        }
        return out
    }

    static func power(_ c: Mountable, rack: Rack, floor: Floor, context: FitContext) -> [FitProblem] {
        var out: [FitProblem] = []
        for id in c.poweredBy {
            guard let pdu = floor.pdu(id) else {
                out.append(.init(code: .unknownReference, field: "powered_by", message: "PDU \(id) does not exist"))
                continue
            }
            if pdu.rack != rack.id {
                out.append(.init(code: .wrongRack, field: "powered_by", message: "PDU \(id) is in rack \(pdu.rack), not \(rack.id)"))
            }
            let load = (context.pduLoadW[id] ?? 0) + c.powerW
            if let rating = pdu.ratingKW, load > rating * 1000 {
                out.append(.init(code: .overPDURating, field: "powered_by", message: "PDU \(id) would carry \(fmt(load / 1000)) kW, over its rating of \(fmt(rating)) kW"))
            } else if let rating = pdu.ratingKW, let now = context.measuredW[id], now + c.powerW > rating * 1000 {
                out.append(.init(code: .overPDURating, field: "powered_by", message: "PDU \(id) measures \(fmt(now / 1000)) kW now; with \(fmt(c.powerW / 1000)) kW more it would carry \(fmt((now + c.powerW) / 1000)) kW, over its rating of \(fmt(rating)) kW"))
            }
            if let fid = pdu.feed, let feed = floor.feed(fid) {
                let fload = (context.feedLoadW[fid] ?? 0) + c.powerW
                if fload > feed.availableKW * 1000 {
                    out.append(.init(code: .overFeedCapacity, field: "powered_by", message: "feed \(fid) (via \(id)) would carry \(fmt(fload / 1000)) kW, over its \(fmt(feed.availableKW)) kW (\(fmt(feed.voltage)) V × \(fmt(feed.breakerAmps)) A × \(fmt(feed.maxUtilizationPercent)) %)"))
                }
            }
        }
        return out
    }

    static func airflow(_ c: Mountable, rack: Rack, floor: Floor) -> [FitProblem] {
        guard let face = c.exhaustRackFace else { return [] }
        let tile = rack.tile.moved(rack.direction(of: face))
        guard let aisle = floor.aisle(at: tile, in: rack.room), aisle.kind == .cold else { return [] }
        return [.init(code: .exhaustIntoColdAisle, field: "airflow", message: "\(c.type.model) (\(c.airflow?.rawValue ?? "?")) mounted on the \(c.face.rawValue) face would exhaust into cold aisle \(aisle.id) at \(tile)")]
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

extension Floor {
    /// A device as the fit check sees it; nil when its type is unknown.
    public func mountable(_ d: Device) -> Mountable? {
        guard let t = deviceType(d.type) else { return nil }
        return Mountable(
            id: d.id, type: t, position: d.position, face: d.face, weightKg: d.weightKg, powerW: d.allocatedPowerW,
            airflow: d.airflow, poweredBy: d.poweredBy)
    }

    /// A PDU as the fit check sees it (its own draw is not counted); nil when its type is unknown.
    public func mountable(_ p: PDU) -> Mountable? {
        let t = p.type.flatMap(deviceType) ?? DeviceType(slug: "unknown-pdu", manufacturer: "", model: "PDU \(p.id)", height: .zero, isFullDepth: false)
        if p.type != nil && p.type.flatMap(deviceType) == nil { return nil }
        return Mountable(id: p.id, type: t, position: p.position, face: p.face, powerW: 0, airflow: .passive)
    }
}
