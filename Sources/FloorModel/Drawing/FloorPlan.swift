public import Telemetry

/// A linear colour scale for a metric: low → middle → high.
public struct ColorScale: Hashable, Sendable {
    /// Value drawn in the low colour.
    public var min: Double
    /// Value drawn in the high colour.
    public var max: Double
    /// Colour at `min`.
    public var low: RGB
    /// Colour half way.
    public var middle: RGB
    /// Colour at `max`.
    public var high: RGB

    /// Creates a scale (default blue → yellow → red).
    public init(min: Double, max: Double, low: RGB = RGB(hex: 0x2c7bb6), middle: RGB = RGB(hex: 0xffffbf), high: RGB = RGB(hex: 0xd7191c)) {
        self.min = min
        self.max = max
        self.low = low
        self.middle = middle
        self.high = high
    }

    /// The colour of a value (clamped to the scale).
    public func color(for v: Double) -> RGB {
        let t = max > min ? Swift.max(0, Swift.min(1, (v - min) / (max - min))) : 0.5
        return t < 0.5 ? low.mixed(with: middle, t * 2) : middle.mixed(with: high, (t - 0.5) * 2)
    }
}

/// What a rack mark on the floor plan says about its data, written as `data-state`.
public enum RackState: String, Hashable, Sendable, Codable, CaseIterable {
    /// Data is current and no alarm is open: filled with the scale colour.
    case ok
    /// An alarm is open for the rack: a thick red outline around it.
    case alarm
    /// The data cannot be trusted (a `data_missing` event is open for the rack or its room, or
    /// there is no value): the no-data fill with a diagonal hatch, never a scale colour, even
    /// when a stale value exists.
    case noData = "no-data"
}

/// The computed view of one room for drawing: grid, aisles, racks with a metric value each,
/// sensors, and optionally a thermal field.
public struct FloorPlan: Hashable, Sendable {
    /// A rack as drawn (the marks are made by
    /// ``init(floor:room:metric:unit:values:scale:states:thermal:)``).
    public struct RackMark: Hashable, Sendable {
        /// CI id.
        public var id: CIID
        /// Tile.
        public var tile: Tile
        /// Front direction.
        public var facing: Direction
        /// The metric's value, nil when there is none.
        public var value: Double?
        /// What the caller knows about the rack's data and alarms.
        public var state: RackState

        /// Creates a mark.
        public init(id: CIID, tile: Tile, facing: Direction, value: Double?, state: RackState = .ok) {
            self.id = id
            self.tile = tile
            self.facing = facing
            self.value = value
            self.state = state
        }

        /// The state as drawn: a rack without a value is `no-data` even when its state says
        /// `ok`; an alarm stays an alarm (outlined, and hatched when it has no value).
        public var drawnState: RackState { state == .ok && value == nil ? .noData : state }

        /// True when the fill is the hatched no-data fill rather than a scale colour.
        public var isHatched: Bool { state == .noData || value == nil }
    }

    /// A sensor as drawn.
    public struct SensorMark: Hashable, Sendable {
        /// CI id.
        public var id: CIID
        /// Kind (marker colour).
        public var kind: SensorKind
        /// Tile it is on (a rack sensor is drawn on its rack's tile).
        public var tile: Tile
        /// True when it is in a rack.
        public var inRack: Bool
    }

    /// The room.
    public var room: Room
    /// Its aisles.
    public var aisles: [Aisle]
    /// Its racks.
    public var racks: [RackMark]
    /// Its sensors.
    public var sensors: [SensorMark]
    /// Name of the metric racks are coloured by (`inlet temperature`).
    public var metric: String
    /// Unit of the metric (`°C`).
    public var unit: String
    /// The colour scale.
    public var scale: ColorScale
    /// The thermal layer drawn under the racks, in the plan's scale and unit; nil for none.
    /// Give one when the plan's metric is a temperature.
    public var thermal: ThermalField?

    /// Creates a plan from parts.
    public init(room: Room, aisles: [Aisle], racks: [RackMark], sensors: [SensorMark], metric: String, unit: String, scale: ColorScale, thermal: ThermalField? = nil) {
        self.room = room
        self.aisles = aisles
        self.racks = racks
        self.sensors = sensors
        self.metric = metric
        self.unit = unit
        self.scale = scale
        self.thermal = thermal
    }

    /// Computes a room's plan with racks coloured by `values` (rack id → value), passed in by
    /// the caller (live temperature, power, alarm state as a number). `states` holds what the
    /// caller knows from open events, keyed by rack id or by the room's id (a room entry
    /// applies to every rack without its own entry): `.noData` for an open `data_missing`,
    /// `.alarm` for an open alarm.
    public init(floor: Floor, room: Room, metric: String, unit: String, values: [CIID: Double], scale: ColorScale, states: [CIID: RackState] = [:], thermal: ThermalField? = nil) {
        let racks = floor.racks.filter { $0.room == room.id }
        var sensors: [SensorMark] = []
        for s in floor.sensors {
            switch s.location {
            case .tile(let r, let t) where r == room.id: sensors.append(SensorMark(id: s.id, kind: s.kind, tile: t, inRack: false))
            case .rack(let rid, _, _):
                if let rack = racks.first(where: { $0.id == rid }) { sensors.append(SensorMark(id: s.id, kind: s.kind, tile: rack.tile, inRack: true)) }
            default: break
            }
        }
        self.init(
            room: room, aisles: floor.aisles(in: room.id),
            racks: racks.map { RackMark(id: $0.id, tile: $0.tile, facing: $0.facing, value: values[$0.id], state: states[$0.id] ?? states[room.id] ?? .ok) },
            sensors: sensors, metric: metric, unit: unit, scale: scale, thermal: thermal)
    }
}
