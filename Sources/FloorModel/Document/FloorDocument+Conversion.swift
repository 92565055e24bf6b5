import Telemetry

/// Why a floor document was refused: every problem, keyed by object and field. Nothing of
/// the document is used when there is one (all or nothing).
public struct FloorDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Every problem found.
    public var problems: [FloorProblem]

    /// Creates the error.
    public init(problems: [FloorProblem]) { self.problems = problems }

    /// One line per problem.
    public var description: String {
        "floor document refused, \(problems.count) problem(s):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension FloorDocument {
    /// Converts the document into one ``Floor`` per site and validates each. Returns every
    /// floor, or throws every problem (conversion and validation) and returns nothing.
    public func floors() throws(FloorDocumentError) -> [Floor] {
        var c = Converter()
        let types = deviceTypes.compactMap { c.deviceType($0) }
        if version != 1 { c.problem("document", "version", .invalidValue, "version \(version) is not supported (1)") }
        let floors = sites.map { c.floor($0, types: types) }
        var problems = c.problems
        if problems.isEmpty { problems = floors.flatMap { $0.validate() } }
        guard problems.isEmpty else { throw FloorDocumentError(problems: problems) }
        return floors
    }
}

/// Collects conversion problems while mapping document entries to model values.
struct Converter {
    var problems: [FloorProblem] = []

    mutating func problem(_ object: String, _ field: String, _ code: FloorProblem.Code, _ message: String) {
        problems.append(.init(object: object, field: field, code: code, message: message))
    }

    mutating func id(_ text: String, _ object: String, _ field: String = "id") -> CIID {
        if let id = CIID(validating: text) { return id }
        problem(object, field, .invalidValue, "'\(text)' is not a valid CI id (letters, digits, '-', '_', '.'; at most 64)")
        return CIID(unchecked: text)
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ text: String?, _ default: E?, _ object: String, _ field: String) -> E?
    where E.RawValue == String {
        guard let text else {
            if `default` == nil { problem(object, field, .invalidValue, "\(field) is missing") }
            return `default`
        }
        if let v = E(rawValue: text) { return v }
        problem(object, field, .unknownEnumValue, "'\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }

    mutating func position(_ value: Double?, _ object: String, _ field: String = "position") -> HalfU? {
        guard let value else { return nil }
        if let h = HalfU(exactly: value), h.halves > 0 { return h }
        problem(object, field, .invalidValue, "position \(value) must be a positive multiple of 0.5")
        return nil
    }

    mutating func tile(_ text: String, _ object: String, _ field: String) -> Tile {
        if let t = Tile(text) { return t }
        problem(object, field, .invalidValue, "'\(text)' is not a tile (row letter A–Z and column number, e.g. C07)")
        return Tile(row: 0, column: 1)
    }

    mutating func nonNegative(_ v: Double?, _ object: String, _ field: String) -> Double? {
        if let v, !(v >= 0) { problem(object, field, .invalidValue, "\(v) must not be negative") }
        return v
    }

    mutating func deviceType(_ d: DeviceTypeDoc) -> DeviceType? {
        let o = d.slug
        var height = HalfU.zero
        if let h = HalfU(exactly: d.uHeight), h.halves >= 0 { height = h } else { problem(o, "u_height", .invalidValue, "height \(d.uHeight) must be a non-negative multiple of 0.5") }
        let airflow: Airflow? = d.airflow == nil ? nil : choice(d.airflow, nil, o, "airflow")
        var ports: [PortTemplate] = []
        for p in d.ports ?? [] {
            guard let kind: PortKind = choice(p.kind, nil, o, "ports.\(p.name).kind") else { continue }
            ports.append(PortTemplate(name: p.name, kind: kind, type: p.type, maximumDrawW: nonNegative(p.maximumDrawW, o, "ports.\(p.name).maximum_draw_w"), allocatedDrawW: nonNegative(p.allocatedDrawW, o, "ports.\(p.name).allocated_draw_w")))
        }
        return DeviceType(slug: d.slug, manufacturer: d.manufacturer, model: d.model, partNumber: d.partNumber, height: height, isFullDepth: d.isFullDepth ?? true, airflow: airflow, weightKg: nonNegative(d.weightKg, o, "weight_kg"), ports: ports)
    }

    mutating func floor(_ s: SiteDoc, types: [DeviceType]) -> Floor {
        let siteID = id(s.id, s.id)
        let kind: SiteKind = choice(s.kind, nil, s.id, "kind") ?? .dc
        var floor = Floor(site: Site(id: siteID, name: s.name ?? s.id, kind: kind, timeZone: s.timeZone ?? "UTC"), deviceTypes: types)
        for f in s.powerFeeds ?? [] {
            floor.feeds.append(PowerFeed(id: id(f.id, f.id), panel: f.panel, side: choice(f.side, nil, f.id, "side") ?? .a, phase: choice(f.phase, Phase.single, f.id, "phase") ?? .single, voltage: f.voltage ?? 230, breakerAmps: f.breakerA ?? 32, maxUtilizationPercent: f.maxUtilizationPercent ?? 80))
        }
        for r in s.rooms { room(r, into: &floor) }
        for d in s.unrackedDevices ?? [] { floor.devices.append(device(d, rack: nil)) }
        for c in s.cables ?? [] {
            let cable = Cable(
                id: id(c.id, c.id), a: PortRef(device: id(c.a.device, c.id, "a.device"), port: c.a.port),
                b: PortRef(device: id(c.b.device, c.id, "b.device"), port: c.b.port), type: choice(c.type, nil, c.id, "type") ?? .cat6,
                label: c.label ?? c.id, lengthM: c.lengthM, status: choice(c.status, CableStatus.connected, c.id, "status") ?? .connected)
            floor.cables.append(cable)
        }
        for v in s.services ?? [] {
            floor.services.append(
                Service(id: id(v.id, v.id), name: v.name, hostedOn: v.hostedOn.map { id($0, v.id, "hosted_on") }, criticality: v.criticality))
        }
        return floor
    }

    mutating func room(_ r: RoomDoc, into floor: inout Floor) {
        let roomID = id(r.id, r.id)
        floor.rooms.append(Room(id: roomID, name: r.name ?? r.id, grid: r.grid))
        for a in r.aisles ?? [] {
            let kind: AisleKind = choice(a.kind, nil, a.id, "kind") ?? .cold
            floor.aisles.append(Aisle(id: id(a.id, a.id), room: roomID, kind: kind, contained: a.contained ?? false, tiles: TileRect(from: tile(a.from, a.id, "from"), to: tile(a.to, a.id, "to"))))
        }
        for s in r.tileSensors ?? [] {
            floor.sensors.append(SensorPlacement(id: id(s.id, s.id), kind: choice(s.kind, nil, s.id, "kind") ?? .temperatureHumidity, location: .tile(room: roomID, tile: tile(s.tile, s.id, "tile")), model: s.model))
        }
        for k in r.racks ?? [] { rack(k, room: roomID, into: &floor) }
    }

    mutating func rack(_ k: RackDoc, room: CIID, into floor: inout Floor) {
        let o = k.id
        let rackID = id(k.id, o)
        let rack = Rack(
            id: rackID, room: room, tile: tile(k.tile, o, "tile"), facing: choice(k.facing, nil, o, "facing") ?? .north,
            heightU: k.heightU ?? 42, startingUnit: k.startingUnit ?? 1, widthMM: k.widthMM ?? 600, depthMM: k.depthMM ?? 1200,
            maxWeightKg: k.maxWeightKg, powerBudgetKW: k.powerBudgetKW, coolingBudgetKW: k.coolingBudgetKW,
            status: choice(k.status, Lifecycle.active, o, "status") ?? .active)
        floor.racks.append(rack)
        for p in k.pdus ?? [] {
            floor.pdus.append(PDU(
                id: id(p.id, p.id), rack: rackID, side: choice(p.side, nil, p.id, "side") ?? .a, feed: p.feed.map { id($0, p.id, "feed") },
                type: p.type, position: position(p.position, p.id), face: choice(p.face, RackFace.rear, p.id, "face") ?? .rear,
                ratingKW: p.ratingKW, serial: p.serial, lifecycle: choice(p.lifecycle, Lifecycle.active, p.id, "lifecycle") ?? .active))
        }
        for d in k.devices ?? [] { floor.devices.append(device(d, rack: rackID)) }
        for s in k.sensors ?? [] {
            let face: RackFace = choice(s.face, nil, s.id, "face") ?? .front
            let pos = position(s.position, s.id) ?? HalfU(units: 1)
            floor.sensors.append(SensorPlacement(id: id(s.id, s.id), kind: choice(s.kind, nil, s.id, "kind") ?? .temperatureHumidity, location: .rack(rackID, position: pos, face: face), model: s.model))
        }
    }

    mutating func device(_ d: DeviceDoc, rack: CIID?) -> Device {
        let airflow: Airflow? = d.airflow == nil ? nil : choice(d.airflow, nil, d.id, "airflow")
        return Device(
            id: id(d.id, d.id), name: d.name, type: d.type, rack: rack, position: position(d.position, d.id),
            face: choice(d.face, RackFace.front, d.id, "face") ?? .front, airflow: airflow, weightKg: d.weightKg,
            allocatedPowerW: d.allocatedPowerW, measuredPowerW: d.measuredPowerW,
            poweredBy: (d.poweredBy ?? []).map { id($0, d.id, "powered_by") }, serial: d.serial, assetTag: d.assetTag,
            ownerUnit: d.ownerUnit, lifecycle: choice(d.lifecycle, Lifecycle.active, d.id, "lifecycle") ?? .active)
    }
}
