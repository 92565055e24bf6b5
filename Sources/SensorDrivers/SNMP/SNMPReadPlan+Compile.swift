public import Telemetry

extension SNMPReadPlan {
    /// Validates `spec` for `sensor` and compiles it; every error names the sensor, the point and the key.
    public static func compile(_ spec: SNMPProfileSpec, sensor: CIID) throws(SNMPError) -> SNMPReadPlan {
        func fail(_ text: String) -> SNMPError { .configuration(sensor: sensor.rawValue, text) }
        guard !spec.points.isEmpty || !spec.tables.isEmpty else {
            throw fail("the SNMP profile has no points and no tables")
        }
        let maxVarBinds = spec.maxVarBinds ?? defaultMaxVarBinds
        guard (1...128).contains(maxVarBinds) else { throw fail("max_varbinds \(maxVarBinds) is not in 1…128") }
        let maxRepetitions = spec.maxRepetitions ?? defaultMaxRepetitions
        guard (1...200).contains(maxRepetitions) else {
            throw fail("max_repetitions \(maxRepetitions) is not in 1…200")
        }
        var names: Set<String> = []
        var scalars: [Scalar] = []
        for (i, p) in spec.points.enumerated() {
            let at = "points[\(i)] '\(p.name)'"
            guard PointID.isValidName(p.name) else { throw fail("\(at): name is not a valid point name") }
            guard names.insert(p.name).inserted else { throw fail("\(at): duplicate point name") }
            guard let oid = SNMPOID(p.oid) else { throw fail("\(at): oid '\(p.oid)' is not a numeric OID") }
            let rule = try rule(p.conversion, name: p.name, at: at, fail: fail)
            var decimals: SNMPOID?
            if let d = p.conversion.decimalsOID {
                guard let o = SNMPOID(d) else { throw fail("\(at): decimals_oid '\(d)' is not a numeric OID") }
                decimals = o
            }
            let conditions = try conditions(p.conversion, sample: nil, at: at, fail: fail)
            scalars.append(Scalar(rule: rule, oid: oid, decimalsOID: decimals, conditions: conditions))
        }
        var tables: [Table] = []
        for (i, t) in spec.tables.enumerated() {
            let at = "tables[\(i)] '\(t.name)'"
            guard let root = SNMPOID(t.walk) else { throw fail("\(at): walk '\(t.walk)' is not a numeric OID") }
            var pattern: [UInt32?]?
            if let text = t.index {
                pattern = try text.split(separator: ".", omittingEmptySubsequences: false).map {
                    (part) throws(SNMPError) -> UInt32? in
                    if part == "*" { return nil }
                    guard let a = UInt32(part) else { throw fail("\(at): index '\(text)' is not arcs and '*'") }
                    return a
                }
            }
            let sample = pattern.map { $0.map { $0 ?? 1 } } ?? [1]
            guard t.name.contains("{"), let sampleName = expand(t.name, index: sample),
                PointID.isValidName(sampleName)
            else {
                throw fail(
                    "\(at): name must be a template with {index} or {1}…{\(sample.count)} giving a valid point name")
            }
            guard names.insert(t.name).inserted else { throw fail("\(at): duplicate point name") }
            let rule = try rule(t.conversion, name: t.name, at: at, fail: fail)
            let decimals = try t.conversion.decimalsOID.map { (d) throws(SNMPError) in
                try template(d, sample: sample, at: "\(at): decimals_oid", fail: fail)
            }
            let conditions = try conditions(t.conversion, sample: sample, at: at, fail: fail)
            let table = Table(rule: rule, root: root, pattern: pattern, decimals: decimals, conditions: conditions)
            tables.append(table)
        }
        let power =
            scalars.filter { $0.rule.quantity == .activePower }.map { ($0.rule.name, $0.rule.powerRole, false) }
            + tables.filter { $0.rule.quantity == .activePower }.map { ($0.rule.name, $0.rule.powerRole, true) }
        if let problem = PowerRoleCheck.problem(power) { throw fail("'\(problem.point)': \(problem.detail)") }
        return SNMPReadPlan(
            sensor: sensor, scalars: scalars, tables: tables, maxVarBinds: maxVarBinds, maxRepetitions: maxRepetitions)
    }

    /// A point's `absent_if` then `bad_if` entries; `sample` is a row index for a table (OIDs may
    /// be templates), nil for a scalar (plain OIDs).
    private static func conditions(
        _ c: SNMPConversionSpec, sample: [UInt32]?, at: String, fail: (String) -> SNMPError
    ) throws(SNMPError) -> [Condition] {
        var out: [Condition] = []
        for (key, entries, absent) in [("absent_if", c.absentIf ?? [], true), ("bad_if", c.badIf ?? [], false)] {
            for (k, e) in entries.enumerated() {
                let where_ = entries.count > 1 ? "\(at): \(key)[\(k)]" : "\(at): \(key)"
                let arcs: [TemplateArc]
                if let sample {
                    arcs = try template(e.oid, sample: sample, at: "\(where_) oid", fail: fail)
                } else {
                    guard let o = SNMPOID(e.oid) else { throw fail("\(where_) oid '\(e.oid)' is not a numeric OID") }
                    arcs = o.components.map(TemplateArc.arc)
                }
                let parsed = PointCondition.parse(
                    absent: absent, equals: e.equals?.map(Double.init), notEquals: e.notEquals?.map(Double.init),
                    reason: e.reason)
                switch parsed {
                case .success(let condition): out.append(Condition(template: arcs, condition: condition))
                case .failure(let problem): throw fail("\(where_): \(problem.detail)")
                }
            }
        }
        return out
    }

    /// Parses an OID template (`1.3.6.1.4.1.13742.6.3.3.4.1.7.1.{index}`) and checks it gives an OID.
    private static func template(
        _ text: String, sample: [UInt32], at: String, fail: (String) -> SNMPError
    ) throws(SNMPError) -> [TemplateArc] {
        let arcs = try text.split(separator: ".", omittingEmptySubsequences: false).map {
            (part) throws(SNMPError) -> TemplateArc in
            if part == "{index}" { return .index }
            if part.hasPrefix("{"), part.hasSuffix("}"), let k = Int(part.dropFirst().dropLast()),
                (1...sample.count).contains(k)
            {
                return .indexArc(k)
            }
            guard let a = UInt32(part) else { throw fail("\(at) '\(text)' is not numeric arcs and {index}") }
            return .arc(a)
        }
        guard instantiate(arcs, index: sample) != nil else { throw fail("\(at) '\(text)' is not a numeric OID") }
        return arcs
    }

    private static func rule(
        _ c: SNMPConversionSpec, name: String, at: String, fail: (String) -> SNMPError
    ) throws(SNMPError) -> SNMPPointRule {
        guard let quantity = Quantity(rawValue: c.quantity) else {
            throw fail(
                "\(at): quantity '\(c.quantity)' is not one of \(Quantity.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        var unit = Telemetry.Unit.none
        if let u = c.unit, !u.isEmpty {
            guard let parsed = Telemetry.Unit(spelling: u) else { throw fail("\(at): unit '\(u)' is not known") }
            unit = parsed
        }
        var scale = SNMPScale.one
        if let f = c.scale {
            guard let s = SNMPScale(f) else {
                throw fail("\(at): scale \(f) is not a non-zero decimal of at most 12 places")
            }
            scale = s
        }
        let offset = c.offset ?? 0
        guard offset.isFinite else { throw fail("\(at): offset is not finite") }
        if let states = c.states, states.values.contains(where: \.isEmpty) {
            throw fail("\(at): a state has an empty name")
        }
        var powerRole: PowerRole?
        if let text = c.powerRole {
            guard let role = PowerRole(rawValue: text) else {
                throw fail("\(at): power_role '\(text)' is not one of \(PowerRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard quantity == .activePower else {
                throw fail("\(at): power_role is for active_power points only (this one is \(quantity.rawValue))")
            }
            powerRole = role
        }
        let badWhen = Dictionary(uniqueKeysWithValues: (c.badWhen ?? [:]).map { (Int64($0.key), $0.value) })
        if let overlap = badWhen.keys.first(where: { (c.absentWhen ?? []).contains($0) }) {
            throw fail("\(at): bad_when \(overlap) is also listed under absent_when")
        }
        var range: ValidRange?
        if let bounds = c.range {
            switch ValidRange.parse(bounds) {
            case .success(let r): range = r
            case .failure(let problem): throw fail("\(at): range \(problem.detail)")
            }
        }
        return SNMPPointRule(
            name: name, quantity: quantity, unit: unit, scale: scale, offset: offset, states: c.states ?? [:],
            absentWhen: Set(c.absentWhen ?? []), encoding: c.encoding ?? .number, rate: c.rate ?? false, badWhen: badWhen,
            powerRole: powerRole, range: range)
    }
}
