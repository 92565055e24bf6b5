import Telemetry

extension Floor {
    /// Every object of the floor as a CI, sorted by id.
    public func configurationItems() -> [CI] {
        var monitored: [CIID: [CIID]] = [:]
        for s in sensors { if let r = s.rack { monitored[r, default: []].append(s.id) } }
        var hosts: [CIID: [CIID]] = [:]
        for s in services { for d in s.hostedOn { hosts[d, default: []].append(s.id) } }
        var connected: [CIID: Set<CIID>] = [:]
        for c in cables {
            connected[c.a.device, default: []].insert(c.b.device)
            connected[c.b.device, default: []].insert(c.a.device)
        }
        var out: [CI] = []
        out.append(CI(id: site.id, type: .site, description: "\(site.kind.rawValue) site \(site.name)", relations: [], status: site.status.rawValue, location: site.timeZone))
        for r in rooms {
            out.append(CI(id: r.id, type: .room, description: "room \(r.name), \(r.grid.rows)×\(r.grid.columns) tiles of \(r.grid.tileMM) mm", relations: [.init(.containedIn, site.id)], status: r.status.rawValue, location: site.id.rawValue))
        }
        for a in aisles {
            out.append(CI(id: a.id, type: .aisle, description: "\(a.contained ? "contained" : "open") \(a.kind.rawValue) aisle", relations: [.init(.containedIn, a.room)], status: Lifecycle.active.rawValue, location: "\(a.room) \(a.tiles)"))
        }
        for r in racks {
            var rel: [CIRelation] = [.init(.containedIn, r.room)]
            rel += (monitored[r.id] ?? []).map { .init(.monitoredBy, $0) }
            out.append(CI(id: r.id, type: .rack, description: "\(r.heightU)U rack, \(r.widthMM)×\(r.depthMM) mm, front \(r.facing.rawValue)", relations: rel, status: r.status.rawValue, location: "\(r.room) \(r.tile)"))
        }
        for d in devices {
            var rel: [CIRelation] = []
            if let r = d.rack { rel.append(.init(.containedIn, r)) }
            rel += d.poweredBy.map { .init(.poweredBy, $0) }
            rel += (connected[d.id] ?? []).sorted().map { .init(.connectedTo, $0) }
            rel += (hosts[d.id] ?? []).map { .init(.hostsService, $0) }
            let t = deviceType(d.type)
            let desc = "\(d.name): \(t.map { "\($0.manufacturer) \($0.model)" } ?? d.type)"
            out.append(CI(id: d.id, type: .device, description: desc, relations: rel, status: d.lifecycle.rawValue, serial: d.serial, assetTag: d.assetTag, ownerUnit: d.ownerUnit, location: location(of: d, type: t)))
        }
        for p in pdus {
            var rel: [CIRelation] = [.init(.containedIn, p.rack)]
            if let f = p.feed { rel.append(.init(.poweredBy, f)) }
            let model = p.type.flatMap(deviceType).map { "\($0.manufacturer) \($0.model)" } ?? "PDU"
            out.append(CI(id: p.id, type: .pdu, description: "\(model), side \(p.side.rawValue)", relations: rel, status: p.lifecycle.rawValue, serial: p.serial, location: rack(p.rack).map { "\($0.room) \($0.tile)" } ?? p.rack.rawValue))
        }
        for f in feeds {
            out.append(CI(id: f.id, type: .powerFeed, description: "feed from \(f.panel), side \(f.side.rawValue), \(f.phase.rawValue) phase \(FitCheck.fmt(f.voltage)) V \(FitCheck.fmt(f.breakerAmps)) A", relations: [.init(.containedIn, site.id)], status: f.lifecycle.rawValue, location: f.panel))
        }
        for s in sensors {
            var rel: [CIRelation] = []
            let loc: String
            switch s.location {
            case .rack(let r, let p, let face):
                rel.append(.init(.containedIn, r))
                loc = "\(rack(r).map { "\($0.room) \($0.tile) " } ?? "")\(r) U\(p) \(face.rawValue)"
            case .tile(let room, let tile):
                rel.append(.init(.containedIn, room))
                loc = "\(room) \(tile)"
            }
            out.append(CI(id: s.id, type: .sensor, description: "\(s.kind.rawValue)\(s.model.map { " \($0)" } ?? "")", relations: rel, status: s.lifecycle.rawValue, location: loc))
        }
        for c in cables {
            out.append(CI(id: c.id, type: .cable, description: "\(c.type.rawValue) cable \(c.label): \(c.a) ↔ \(c.b)", relations: [.init(.connectedTo, c.a.device), .init(.connectedTo, c.b.device)], status: c.status.rawValue, location: c.lengthM.map { "\(FitCheck.fmt($0)) m" } ?? ""))
        }
        for s in services {
            out.append(CI(id: s.id, type: .service, description: "service \(s.name)", relations: [], status: s.status.rawValue, location: site.id.rawValue))
        }
        return out.sorted { $0.id < $1.id }
    }

    /// The yearly CI audit list (B.2.f): one row per CI that still exists (disposed CIs are
    /// left out), with what to check on the floor.
    public func ciAuditList() -> [CIAuditRow] {
        configurationItems().filter { $0.status != Lifecycle.disposed.rawValue }.map { ci in
            var checks = ["id label present and readable", "status '\(ci.status)' matches the floor"]
            switch ci.type {
            case .rack, .device, .pdu, .sensor: checks.append("location \(ci.location)")
            case .cable: checks.append("label and both ends as recorded")
            default: break
            }
            if ci.serial != nil { checks.append("serial number \(ci.serial!)") }
            if ci.assetTag != nil { checks.append("asset tag \(ci.assetTag!)") }
            for r in ci.relations where r.kind == .poweredBy || r.kind == .connectedTo { checks.append("\(r)") }
            return CIAuditRow(ci: ci, checks: checks)
        }
    }

    /// `DC-H1 B05 DC-R05 U12–U13 front`.
    func location(of d: Device, type: DeviceType?) -> String {
        guard let rid = d.rack else { return "not racked" }
        var s = rack(rid).map { "\($0.room) \($0.tile) " } ?? ""
        s += rid.rawValue
        if let p = d.position, let t = type { s += " \(USpan(bottom: p, height: t.height))" } else { s += " 0U" }
        s += " \(d.face.rawValue)"
        return s
    }
}
