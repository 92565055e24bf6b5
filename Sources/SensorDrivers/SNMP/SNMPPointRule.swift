public import Telemetry

/// How the octets of a value are read when the point wants a number.
public enum SNMPTextEncoding: String, Hashable, Sendable, Codable {
    /// Only numeric SMI types are accepted; text is `wrongType`.
    case number
    /// An OCTET STRING holding a decimal number (`"23.5"`) is accepted too; unparsable text is `notANumber`.
    case decimalText = "decimal_text"
}

/// The compiled conversion of one point from its ``SNMPValue`` to an engineering value:
/// scale and offset, decimal digits from another OID, numbered states, "not present" sentinels.
public struct SNMPPointRule: Hashable, Sendable {
    /// The point name inside the device (`power`, `outlet.3.current`).
    public var name: String
    /// What it measures.
    public var quantity: Quantity
    /// The unit of the engineering value.
    public var unit: Telemetry.Unit
    /// Fixed factor applied to the raw number.
    public var scale: SNMPScale
    /// Added after scaling.
    public var offset: Double
    /// Numbered states with names (discrete points).
    public var states: [Int: String]
    /// Raw values that mean "not present" (quality `.absent`, never a value).
    public var absentWhen: Set<Int64>
    /// Raw values that mean the device could not measure, with their meaning (quality `.bad`).
    public var badWhen: [Int64: String]
    /// For active-power points: where the point sits in the device's power tree.
    public var powerRole: PowerRole?
    /// Whether decimal text is accepted.
    public var encoding: SNMPTextEncoding
    /// True when the point is the per-second rate of a Counter32/Counter64.
    public var rate: Bool
    /// The engineering value's valid range (after scale, decimals, offset or the rate); outside is bad.
    public var range: ValidRange?

    /// Creates a rule.
    public init(
        name: String, quantity: Quantity, unit: Telemetry.Unit, scale: SNMPScale = .one, offset: Double = 0,
        states: [Int: String] = [:], absentWhen: Set<Int64> = [], encoding: SNMPTextEncoding = .number,
        rate: Bool = false, badWhen: [Int64: String] = [:], powerRole: PowerRole? = nil, range: ValidRange? = nil
    ) {
        self.name = name
        self.quantity = quantity
        self.unit = unit
        self.scale = scale
        self.offset = offset
        self.states = states
        self.absentWhen = absentWhen
        self.encoding = encoding
        self.rate = rate
        self.badWhen = badWhen
        self.powerRole = powerRole
        self.range = range
    }
}

/// What one point's varbind became: the raw value, the engineering value, its quality, and the
/// decoder class when it failed.
public struct SNMPPointOutcome: Hashable, Sendable {
    /// The raw number before scaling, when there is one.
    public var raw: Double?
    /// The engineering value (NaN unless the quality has a value).
    public var value: Double
    /// The reading's quality.
    public var quality: Quality
    /// The error class when the point is bad because of its value.
    public var fault: SNMPValueFault?

    /// A failed point.
    public static func failed(_ fault: SNMPValueFault, _ detail: String) -> SNMPPointOutcome {
        SNMPPointOutcome(raw: nil, value: .nan, quality: .bad(reason: "\(fault): \(detail)"), fault: fault)
    }
}
