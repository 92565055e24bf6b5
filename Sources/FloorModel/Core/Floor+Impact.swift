public import Telemetry

/// A service that an anomaly on a CI threatens, with the path through the CI graph that
/// reached it (the "reasons" of a ticket's impact).
public struct ImpactedService: Hashable, Sendable, Codable {
    /// The service's CI id (`SVC-EMAIL`).
    public var service: CIID
    /// Its human name.
    public var name: String
    /// Its criticality as the floor gives it, nil when not set.
    public var criticality: Int?
    /// From the CI of the anomaly to the service, both included:
    /// `[DC-R05, DC-R05-SRV01, SVC-EMAIL]`; just `[SVC-EMAIL]` when the anomaly is on the service.
    public var path: [CIID]

    /// Creates one from its parts.
    public init(service: CIID, name: String, criticality: Int?, path: [CIID]) {
        self.service = service
        self.name = name
        self.criticality = criticality
        self.path = path
    }

    /// ``criticality``, or 3 (the least critical) when it is not set.
    public var effectiveCriticality: Int { criticality ?? Service.criticalities.upperBound }

    /// `DC-R05 → DC-R05-SRV01 → SVC-EMAIL`.
    public var pathText: String { path.map(\.rawValue).joined(separator: " → ") }

    /// The path up to the service, without it: `DC-R05 → DC-R05-SRV01` (the service itself when
    /// the anomaly is on it).
    public var via: String {
        path.count > 1 ? path.dropLast().map(\.rawValue).joined(separator: " → ") : service.rawValue
    }
}

/// The services an anomaly on one CI threatens (``Floor/impact(of:)``), most critical first.
public struct ServiceImpact: Hashable, Sendable, Codable {
    /// The CI the anomaly is on.
    public var ci: CIID
    /// False when the CI is not on this floor (then ``services`` is empty).
    public var onFloor: Bool
    /// Every live service reached, by effective criticality (1 first), then the shorter path,
    /// then id.
    public var services: [ImpactedService]

    /// Creates one from its parts; `services` is sorted.
    public init(ci: CIID, onFloor: Bool, services: [ImpactedService]) {
        self.ci = ci
        self.onFloor = onFloor
        self.services = services.sorted {
            ($0.effectiveCriticality, $0.path.count, $0.service) < ($1.effectiveCriticality, $1.path.count, $1.service)
        }
    }

    /// The most critical service reached, nil when none is.
    public var mostCritical: ImpactedService? { services.first }
}

extension Floor {
    /// The services an anomaly on `ci` threatens, found through the CI graph, each with the
    /// shortest path that reached it:
    ///
    /// - a sensor → the rack it is in, or its room for a tile sensor;
    /// - a site → its rooms; a room → every rack in it;
    /// - an aisle → the racks whose front or rear opens onto it (the tile in front of or
    ///   behind the rack, as the airflow check reads it);
    /// - a rack → the devices placed in it and its PDUs;
    /// - a power feed → the PDUs plugged into it;
    /// - a PDU → the devices powered by it, and the devices of its rack whose power links are
    ///   not recorded (they may be);
    /// - a cable → the devices at both ends;
    /// - a device → the services it hosts; a service → itself.
    ///
    /// Devices and services that are not live (planned, offline or disposed:
    /// ``Lifecycle/isLive``) are skipped, and so is everything reached only through them.
    /// An id that is not on the floor threatens nothing (``ServiceImpact/onFloor`` false).
    public func impact(of ci: CIID) -> ServiceImpact {
        let graph = ImpactGraph(self)
        guard graph.nodes[ci] != nil else { return ServiceImpact(ci: ci, onFloor: false, services: []) }
        var parent: [CIID: CIID] = [:]
        var seen: Set<CIID> = [ci]
        var queue = [ci]
        var head = 0
        var reached: [ImpactedService] = []
        while head < queue.count {
            let node = queue[head]
            head += 1
            if case .service(let s) = graph.nodes[node] {
                if s.status.isLive {
                    var path = [node]
                    while let p = parent[path[0]] { path.insert(p, at: 0) }
                    reached.append(ImpactedService(service: s.id, name: s.name, criticality: s.criticality, path: path))
                }
                continue
            }
            for next in graph.next(node) where !seen.contains(next) {
                seen.insert(next)
                parent[next] = node
                queue.append(next)
            }
        }
        return ServiceImpact(ci: ci, onFloor: true, services: reached)
    }
}

/// The CI graph of a floor seen downstream, from what can fail towards the services that
/// depend on it. Built once per ``Floor/impact(of:)`` call.
struct ImpactGraph {
    enum Node {
        case site, room, aisle(Aisle), rack(Rack), device(Device), pdu(PDU), feed, sensor(SensorPlacement), cable(Cable), service(Service)
    }

    let floor: Floor
    var nodes: [CIID: Node] = [:]
    var racksByRoom: [CIID: [CIID]] = [:]
    var devicesByRack: [CIID: [Device]] = [:]
    var pdusByRack: [CIID: [CIID]] = [:]
    var pdusByFeed: [CIID: [CIID]] = [:]
    var devicesByPDU: [CIID: [CIID]] = [:]
    var servicesByDevice: [CIID: [CIID]] = [:]

    init(_ f: Floor) {
        floor = f
        func add(_ id: CIID, _ node: Node) { if nodes[id] == nil { nodes[id] = node } }
        add(f.site.id, .site)
        for r in f.rooms { add(r.id, .room) }
        for a in f.aisles { add(a.id, .aisle(a)) }
        for r in f.racks {
            add(r.id, .rack(r))
            racksByRoom[r.room, default: []].append(r.id)
        }
        for d in f.devices {
            add(d.id, .device(d))
            if let r = d.rack { devicesByRack[r, default: []].append(d) }
            for p in d.poweredBy where d.lifecycle.isLive { devicesByPDU[p, default: []].append(d.id) }
        }
        for p in f.pdus {
            add(p.id, .pdu(p))
            pdusByRack[p.rack, default: []].append(p.id)
            if let feed = p.feed { pdusByFeed[feed, default: []].append(p.id) }
        }
        for feed in f.feeds { add(feed.id, .feed) }
        for s in f.sensors { add(s.id, .sensor(s)) }
        for c in f.cables { add(c.id, .cable(c)) }
        for s in f.services {
            add(s.id, .service(s))
            for d in s.hostedOn where s.status.isLive { servicesByDevice[d, default: []].append(s.id) }
        }
    }

    /// The CIs one step downstream of `id`, in floor order.
    func next(_ id: CIID) -> [CIID] {
        switch nodes[id] {
        case .site: floor.rooms.map(\.id)
        case .room: racksByRoom[id] ?? []
        case .aisle(let a):
            (racksByRoom[a.room] ?? []).filter { rid in
                guard case .rack(let r) = nodes[rid] else { return false }
                return a.tiles.contains(r.tile.moved(r.facing)) || a.tiles.contains(r.tile.moved(r.facing.opposite))
            }
        case .rack: (devicesByRack[id] ?? []).filter(\.lifecycle.isLive).map(\.id) + (pdusByRack[id] ?? [])
        case .pdu(let p):
            (devicesByPDU[id] ?? []) + (devicesByRack[p.rack] ?? []).filter { $0.lifecycle.isLive && $0.poweredBy.isEmpty }.map(\.id)
        case .feed: pdusByFeed[id] ?? []
        case .device(let d): d.lifecycle.isLive ? servicesByDevice[id] ?? [] : []
        case .sensor(let s):
            switch s.location {
            case .rack(let r, _, _): [r]
            case .tile(let room, _): [room]
            }
        case .cable(let c):
            [c.a.device, c.b.device].filter { if case .device(let d) = nodes[$0] { d.lifecycle.isLive } else { false } }
        case .service, nil: []
        }
    }
}
