/// The floor YAML document (`config/floor/*.yaml`): device types, then sites → rooms → racks
/// → PDUs, devices and sensors. Enumerations and positions are kept as written so that the
/// conversion (``FloorDocument/floors()``) can report every bad value by object and field.
/// `docs/floor.md` describes the format. The entries are decoded from YAML or built by the
/// export (``FloorDocument/init(floors:)``) with their memberwise initialisers.
public struct FloorDocument: Hashable, Sendable, Codable {
    /// Format version; 1.
    public var version: Int
    /// Device types used by the sites (normalised; see ``DeviceType``).
    public var deviceTypes: [DeviceTypeDoc]
    /// The sites.
    public var sites: [SiteDoc]

    enum CodingKeys: String, CodingKey {
        case version, sites
        case deviceTypes = "device_types"
    }
}

/// A device type in the floor document.
public struct DeviceTypeDoc: Hashable, Sendable, Codable {
    /// Unique slug.
    public var slug: String
    /// Manufacturer name.
    public var manufacturer: String
    /// Model name.
    public var model: String
    /// Part number.
    public var partNumber: String?
    /// Height in U, a multiple of 0.5.
    public var uHeight: Double
    /// Full depth (default true).
    public var isFullDepth: Bool?
    /// NetBox airflow spelling.
    public var airflow: String?
    /// Weight in kg.
    public var weightKg: Double?
    /// Ports.
    public var ports: [PortDoc]?
    /// Where the type came from (`netbox devicetype-library Dell/PowerEdge-R640.yaml`), free text.
    public var source: String?

    enum CodingKeys: String, CodingKey {
        case slug, manufacturer, model, airflow, ports, source
        case partNumber = "part_number"
        case uHeight = "u_height"
        case isFullDepth = "is_full_depth"
        case weightKg = "weight_kg"
    }
}

/// A port template in the floor document.
public struct PortDoc: Hashable, Sendable, Codable {
    /// Port name.
    public var name: String
    /// `interface`, `front-port`, `rear-port`, `console`, `power-port`, `power-outlet`.
    public var kind: String
    /// NetBox type slug.
    public var type: String?
    /// Power ports: maximum draw, W.
    public var maximumDrawW: Double?
    /// Power ports: allocated draw, W.
    public var allocatedDrawW: Double?

    enum CodingKeys: String, CodingKey {
        case name, kind, type
        case maximumDrawW = "maximum_draw_w"
        case allocatedDrawW = "allocated_draw_w"
    }
}

/// A site in the floor document.
public struct SiteDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Human name.
    public var name: String?
    /// `DC` or `DRC`.
    public var kind: String
    /// IANA time zone.
    public var timeZone: String?
    /// Rooms.
    public var rooms: [RoomDoc]
    /// Power feeds from the site's panels.
    public var powerFeeds: [FeedDoc]?
    /// Cables.
    public var cables: [CableDoc]?
    /// Services.
    public var services: [ServiceDoc]?
    /// Devices not in a rack (in storage, awaiting installation).
    public var unrackedDevices: [DeviceDoc]?

    enum CodingKeys: String, CodingKey {
        case id, name, kind, rooms, cables, services
        case timeZone = "time_zone"
        case powerFeeds = "power_feeds"
        case unrackedDevices = "unracked_devices"
    }
}

/// A room in the floor document.
public struct RoomDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Human name.
    public var name: String?
    /// The tile grid.
    public var grid: FloorGrid
    /// Aisles.
    public var aisles: [AisleDoc]?
    /// Racks.
    public var racks: [RackDoc]?
    /// Sensors on floor tiles.
    public var tileSensors: [TileSensorDoc]?

    enum CodingKeys: String, CodingKey {
        case id, name, grid, aisles, racks
        case tileSensors = "tile_sensors"
    }
}

/// An aisle in the floor document.
public struct AisleDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// `hot` or `cold`.
    public var kind: String
    /// Contained (doors and roof).
    public var contained: Bool?
    /// North-west tile (`C01`).
    public var from: String
    /// South-east tile (`C12`).
    public var to: String
}
