/// The face of a rack a device is mounted on, or a view of the rack.
public enum RackFace: String, Hashable, Sendable, Codable, CaseIterable {
    case front, rear

    /// The other face.
    public var opposite: RackFace { self == .front ? .rear : .front }
}

/// A compass direction on the floor plan: north is the top of the drawing (row A).
public enum Direction: String, Hashable, Sendable, Codable, CaseIterable {
    case north, east, south, west

    /// The opposite direction.
    public var opposite: Direction {
        switch self {
        case .north: .south
        case .south: .north
        case .east: .west
        case .west: .east
        }
    }

    /// The tile offset (row, column) one step in this direction; rows grow southwards.
    public var offset: (row: Int, column: Int) {
        switch self {
        case .north: (-1, 0)
        case .south: (1, 0)
        case .east: (0, 1)
        case .west: (0, -1)
        }
    }
}

/// Direction of air through a device, as NetBox spells it.
public enum Airflow: String, Hashable, Sendable, Codable, CaseIterable {
    case frontToRear = "front-to-rear"
    case rearToFront = "rear-to-front"
    case leftToRight = "left-to-right"
    case rightToLeft = "right-to-left"
    case sideToRear = "side-to-rear"
    case passive
    case mixed

    /// The device side its hot air leaves from, nil when it is not front or rear.
    public var exhaustSide: RackFace? {
        switch self {
        case .frontToRear, .sideToRear: .rear
        case .rearToFront: .front
        case .leftToRight, .rightToLeft, .passive, .mixed: nil
        }
    }
}

/// Where a CI is in its life. Checklists move devices along it (Lampiran II I.1.b.3–5).
public enum Lifecycle: String, Hashable, Sendable, Codable, CaseIterable {
    case planned, staged, active, decommissioning, offline, disposed

    /// The states this one may move to.
    public var allowedNext: Set<Lifecycle> {
        switch self {
        case .planned: [.staged, .disposed]
        case .staged: [.active, .planned, .decommissioning]
        case .active: [.decommissioning, .offline]
        case .decommissioning: [.offline, .disposed, .active]
        case .offline: [.active, .decommissioning, .disposed]
        case .disposed: []
        }
    }

    /// True when the object takes space, weight and power in its rack.
    public var occupiesSpace: Bool { self != .disposed }

    /// True when the object is installed and running, so an anomaly can hurt what it carries:
    /// staged, active, or still decommissioning. Planned objects are not there yet; offline
    /// (decommissioned) and disposed ones carry nothing (``Floor/impact(of:)`` skips them).
    public var isLive: Bool {
        switch self {
        case .staged, .active, .decommissioning: true
        case .planned, .offline, .disposed: false
        }
    }
}

/// The A or B side of a redundant power path.
public enum FeedSide: String, Hashable, Sendable, Codable, CaseIterable {
    case a = "A"
    case b = "B"
}

/// Single- or three-phase supply.
public enum Phase: String, Hashable, Sendable, Codable, CaseIterable {
    case single, three
}

/// The kind of an aisle.
public enum AisleKind: String, Hashable, Sendable, Codable, CaseIterable {
    case hot, cold
}

/// What a sensor measures; profiles bind the points (config, not FloorModel).
public enum SensorKind: String, Hashable, Sendable, Codable, CaseIterable {
    case temperatureHumidity = "th-probe"
    case particleCounter = "particle-counter"
    case corrosionMonitor = "corrosion-monitor"
    case leak
    case door
    case smoke
    case digitalInputs = "di-module"
}

/// The kind of data centre a site is.
public enum SiteKind: String, Hashable, Sendable, Codable, CaseIterable {
    case dc = "DC"
    case drc = "DRC"
}

/// The kind of a port on a device type.
public enum PortKind: String, Hashable, Sendable, Codable, CaseIterable {
    case interface
    case frontPort = "front-port"
    case rearPort = "rear-port"
    case console
    case powerPort = "power-port"
    case powerOutlet = "power-outlet"
}

/// The medium of a cable.
public enum CableType: String, Hashable, Sendable, Codable, CaseIterable {
    case cat5e, cat6, cat6a, cat8
    case mmfOM3 = "om3"
    case mmfOM4 = "om4"
    case smfOS2 = "os2"
    case dac, aoc, power, console
}

/// Whether a cable exists yet.
public enum CableStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case planned, connected, decommissioning
}
