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
    public let order: WordOrder
    /// Engineering value = raw × scale + offset.
    public let scale: Double
    /// Added after scaling.
    public let offset: Double
    /// Raw values that mean "not present" (quality `absent`).
    public let absent: Set<Double>
    /// Raw values that mean the device could not measure, with their meaning (quality `bad`).
    public let bad: [Double: String]
    /// The engineering value's valid range; a value outside is bad.
    public let range: ValidRange?
    /// Indices (into the device plan's points) of status points that make this value uncertain when set.
    public internal(set) var qualifiers: [Int] = []
    /// `absent_if` and `bad_if` conditions on other points of the device plan, in profile order
    /// (absent ones first).
    public internal(set) var conditions: [ModbusPointCondition] = []

    /// How many table units the point spans.
    public var width: Int { type.width }
    /// One past the last address the point spans.
    public var end: Int { address + width }

    /// Creates a plan (normally made by ``ModbusDevicePlan/compile(profile:sensor:unit:)``).
    public init(
        descriptor: PointDescriptor, kind: RegisterKind, address: Int, type: DataType, order: WordOrder = .abcd,
        scale: Double = 1, offset: Double = 0, absent: Set<Double> = [], bad: [Double: String] = [:],
        range: ValidRange? = nil
    ) {
        self.descriptor = descriptor
        self.kind = kind
        self.address = address
        self.type = type
        self.order = order
        self.scale = scale
        self.offset = offset
        self.absent = absent
        self.bad = bad
        self.range = range
    }
}

/// A condition on another point of the same device plan.
public struct ModbusPointCondition: Hashable, Sendable {
    /// Index of the other point (into the device plan's points).
    public let point: Int
    /// The test and its effect.
    public let condition: PointCondition
}
