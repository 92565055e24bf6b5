public import Telemetry

/// A data centre site: the DC or the DRC (DESIGN decision 12).
public struct Site: Hashable, Sendable, Codable {
    /// CI id (`DC`, `DRC`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// DC or DRC.
    public var kind: SiteKind
    /// IANA time zone of the site (`Asia/Jakarta`).
    public var timeZone: String
    /// CI status.
    public var status: Lifecycle

    /// Creates a site.
    public init(id: CIID, name: String, kind: SiteKind, timeZone: String = "UTC", status: Lifecycle = .active) {
        self.id = id
        self.name = name
        self.kind = kind
        self.timeZone = timeZone
        self.status = status
    }
}

/// A computer room of a site with its tile grid.
public struct Room: Hashable, Sendable, Codable {
    /// CI id (`DC-H1`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// The tile grid.
    public var grid: FloorGrid
    /// CI status.
    public var status: Lifecycle

    /// Creates a room.
    public init(id: CIID, name: String, grid: FloorGrid, status: Lifecycle = .active) {
        self.id = id
        self.name = name
        self.grid = grid
        self.status = status
    }
}

/// A hot or cold aisle: a rectangle of tiles, contained or open.
public struct Aisle: Hashable, Sendable, Codable {
    /// CI id (`DC-H1-CA1`).
    public var id: CIID
    /// The room it is in.
    public var room: CIID
    /// Hot or cold.
    public var kind: AisleKind
    /// True when doors and a roof contain it.
    public var contained: Bool
    /// The tiles it covers.
    public var tiles: TileRect

    /// Creates an aisle.
    public init(id: CIID, room: CIID, kind: AisleKind, contained: Bool, tiles: TileRect) {
        self.id = id
        self.room = room
        self.kind = kind
        self.contained = contained
        self.tiles = tiles
    }
}

/// An IT service a device hosts, so an anomaly's impact can name it.
public struct Service: Hashable, Sendable, Codable {
    /// CI id (`SVC-EMAIL`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// The devices hosting it.
    public var hostedOn: [CIID]
    /// CI status.
    public var status: Lifecycle

    /// Creates a service.
    public init(id: CIID, name: String, hostedOn: [CIID], status: Lifecycle = .active) {
        self.id = id
        self.name = name
        self.hostedOn = hostedOn
        self.status = status
    }
}
