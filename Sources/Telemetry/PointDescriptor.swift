/// What the store and the rules need to know about a point besides its readings.
public struct PointDescriptor: Hashable, Sendable, Codable {
    /// The point.
    public var id: PointID
    /// What it measures.
    public var quantity: Quantity
    /// The unit of its engineering values.
    public var unit: Unit
    /// For discrete points, the name of each numbered state (`1: normal, 3: nearOverload`).
    public var states: [Int: String]
    /// True for points computed by the rules engine rather than read from a device (DESIGN decision 8).
    public var derived: Bool
    /// For active-power points: where the point sits in the device's power tree (total, inlet,
    /// phase, outlet), so the device's power is counted once (DESIGN decision 18).
    public var powerRole: PowerRole?

    /// Creates a descriptor.
    public init(
        id: PointID, quantity: Quantity, unit: Unit, states: [Int: String] = [:], derived: Bool = false, powerRole: PowerRole? = nil
    ) {
        self.id = id
        self.quantity = quantity
        self.unit = unit
        self.states = states
        self.derived = derived
        self.powerRole = powerRole
    }
}
