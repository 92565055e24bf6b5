public import Telemetry

/// A rack on a tile of a room. Invariants borrowed from NetBox's `Rack`: height 1–100 U,
/// starting unit ≥ 1, units numbered bottom-up from the starting unit.
public struct Rack: Hashable, Sendable, Codable {
    /// CI id (`DC-R05`).
    public var id: CIID
    /// The room it stands in.
    public var room: CIID
    /// The tile it stands on.
    public var tile: Tile
    /// The direction its front door faces.
    public var facing: Direction
    /// Height in U.
    public var heightU: Int
    /// The number of its lowest unit (NetBox `starting_unit`, usually 1).
    public var startingUnit: Int
    /// Outer width in millimetres.
    public var widthMM: Int
    /// Outer depth in millimetres.
    public var depthMM: Int
    /// Maximum load in kilograms, nil when unknown.
    public var maxWeightKg: Double?
    /// Power budget in kW, nil when unknown.
    public var powerBudgetKW: Double?
    /// Cooling budget in kW, nil when unknown.
    public var coolingBudgetKW: Double?
    /// CI status.
    public var status: Lifecycle

    /// Creates a rack.
    public init(
        id: CIID, room: CIID, tile: Tile, facing: Direction, heightU: Int = 42, startingUnit: Int = 1,
        widthMM: Int = 600, depthMM: Int = 1200, maxWeightKg: Double? = nil, powerBudgetKW: Double? = nil,
        coolingBudgetKW: Double? = nil, status: Lifecycle = .active
    ) {
        self.id = id
        self.room = room
        self.tile = tile
        self.facing = facing
        self.heightU = heightU
        self.startingUnit = startingUnit
        self.widthMM = widthMM
        self.depthMM = depthMM
        self.maxWeightKg = maxWeightKg
        self.powerBudgetKW = powerBudgetKW
        self.coolingBudgetKW = coolingBudgetKW
        self.status = status
    }

    /// The half units a device may occupy: from the starting unit to the top of the last unit.
    public var span: USpan { USpan(bottom: HalfU(units: startingUnit), height: HalfU(units: heightU)) }

    /// The direction a face of the rack looks towards.
    public func direction(of face: RackFace) -> Direction { face == .front ? facing : facing.opposite }
}
