public import Telemetry

/// Everything needed to poll one Modbus device, compiled once at start from its profile:
/// points resolved and validated, requests planned (STYLE.md habit 5). Immutable.
public struct ModbusDevicePlan: Hashable, Sendable {
    /// The device (sensor) being read.
    public let device: CIID
    /// The profile it was compiled from.
    public let profile: String
    /// The Modbus unit id.
    public let unit: Int
    /// The points, in profile order.
    public let points: [ModbusPointPlan]
    /// The requests of one poll; `fields` index ``points``.
    public let requests: [ModbusRequest]
    /// Index of the point holding the device's own sample time (Unix seconds), if any.
    public let recordTimePoint: Int?

    /// "4 requests touching 52 input registers on unit 3", logged once at start.
    public var summary: String { RequestPlanner.summary(requests, unit: unit) }

    /// Compiles a profile for one device; configuration errors name the sensor, profile, point and key.
    public static func compile(profile: DeviceProfile, device: CIID, unit: Int) throws(ProfileError) -> ModbusDevicePlan {
        do {
            return try compile(profile: profile, device: device, unitID: unit)
        } catch {
            throw error.forSensor(device.rawValue)
        }
    }

    private static func compile(profile: DeviceProfile, device: CIID, unitID unit: Int) throws(ProfileError) -> ModbusDevicePlan {
        let name = profile.name
        guard let spec = profile.modbus else { throw .notModbus(name, sensor: nil) }
        guard (ModbusLimits.minUnit...ModbusLimits.maxUnit).contains(unit) else {
            throw ProfileError(.badEndpoint, profile: name, key: "unit", "unit id \(unit) is outside 1…247")
        }
        let options = try plannerOptions(spec.quirks, profile: name)
        var seen = Set<String>()
        var points: [ModbusPointPlan] = []
        for p in spec.points {
            guard let id = PointID(ci: device, name: p.name) else {
                throw ProfileError(
                    .badPointName, profile: name, point: p.name, key: "name",
                    "point names are 1–96 letters, digits, '-', '_' or '.'")
            }
            guard seen.insert(p.name).inserted else {
                throw ProfileError(.duplicatePoint, profile: name, point: p.name, key: "name", "two points have this name")
            }
            let (kind, address): (RegisterKind, Int)
            switch spec.base.resolve(p.address, kind: p.kind ?? spec.kind) {
            case .success(let r): (kind, address) = r
            case .failure(let problem):
                throw .address(problem, written: p.address, base: spec.base, profile: name, point: p.name)
            }
            let type = p.type ?? (kind.isBit ? .boolean : .uint16)
            guard kind.isBit == (type == .boolean) else {
                throw ProfileError(
                    .typeNotForKind, profile: name, point: p.name, key: "type",
                    "type \(type) cannot be read from \(kind.pluralName)" + (kind.isBit ? " (use bool)" : ""))
            }
            let limit = options.limit(for: kind)
            guard type.width <= limit else {
                throw ProfileError(
                    .registerCountOverLimit, profile: name, point: p.name, key: "type",
                    "\(type) spans \(type.width) units, over the limit of \(limit) per request")
            }
            guard address + type.width - 1 <= ModbusLimits.maxAddress else {
                throw ProfileError(.badAddress, profile: name, point: p.name, key: "address", "'\(p.address)' + \(type.width) runs past 65535")
            }
            if p.powerRole != nil, p.quantity != .activePower {
                throw ProfileError(
                    .badPowerRole, profile: name, point: p.name, key: "power_role",
                    "only active_power points have a power role (this one is \(p.quantity.rawValue))")
            }
            if let bad = p.bad, let overlap = bad.keys.first(where: { (p.absent ?? []).contains(Double($0)) }) {
                throw ProfileError(.badSentinel, profile: name, point: p.name, key: "bad", "\(overlap) is also listed under absent")
            }
            var range: ValidRange?
            if let bounds = p.range {
                switch ValidRange.parse(bounds) {
                case .success(let r): range = r
                case .failure(let problem): throw ProfileError(.badRange, profile: name, point: p.name, key: "range", problem.detail)
                }
            }
            let descriptor = PointDescriptor(id: id, quantity: p.quantity, unit: p.unit, states: p.states ?? [:], powerRole: p.powerRole)
            points.append(
                ModbusPointPlan(
                    descriptor: descriptor, kind: kind, address: address, type: type, order: p.order ?? spec.order ?? .abcd,
                    scale: p.scale ?? 1, offset: p.offset ?? 0, absent: Set(p.absent ?? []),
                    bad: Dictionary(uniqueKeysWithValues: (p.bad ?? [:]).map { (Double($0.key), $0.value) }), range: range))
        }
        if let problem = PowerRoleCheck.problem(spec.points.filter { $0.quantity == .activePower }.map { ($0.name, $0.powerRole, false) }) {
            throw ProfileError(.badPowerRole, profile: name, point: problem.point, key: "power_role", problem.detail)
        }
        var recordTimePoint: Int?
        if let rt = spec.recordTime {
            guard let i = spec.points.firstIndex(where: { $0.name == rt }), points[i].type.isNumber else {
                throw ProfileError(.badRecordTime, profile: name, key: "record_time", "'\(rt)' is not a numeric point of this profile")
            }
            recordTimePoint = i
        }
        for (i, p) in spec.points.enumerated() {
            for q in p.qualifiedBy ?? [] {
                guard let j = spec.points.firstIndex(where: { $0.name == q }), j != i, points[j].type.isNumber else {
                    throw ProfileError(
                        .badQualifier, profile: name, point: p.name, key: "qualified_by",
                        "'\(q)' is not another numeric point of this profile")
                }
                points[i].qualifiers.append(j)
            }
            points[i].conditions = try conditions(of: p, at: i, in: spec.points, plans: points, profile: name)
        }
        let fields = points.map { PlannerField(kind: $0.kind, address: $0.address, width: $0.width) }
        return ModbusDevicePlan(
            device: device, profile: name, unit: unit, points: points,
            requests: RequestPlanner.plan(fields, options: options), recordTimePoint: recordTimePoint)
    }

    /// A point's `absent_if` then `bad_if` entries, their point names resolved to indices (as
    /// `qualified_by` is): each must name another numeric point of the profile.
    private static func conditions(
        of p: ModbusPointSpec, at i: Int, in specs: [ModbusPointSpec], plans: [ModbusPointPlan], profile: String
    ) throws(ProfileError) -> [ModbusPointCondition] {
        var out: [ModbusPointCondition] = []
        for (key, entries, absent) in [("absent_if", p.absentIf ?? [], true), ("bad_if", p.badIf ?? [], false)] {
            for c in entries {
                guard let j = specs.firstIndex(where: { $0.name == c.point }), j != i, plans[j].type.isNumber else {
                    throw ProfileError(
                        .badCondition, profile: profile, point: p.name, key: key,
                        "'\(c.point)' is not another numeric point of this profile")
                }
                switch PointCondition.parse(absent: absent, equals: c.equals, notEquals: c.notEquals, reason: c.reason) {
                case .success(let condition): out.append(ModbusPointCondition(point: j, condition: condition))
                case .failure(let problem):
                    throw ProfileError(.badCondition, profile: profile, point: p.name, key: key, "'\(c.point)': \(problem.detail)")
                }
            }
        }
        return out
    }

    private static func plannerOptions(_ q: ModbusQuirks?, profile: String) throws(ProfileError) -> PlannerOptions {
        if let m = q?.maxRegisters, !(1...ModbusLimits.maxRegistersPerRequest).contains(m) {
            throw ProfileError(.badQuirk, profile: profile, key: "quirks.max_registers", "\(m) is outside 1…125")
        }
        if let m = q?.maxBits, !(1...ModbusLimits.maxBitsPerRequest).contains(m) {
            throw ProfileError(.badQuirk, profile: profile, key: "quirks.max_bits", "\(m) is outside 1…2000")
        }
        if let b = q?.bridgeHoles, b < 0 {
            throw ProfileError(.badQuirk, profile: profile, key: "quirks.bridge_holes", "\(b) is negative")
        }
        return PlannerOptions(q)
    }
}
