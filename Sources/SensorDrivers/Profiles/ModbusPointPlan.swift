public import Telemetry

/// A point compiled from its spec: protocol address resolved, defaults applied, validated.
public struct ModbusPointPlan: Hashable, Sendable {
    /// What the store and rules know about the point.
    public let descriptor: PointDescriptor
    /// The table it lives in.
    public let kind: RegisterKind
    /// Its 0-based protocol address.
    public let address: Int
    /// How its registers form a value.
    public let type: DataType
    /// Byte/word order of multi-register values.
    public internal(set) var order: WordOrder = .abcd
    /// Engineering value = raw × scale + offset.
    public internal(set) var scale: Double = 1
    /// Added after scaling.
    public internal(set) var offset: Double = 0
    /// Raw values that mean "not present" (quality `absent`).
    public internal(set) var absent: Set<Double> = []
    /// Raw values that mean the device could not measure, with their meaning (quality `bad`).
    public internal(set) var bad: [Double: String] = [:]
    /// The engineering value's valid range; a value outside is bad.
    public internal(set) var range: ValidRange? = nil
    /// Indices (into the device plan's points) of status points that make this value uncertain when set.
    public internal(set) var qualifiers: [Int] = []
    /// `absent_if` and `bad_if` conditions on other points of the device plan, in profile order
    /// (absent ones first).
    public internal(set) var conditions: [ModbusPointCondition] = []

    /// How many table units the point spans.
    public var width: Int { type.width }
    /// One past the last address the point spans.
    public var end: Int { address + width }
}

/// A condition on another point of the same device plan.
public struct ModbusPointCondition: Hashable, Sendable {
    /// Index of the other point (into the device plan's points).
    public let point: Int
    /// The test and its effect.
    public let condition: PointCondition
}
