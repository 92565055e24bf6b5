public import Telemetry

/// One site's floor: rooms, aisles, racks, devices, power, sensors, cables, services and the
/// device types they use. A pure value; ``validate()`` lists every problem.
public struct Floor: Hashable, Sendable, Codable {
    /// The site.
    public var site: Site
    /// Rooms of the site.
    public var rooms: [Room]
    /// Hot and cold aisles.
    public var aisles: [Aisle]
    /// Racks.
    public var racks: [Rack]
    /// Devices.
    public var devices: [Device]
    /// Device types the devices and PDUs use.
    public var deviceTypes: [DeviceType]
    /// Power feeds.
    public var feeds: [PowerFeed]
    /// PDUs.
    public var pdus: [PDU]
    /// Sensors.
    public var sensors: [SensorPlacement]
    /// Cables.
    public var cables: [Cable]
    /// Services hosted on devices.
    public var services: [Service]

    /// Creates a floor.
    public init(
        site: Site, rooms: [Room] = [], aisles: [Aisle] = [], racks: [Rack] = [], devices: [Device] = [],
        deviceTypes: [DeviceType] = [], feeds: [PowerFeed] = [], pdus: [PDU] = [], sensors: [SensorPlacement] = [],
        cables: [Cable] = [], services: [Service] = []
    ) {
        self.site = site
        self.rooms = rooms
        self.aisles = aisles
        self.racks = racks
        self.devices = devices
        self.deviceTypes = deviceTypes
        self.feeds = feeds
        self.pdus = pdus
        self.sensors = sensors
        self.cables = cables
        self.services = services
    }

    // MARK: Lookups (first match; duplicates are a validation problem)

    /// The device type with this slug.
    public func deviceType(_ slug: String) -> DeviceType? { deviceTypes.first { $0.slug == slug } }
    /// The rack with this id.
    public func rack(_ id: CIID) -> Rack? { racks.first { $0.id == id } }
    /// The room with this id.
    public func room(_ id: CIID) -> Room? { rooms.first { $0.id == id } }
    /// The device with this id.
    public func device(_ id: CIID) -> Device? { devices.first { $0.id == id } }
    /// The PDU with this id.
    public func pdu(_ id: CIID) -> PDU? { pdus.first { $0.id == id } }
    /// The feed with this id.
    public func feed(_ id: CIID) -> PowerFeed? { feeds.first { $0.id == id } }
    /// Devices in a rack.
    public func devices(in rack: CIID) -> [Device] { devices.filter { $0.rack == rack } }
    /// Aisles of a room.
    public func aisles(in room: CIID) -> [Aisle] { aisles.filter { $0.room == room } }

    /// The ports of a device or patch panel, from its device type.
    public func ports(of device: CIID) -> [PortTemplate] {
        guard let d = self.device(device), let t = deviceType(d.type) else { return [] }
        return t.ports
    }

    /// The aisle covering a tile of a room, if any.
    public func aisle(at tile: Tile, in room: CIID) -> Aisle? {
        aisles.first { $0.room == room && $0.tiles.contains(tile) }
    }
}
