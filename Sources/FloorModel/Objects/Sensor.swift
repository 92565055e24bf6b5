public import Telemetry

/// Where a sensor is: in a rack at a unit and face, or on a floor tile.
public enum SensorLocation: Hashable, Sendable, Codable {
    /// In a rack, at a unit, on a face.
    case rack(CIID, position: HalfU, face: RackFace)
    /// On a tile of a room.
    case tile(room: CIID, tile: Tile)
}

/// A sensor placed on the floor; its polling profile and endpoint are config, not floor data.
public struct SensorPlacement: Hashable, Sendable, Codable {
    /// CI id (`DC-R05-TH1`, `DC-H1-PC1`).
    public var id: CIID
    /// What it measures.
    public var kind: SensorKind
    /// Where it is.
    public var location: SensorLocation
    /// Make and model, free text.
    public var model: String?
    /// CI status.
    public var lifecycle: Lifecycle

    /// Creates a placement.
    public init(id: CIID, kind: SensorKind, location: SensorLocation, model: String? = nil, lifecycle: Lifecycle = .active) {
        self.id = id
        self.kind = kind
        self.location = location
        self.model = model
        self.lifecycle = lifecycle
    }

    /// The rack it is in, if any.
    public var rack: CIID? {
        if case .rack(let r, _, _) = location { return r }
        return nil
    }
}

/// One end of a cable: a named port of a device (ports come from the device type).
public struct PortRef: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The device (or patch panel) CI.
    public var device: CIID
    /// The port name as the device type names it (`Gig-E 1`, `Port 3`).
    public var port: String

    /// Creates a reference.
    public init(device: CIID, port: String) {
        self.device = device
        self.port = port
    }

    /// `DC-R05-SRV01:Gig-E 1`.
    public var description: String { "\(device):\(port)" }
}

/// A cable between two ports.
public struct Cable: Hashable, Sendable, Codable {
    /// CI id (`DC-C0001`).
    public var id: CIID
    /// End A.
    public var a: PortRef
    /// End B.
    public var b: PortRef
    /// Medium.
    public var type: CableType
    /// The label printed on it.
    public var label: String
    /// Length in metres, nil when unknown.
    public var lengthM: Double?
    /// Planned, connected, being removed.
    public var status: CableStatus

    /// Creates a cable.
    public init(id: CIID, a: PortRef, b: PortRef, type: CableType, label: String, lengthM: Double? = nil, status: CableStatus = .connected) {
        self.id = id
        self.a = a
        self.b = b
        self.type = type
        self.label = label
        self.lengthM = lengthM
        self.status = status
    }
}
