public import Telemetry

/// What the rules need to know of the floor: rooms, racks, devices and points with their placement.
/// The lead fills it from FloorModel; rules validate against it and bind selectors through it.
public struct RuleTopology: Hashable, Sendable, Codable {
    /// A room of a site.
    public struct Room: Hashable, Sendable, Codable {
        /// The room's CI id.
        public var id: CIID
        /// Floor area in m² (for ISO 14644-1 sample locations); nil when unknown.
        public var areaSquareMetres: Double?
        /// Creates a room.
        public init(id: CIID, areaSquareMetres: Double? = nil) {
            self.id = id
            self.areaSquareMetres = areaSquareMetres
        }
    }

    /// A rack, its room and its power figures.
    public struct Rack: Hashable, Sendable, Codable {
        /// The rack's CI id.
        public var id: CIID
        /// The room it stands in.
        public var room: CIID
        /// The rack's power budget in watts; nil when none is set.
        public var powerBudgetWatts: Double?
        /// Power allocated to the devices placed in it (sum of their allocated draw), watts.
        public var allocatedWatts: Double?
        /// Creates a rack.
        public init(id: CIID, room: CIID, powerBudgetWatts: Double? = nil, allocatedWatts: Double? = nil) {
            self.id = id
            self.room = room
            self.powerBudgetWatts = powerBudgetWatts
            self.allocatedWatts = allocatedWatts
        }
    }

    /// A device or sensor CI (PDU, feed, T/H probe, particle counter, corrosion monitor).
    public struct Device: Hashable, Sendable, Codable {
        /// The device's CI id.
        public var id: CIID
        /// The rack it is mounted in, if any.
        public var rack: CIID?
        /// The room it is in.
        public var room: CIID
        /// Power rating in watts (PDU, feed); nil when not a power device.
        public var powerRatingWatts: Double?
        /// Creates a device.
        public init(id: CIID, rack: CIID? = nil, room: CIID, powerRatingWatts: Double? = nil) {
            self.id = id
            self.rack = rack
            self.room = room
            self.powerRatingWatts = powerRatingWatts
        }
    }

    /// Rooms by id.
    public var rooms: [CIID: Room]
    /// Racks by id.
    public var racks: [CIID: Rack]
    /// Devices by id; every point's CI must be one of them.
    public var devices: [CIID: Device]
    /// Point descriptors by id.
    public var points: [PointID: PointDescriptor]

    /// Creates a topology from lists.
    public init(rooms: [Room], racks: [Rack] = [], devices: [Device], points: [PointDescriptor]) {
        self.rooms = Dictionary(rooms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.racks = Dictionary(racks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.devices = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.points = Dictionary(points.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The room a CI is in (a room, a rack or a device), nil when unknown.
    public func room(of ci: CIID) -> CIID? {
        if rooms[ci] != nil { return ci }
        if let r = racks[ci] { return r.room }
        return devices[ci]?.room
    }

    /// The rack a CI is, or is mounted in (a device or sensor on a rack), if any.
    public func rack(of ci: CIID) -> CIID? { racks[ci] != nil ? ci : devices[ci]?.rack }

    /// The rack a point's device is mounted in, if any.
    public func rack(ofPoint p: PointID) -> CIID? { devices[p.ci]?.rack }

    /// The points of a device, sorted.
    public func points(ofDevice ci: CIID) -> [PointID] { points.keys.filter { $0.ci == ci }.sorted(by: PointID.byParts) }

    /// Where a CI is, for messages: `rack DC-R1-A05, room DC-R1`.
    public func whereabouts(of ci: CIID) -> String {
        var parts: [String] = []
        if let d = devices[ci], let rack = d.rack { parts.append("rack \(rack)") }
        if let room = room(of: ci), room != ci { parts.append("room \(room)") }
        return parts.joined(separator: ", ")
    }
}
