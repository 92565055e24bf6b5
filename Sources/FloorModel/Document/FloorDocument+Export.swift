import Telemetry

extension FloorDocument {
    /// The document of some floors (YAML export): the inverse of ``floors()`` for every
    /// floor it accepts. Device types are merged by slug, first definition wins.
    public init(floors: [Floor]) {
        var types: [DeviceTypeDoc] = []
        var seen: Set<String> = []
        for t in floors.flatMap(\.deviceTypes) where seen.insert(t.slug).inserted { types.append(DeviceTypeDoc(t)) }
        self.init(version: 1, deviceTypes: types, sites: floors.map(SiteDoc.init))
    }
}

extension DeviceTypeDoc {
    /// The entry of a device type.
    public init(_ t: DeviceType) {
        self.init(
            slug: t.slug, manufacturer: t.manufacturer, model: t.model, partNumber: t.partNumber, uHeight: t.height.units,
            isFullDepth: t.isFullDepth, airflow: t.airflow?.rawValue, weightKg: t.weightKg,
            ports: t.ports.map { PortDoc(name: $0.name, kind: $0.kind.rawValue, type: $0.type, maximumDrawW: $0.maximumDrawW, allocatedDrawW: $0.allocatedDrawW) })
    }
}

extension DeviceDoc {
    /// The entry of a device.
    public init(_ d: Device) {
        self.init(
            id: d.id.rawValue, name: d.name, type: d.type, position: d.position?.units, face: d.face.rawValue,
            airflow: d.airflow?.rawValue, weightKg: d.weightKg, allocatedPowerW: d.allocatedPowerW, measuredPowerW: d.measuredPowerW,
            poweredBy: d.poweredBy.map(\.rawValue), serial: d.serial, assetTag: d.assetTag, ownerUnit: d.ownerUnit,
            lifecycle: d.lifecycle.rawValue)
    }
}

extension SiteDoc {
    /// The entry of one site's floor.
    public init(_ f: Floor) {
        let rooms = f.rooms.map { room in
            RoomDoc(
                id: room.id.rawValue, name: room.name, grid: room.grid,
                aisles: f.aisles(in: room.id).map { AisleDoc(id: $0.id.rawValue, kind: $0.kind.rawValue, contained: $0.contained, from: $0.tiles.from.description, to: $0.tiles.to.description) },
                racks: f.racks.filter { $0.room == room.id }.map { RackDoc(floor: f, rack: $0) },
                tileSensors: f.sensors.compactMap { s in
                    guard case .tile(let r, let t) = s.location, r == room.id else { return nil }
                    return TileSensorDoc(id: s.id.rawValue, kind: s.kind.rawValue, tile: t.description, model: s.model)
                })
        }
        let unracked = f.devices.filter { $0.rack == nil }.map(DeviceDoc.init)
        self.init(
            id: f.site.id.rawValue, name: f.site.name, kind: f.site.kind.rawValue, timeZone: f.site.timeZone, rooms: rooms,
            powerFeeds: f.feeds.map {
                FeedDoc(id: $0.id.rawValue, panel: $0.panel, side: $0.side.rawValue, phase: $0.phase.rawValue, voltage: $0.voltage, breakerA: $0.breakerAmps, maxUtilizationPercent: $0.maxUtilizationPercent)
            },
            cables: f.cables.map {
                CableDoc(
                    id: $0.id.rawValue, a: PortRefDoc(device: $0.a.device.rawValue, port: $0.a.port), b: PortRefDoc(device: $0.b.device.rawValue, port: $0.b.port),
                    type: $0.type.rawValue, label: $0.label, lengthM: $0.lengthM, status: $0.status.rawValue)
            },
            services: f.services.map { ServiceDoc(id: $0.id.rawValue, name: $0.name, hostedOn: $0.hostedOn.map(\.rawValue), criticality: $0.criticality) },
            unrackedDevices: unracked.isEmpty ? nil : unracked)
    }
}

extension RackDoc {
    /// The entry of a rack with its PDUs, devices and sensors.
    public init(floor f: Floor, rack r: Rack) {
        self.init(
            id: r.id.rawValue, tile: r.tile.description, facing: r.facing.rawValue, heightU: r.heightU, startingUnit: r.startingUnit,
            widthMM: r.widthMM, depthMM: r.depthMM, maxWeightKg: r.maxWeightKg, powerBudgetKW: r.powerBudgetKW,
            coolingBudgetKW: r.coolingBudgetKW, status: r.status.rawValue,
            pdus: f.pdus.filter { $0.rack == r.id }.map {
                PDUDoc(id: $0.id.rawValue, side: $0.side.rawValue, feed: $0.feed?.rawValue, type: $0.type, position: $0.position?.units, face: $0.face.rawValue, ratingKW: $0.ratingKW, serial: $0.serial, lifecycle: $0.lifecycle.rawValue)
            },
            devices: f.devices(in: r.id).map(DeviceDoc.init),
            sensors: f.sensors.compactMap { s in
                guard case .rack(let rid, let p, let face) = s.location, rid == r.id else { return nil }
                return RackSensorDoc(id: s.id.rawValue, kind: s.kind.rawValue, position: p.units, face: face.rawValue, model: s.model)
            })
    }
}
