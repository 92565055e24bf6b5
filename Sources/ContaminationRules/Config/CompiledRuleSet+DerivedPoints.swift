public import Telemetry

extension CompiledRuleSet {
    /// Every derived point the rules may write (DESIGN decision 8), for the store to register:
    /// `ROOM/ashrae_class`, `PROBE/dew_point`, `MON/<metal>.rate30`, `MON/isa_level`,
    /// `CTR/<channel>.per_m3`, `CTR/iso_class`, `CI/power_total` and `RACK/power_total`. Sorted by id.
    public var derivedPoints: [PointDescriptor] {
        var result: [PointID: PointDescriptor] = [:]
        func add(_ ci: CIID, _ name: String, _ q: Quantity, _ u: Telemetry.Unit, states: [Int: String] = [:]) {
            // A derived point never takes the id of a measured one (a probe that reports its own
            // dew point keeps its reading): the engine drops such readings too (`isMeasured`).
            guard let id = PointID(ci: ci, name: name), !isMeasured(id) else { return }
            result[id] = PointDescriptor(id: id, quantity: q, unit: u, states: states, derived: true)
        }
        let ashraeStates = Dictionary(uniqueKeysWithValues: ASHRAEClass.allCases.map { ($0.rawValue, $0.description) })
        let isaStates = Dictionary(uniqueKeysWithValues: CorrosionLevel.allCases.map { ($0.rawValue, $0.description) })
        for rule in rules {
            switch rule.kind {
            case .envelope(let probes, _):
                for (room, list) in probes where !list.isEmpty {
                    add(room, "ashrae_class", .classification, .none, states: ashraeStates)
                    for p in list { add(p.temperature.ci, "dew_point", .dewPoint, .celsius) }
                }
            case .corrosion(_, _, _, _, let monitors):
                for m in monitors {
                    if m.copper != nil { add(m.ci, "copper.rate30", .corrosionRate, .angstromPer30Days) }
                    if m.silver != nil { add(m.ci, "silver.rate30", .corrosionRate, .angstromPer30Days) }
                    add(m.ci, "isa_level", .classification, .none, states: isaStates)
                }
            case .particles(_, _, _, let counters):
                for c in counters {
                    for p in c.channels.keys { add(c.ci, "\(p.name).per_m3", .particleConcentration, .perCubicMetre) }
                    add(c.ci, "iso_class", .classification, .none)
                }
            case .clock(_, let points):
                for p in points { add(p.ci, "clock_offset", .duration, .second) }
            default:
                break
            }
        }
        for ci in Array(power.devices.keys) + Array(power.racks.keys) {
            add(ci, PowerTree.totalPointName, .activePower, .watt)
        }
        return result.values.sorted { PointID.byParts($0.id, $1.id) }
    }
}

extension CompiledRuleSet {
    /// True for a point a device reports (the topology holds measured points only): the rules
    /// never write a derived reading under its id.
    func isMeasured(_ id: PointID) -> Bool { topology.points[id] != nil }
}
