public import Telemetry

extension Floor {
    /// Every problem in the floor, keyed by object and field, in a stable order.
    /// Rack placement is replayed device by device through ``FitCheck`` (the one fit check),
    /// bottom-up per rack, so an overlap or an overload is reported once, on the device that
    /// causes it.
    public func validate() -> [FloorProblem] {
        var out: [FloorProblem] = []
        out += validateIDs()
        out += validateRooms()
        out += validateRacks()
        out += validateDeviceTypes()
        out += validatePower()
        out += validatePlacements()
        out += validateSensors()
        out += validateCables()
        out += validateServices()
        return out
    }

    // MARK: Identity

    /// Every CI id of the floor with what it names ("site", "room", "rack", …), in document order.
    public var ciIDs: [(id: CIID, kind: String)] {
        [(site.id, "site")] + rooms.map { ($0.id, "room") } + aisles.map { ($0.id, "aisle") } + racks.map { ($0.id, "rack") }
            + devices.map { ($0.id, "device") } + feeds.map { ($0.id, "power feed") } + pdus.map { ($0.id, "PDU") }
            + sensors.map { ($0.id, "sensor") } + cables.map { ($0.id, "cable") } + services.map { ($0.id, "service") }
    }

    func validateIDs() -> [FloorProblem] {
        var seen: [CIID: String] = [:]
        var out: [FloorProblem] = []
        for (id, kind) in ciIDs {
            if let first = seen[id] {
                out.append(.init(object: id.rawValue, field: "id", code: .duplicateID, message: "id \(id) is used by a \(first) and a \(kind); CI ids are unique in a site"))
            } else {
                seen[id] = kind
            }
        }
        var slugs: Set<String> = []
        for t in deviceTypes where !slugs.insert(t.slug).inserted {
            out.append(.init(object: t.slug, field: "slug", code: .duplicateID, message: "device type \(t.slug) is defined twice"))
        }
        return out
    }

    // MARK: Rooms, aisles, racks

    func validateRooms() -> [FloorProblem] {
        var out: [FloorProblem] = []
        for r in rooms {
            let o = r.id.rawValue
            if r.grid.tileMM <= 0 { out.append(.init(object: o, field: "grid.tile_mm", code: .invalidValue, message: "tile size \(r.grid.tileMM) mm must be positive")) }
            if !(1...26).contains(r.grid.rows) { out.append(.init(object: o, field: "grid.rows", code: .invalidValue, message: "\(r.grid.rows) rows: a grid has 1–26 rows (A–Z)")) }
            if r.grid.columns < 1 { out.append(.init(object: o, field: "grid.columns", code: .invalidValue, message: "\(r.grid.columns) columns: a grid has at least 1")) }
        }
        for a in aisles {
            guard let room = room(a.room) else {
                out.append(.init(object: a.id.rawValue, field: "room", code: .unknownReference, message: "room \(a.room) does not exist"))
                continue
            }
            if !room.grid.contains(a.tiles.from) || !room.grid.contains(a.tiles.to) {
                out.append(.init(object: a.id.rawValue, field: "tiles", code: .outsideRoom, message: "tiles \(a.tiles) leave room \(room.id) (\(room.grid.rows) rows × \(room.grid.columns) columns)"))
            }
        }
        return out
    }

    func validateRacks() -> [FloorProblem] {
        var out: [FloorProblem] = []
        var tiles: [String: CIID] = [:]
        for r in racks {
            let o = r.id.rawValue
            if !(1...100).contains(r.heightU) { out.append(.init(object: o, field: "height_u", code: .invalidValue, message: "height \(r.heightU) U must be 1–100")) }
            if r.startingUnit < 1 { out.append(.init(object: o, field: "starting_unit", code: .invalidValue, message: "starting unit \(r.startingUnit) must be at least 1")) }
            if r.widthMM <= 0 { out.append(.init(object: o, field: "width_mm", code: .invalidValue, message: "width \(r.widthMM) mm must be positive")) }
            if r.depthMM <= 0 { out.append(.init(object: o, field: "depth_mm", code: .invalidValue, message: "depth \(r.depthMM) mm must be positive")) }
            for (field, v) in [("max_weight_kg", r.maxWeightKg), ("power_budget_kw", r.powerBudgetKW), ("cooling_budget_kw", r.coolingBudgetKW)] {
                if let v, !(v >= 0) { out.append(.init(object: o, field: field, code: .invalidValue, message: "\(v) must not be negative")) }
            }
            guard let room = room(r.room) else {
                out.append(.init(object: o, field: "room", code: .unknownReference, message: "room \(r.room) does not exist"))
                continue
            }
            if !room.grid.contains(r.tile) {
                out.append(.init(object: o, field: "tile", code: .outsideRoom, message: "tile \(r.tile) is outside room \(room.id) (rows A–\(Tile(row: room.grid.rows - 1, column: 1).rowLetter), columns 1–\(room.grid.columns))"))
            }
            let key = "\(r.room)/\(r.tile)"
            if let other = tiles[key] {
                out.append(.init(object: o, field: "tile", code: .tileTaken, message: "tile \(r.tile) already holds rack \(other)"))
            } else {
                tiles[key] = r.id
            }
            if let a = aisle(at: r.tile, in: r.room) {
                out.append(.init(object: o, field: "tile", code: .tileTaken, message: "tile \(r.tile) is in \(a.kind.rawValue) aisle \(a.id)"))
            }
        }
        return out
    }

    func validateDeviceTypes() -> [FloorProblem] {
        var out: [FloorProblem] = []
        for t in deviceTypes {
            if t.height.halves < 0 { out.append(.init(object: t.slug, field: "u_height", code: .invalidValue, message: "height \(t.height) U must not be negative")) }
            if let w = t.weightKg, !(w >= 0) { out.append(.init(object: t.slug, field: "weight", code: .invalidValue, message: "weight \(w) kg must not be negative")) }
        }
        return out
    }

    // MARK: Power

    func validatePower() -> [FloorProblem] {
        var out: [FloorProblem] = []
        for f in feeds {
            let o = f.id.rawValue
            if !(f.voltage > 0) { out.append(.init(object: o, field: "voltage", code: .invalidValue, message: "voltage \(f.voltage) must be positive")) }
            if !(f.breakerAmps > 0) { out.append(.init(object: o, field: "breaker_a", code: .invalidValue, message: "breaker rating \(f.breakerAmps) A must be positive")) }
            if !(f.maxUtilizationPercent > 0 && f.maxUtilizationPercent <= 100) {
                out.append(.init(object: o, field: "max_utilization_percent", code: .invalidValue, message: "\(f.maxUtilizationPercent) % must be in (0, 100]"))
            }
        }
        for p in pdus {
            let o = p.id.rawValue
            if rack(p.rack) == nil { out.append(.init(object: o, field: "rack", code: .unknownReference, message: "rack \(p.rack) does not exist")) }
            if let t = p.type, deviceType(t) == nil { out.append(.init(object: o, field: "type", code: .unknownReference, message: "device type \(t) does not exist")) }
            if let r = p.ratingKW, !(r >= 0) { out.append(.init(object: o, field: "rating_kw", code: .invalidValue, message: "rating \(r) kW must not be negative")) }
            if let fid = p.feed {
                if let f = feed(fid) {
                    if f.side != p.side { out.append(.init(object: o, field: "feed", code: .feedSideMismatch, message: "PDU on side \(p.side.rawValue) is plugged into feed \(fid) of side \(f.side.rawValue)")) }
                } else {
                    out.append(.init(object: o, field: "feed", code: .unknownReference, message: "power feed \(fid) does not exist"))
                }
            }
        }
        return out
    }

    // MARK: Placement (the fit check, replayed)

    func validatePlacements() -> [FloorProblem] {
        var out: [FloorProblem] = []
        var placed: [CIID: [Mountable]] = [:]
        var pduLoad: [CIID: Double] = [:]
        var feedLoad: [CIID: Double] = [:]
        // PDUs first: they take their units before devices are placed.
        for p in pdus.sorted(by: { ($0.rack, $0.id) < ($1.rack, $1.id) }) where p.lifecycle.occupiesSpace {
            guard let rack = rack(p.rack), let m = mountable(p) else { continue }
            if m.type.height.halves > 0 || m.position != nil {
                let ctx = FitContext(occupants: placed[rack.id] ?? [])
                out += FitCheck.space(m, rack: rack, context: ctx).map { .init(object: p.id.rawValue, field: $0.field, code: $0.code, message: $0.message) }
            }
            placed[rack.id, default: []].append(m)
        }
        let order = devices.sorted { a, b in
            (a.rack?.rawValue ?? "", a.position?.halves ?? -1, a.id.rawValue) < (b.rack?.rawValue ?? "", b.position?.halves ?? -1, b.id.rawValue)
        }
        for d in order {
            let o = d.id.rawValue
            guard let m = mountable(d) else {
                out.append(.init(object: o, field: "type", code: .unknownReference, message: "device type \(d.type) does not exist"))
                continue
            }
            if let w = d.weightKg, !(w >= 0) { out.append(.init(object: o, field: "weight_kg", code: .invalidValue, message: "weight \(w) kg must not be negative")) }
            if let w = d.allocatedPowerW, !(w >= 0) { out.append(.init(object: o, field: "allocated_power_w", code: .invalidValue, message: "allocated power \(w) W must not be negative")) }
            guard let rid = d.rack else {
                if d.position != nil { out.append(.init(object: o, field: "position", code: .invalidValue, message: "a position needs a rack")) }
                continue
            }
            guard let rack = rack(rid) else {
                out.append(.init(object: o, field: "rack", code: .unknownReference, message: "rack \(rid) does not exist"))
                continue
            }
            guard d.lifecycle.occupiesSpace else { continue }
            let ctx = FitContext(occupants: placed[rid] ?? [], pduLoadW: pduLoad, feedLoadW: feedLoad)
            out += FitCheck.problems(m, in: rack, floor: self, context: ctx).map { .init(object: o, field: $0.field, code: $0.code, message: $0.message) }
            placed[rid, default: []].append(m)
            for p in Set(d.poweredBy) {
                pduLoad[p, default: 0] += m.powerW
                if let f = pdu(p)?.feed { feedLoad[f, default: 0] += m.powerW }
            }
        }
        return out
    }

    // MARK: Sensors, cables, services

    func validateSensors() -> [FloorProblem] {
        var out: [FloorProblem] = []
        for s in sensors {
            let o = s.id.rawValue
            switch s.location {
            case .rack(let rid, let position, _):
                guard let r = rack(rid) else {
                    out.append(.init(object: o, field: "rack", code: .unknownReference, message: "rack \(rid) does not exist"))
                    continue
                }
                if position < r.span.bottom || position >= r.span.end {
                    out.append(.init(object: o, field: "position", code: .outsideRack, message: "U\(position) is outside \(rid) (\(r.span))"))
                }
            case .tile(let roomID, let tile):
                guard let room = room(roomID) else {
                    out.append(.init(object: o, field: "room", code: .unknownReference, message: "room \(roomID) does not exist"))
                    continue
                }
                if !room.grid.contains(tile) { out.append(.init(object: o, field: "tile", code: .outsideRoom, message: "tile \(tile) is outside room \(roomID)")) }
            }
        }
        return out
    }

    func validateCables() -> [FloorProblem] {
        var out: [FloorProblem] = []
        var used: [PortRef: CIID] = [:]
        for c in cables {
            let o = c.id.rawValue
            if c.a == c.b { out.append(.init(object: o, field: "b", code: .invalidValue, message: "both ends are \(c.a)")) }
            if let l = c.lengthM, !(l > 0) { out.append(.init(object: o, field: "length_m", code: .invalidValue, message: "length \(l) m must be positive")) }
            for (field, end) in [("a", c.a), ("b", c.b)] {
                guard device(end.device) != nil else {
                    out.append(.init(object: o, field: field, code: .unknownReference, message: "device \(end.device) does not exist"))
                    continue
                }
                if !ports(of: end.device).contains(where: { $0.name == end.port }) {
                    out.append(.init(object: o, field: field, code: .unknownReference, message: "device \(end.device) has no port '\(end.port)'"))
                    continue
                }
                if c.status != .decommissioning {
                    if let other = used[end] {
                        out.append(.init(object: o, field: field, code: .portInUse, message: "port \(end) is already used by cable \(other)"))
                    } else {
                        used[end] = c.id
                    }
                }
            }
        }
        return out
    }

    func validateServices() -> [FloorProblem] {
        services.flatMap { s in
            var out = s.hostedOn.filter { device($0) == nil }.map {
                FloorProblem(object: s.id.rawValue, field: "hosted_on", code: .unknownReference, message: "device \($0) does not exist")
            }
            if let c = s.criticality, !Service.criticalities.contains(c) {
                out.append(
                    FloorProblem(
                        object: s.id.rawValue, field: "criticality", code: .invalidValue,
                        message: "service \(s.id) has criticality \(c); use 1 (most critical), 2 or 3 (least critical), or leave it out (counts as 3)"))
            }
            return out
        }
    }
}
