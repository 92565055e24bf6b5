public import Telemetry

/// One point of a Modbus profile, as written in the profile file.
public struct ModbusPointSpec: Hashable, Sendable, Codable {
    /// The point's name inside its device (`temperature`, `count.0.3um`).
    public var name: String
    /// What it measures.
    public var quantity: Quantity
    /// The unit of the engineering value (after scale and offset).
    public var unit: Unit
    /// The table; may be omitted when the profile names one or uses Modicon numbering.
    public var kind: RegisterKind?
    /// The address exactly as the vendor's manual writes it (`0001`, `30009`, `0x0100`).
    public var address: String
    /// How the registers form a value; `uint16` for registers and `bool` for bits by default.
    public var type: DataType?
    /// Byte/word order; the profile's by default.
    public var order: WordOrder?
    /// Engineering value = raw × scale + offset.
    public var scale: Double?
    /// Added after scaling.
    public var offset: Double?
    /// Names of numbered discrete states (`0: closed, 1: open`).
    public var states: [Int: String]?
    /// The vendor's "not present" sentinels, compared with the raw value before scaling
    /// (`-32768` for an int16 probe that is not fitted): such a reading has quality `absent`.
    public var absent: [Double]?
    /// Raw values that mean the device could not measure (over range, sensor error), with what
    /// each means: such a reading has quality `bad` with that reason, never a value.
    public var bad: [Int: String]?
    /// Absent while another point of this profile holds certain values (a "probe fitted" status).
    public var absentIf: [ModbusConditionSpec]? {
        get { absentIfEntries?.items }
        set { absentIfEntries = newValue.map(OneOrMany.init) }
    }
    /// Bad, with a reason, while another point of this profile holds certain values (a fault
    /// status; `not_equals: [1]` for "valid only when the status register holds 1").
    public var badIf: [ModbusConditionSpec]? {
        get { badIfEntries?.items }
        set { badIfEntries = newValue.map(OneOrMany.init) }
    }
    private var absentIfEntries: OneOrMany<ModbusConditionSpec>?
    private var badIfEntries: OneOrMany<ModbusConditionSpec>?
    /// The engineering value's valid range from the datasheet, `[min, max]`: a value outside is bad.
    public var range: [Double]?
    /// For active-power points: total, inlet, phase or outlet (DESIGN decision 18).
    public var powerRole: PowerRole?
    /// For particle channels: the channel's size threshold in µm (counts are ≥ this size).
    public var sizeMicrometres: Double?
    /// Status points of the same device (bits, states) that make this value doubtful when set:
    /// a good reading becomes `uncertain` while any of them is non-zero or unreadable
    /// (particle counts during a laser or flow fault).
    public var qualifiedBy: [String]?
    /// A remark from the vendor's table.
    public var description: String?

    /// Creates a point spec.
    public init(
        name: String, quantity: Quantity, unit: Unit, kind: RegisterKind? = nil, address: String, type: DataType? = nil,
        order: WordOrder? = nil, scale: Double? = nil, offset: Double? = nil, states: [Int: String]? = nil,
        absent: [Double]? = nil, bad: [Int: String]? = nil, powerRole: PowerRole? = nil, sizeMicrometres: Double? = nil,
        qualifiedBy: [String]? = nil, description: String? = nil, absentIf: [ModbusConditionSpec]? = nil,
        badIf: [ModbusConditionSpec]? = nil, range: [Double]? = nil
    ) {
        self.name = name
        self.quantity = quantity
        self.unit = unit
        self.kind = kind
        self.address = address
        self.type = type
        self.order = order
        self.scale = scale
        self.offset = offset
        self.states = states
        self.absent = absent
        self.bad = bad
        self.powerRole = powerRole
        self.sizeMicrometres = sizeMicrometres
        self.qualifiedBy = qualifiedBy
        self.description = description
        self.absentIf = absentIf
        self.badIf = badIf
        self.range = range
    }

    enum CodingKeys: String, CodingKey {
        case name, quantity, unit, kind, address, type, order, scale, offset, states, absent, bad, description, range
        case absentIfEntries = "absent_if"
        case badIfEntries = "bad_if"
        case powerRole = "power_role"
        case sizeMicrometres = "size_um"
        case qualifiedBy = "qualified_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        quantity = try c.decode(Quantity.self, forKey: .quantity)
        let unitText = try c.decodeIfPresent(String.self, forKey: .unit) ?? ""
        guard let u = Unit(spelling: unitText) else {
            throw DecodingError.dataCorruptedError(
                forKey: .unit, in: c, debugDescription: "'\(unitText)' is not a unit (°C, %RH, L, Å, count, …)")
        }
        unit = u
        kind = try c.decodeIfPresent(RegisterKind.self, forKey: .kind)
        // Addresses may be YAML numbers (`30001`) or strings (`"0001"`, `"0x0100"`).
        if let n = try? c.decode(Int.self, forKey: .address) {
            address = String(n)
        } else {
            address = try c.decode(String.self, forKey: .address)
        }
        type = try c.decodeIfPresent(DataType.self, forKey: .type)
        order = try c.decodeIfPresent(WordOrder.self, forKey: .order)
        scale = try c.decodeIfPresent(Double.self, forKey: .scale)
        offset = try c.decodeIfPresent(Double.self, forKey: .offset)
        states = try c.decodeIfPresent([Int: String].self, forKey: .states)
        absent = try c.decodeIfPresent([Double].self, forKey: .absent)
        bad = try c.decodeIfPresent([Int: String].self, forKey: .bad)
        if let text = try c.decodeIfPresent(String.self, forKey: .powerRole) {
            guard let role = PowerRole(rawValue: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .powerRole, in: c,
                    debugDescription: "'\(text)' is not a power role (\(PowerRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            powerRole = role
        }
        sizeMicrometres = try c.decodeIfPresent(Double.self, forKey: .sizeMicrometres)
        qualifiedBy = try c.decodeIfPresent([String].self, forKey: .qualifiedBy)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        absentIfEntries = try c.decodeIfPresent(OneOrMany<ModbusConditionSpec>.self, forKey: .absentIfEntries)
        badIfEntries = try c.decodeIfPresent(OneOrMany<ModbusConditionSpec>.self, forKey: .badIfEntries)
        range = try c.decodeIfPresent([Double].self, forKey: .range)
    }
}

/// One `absent_if` / `bad_if` entry of a Modbus point: `{point: NAME, equals: [..]}` or
/// `{point: NAME, not_equals: [..], reason: ".."}`; NAME is another numeric point of the same
/// profile, compared by its decoded value.
public struct ModbusConditionSpec: Hashable, Sendable, Codable {
    /// The other point.
    public var point: String
    /// The condition holds when the other point's value is one of these.
    public var equals: [Double]?
    /// The condition holds when the other point's value is none of these.
    public var notEquals: [Double]?
    /// For `bad_if`: what the vendor means (the reading's bad reason).
    public var reason: String?

    /// Creates an entry.
    public init(point: String, equals: [Double]? = nil, notEquals: [Double]? = nil, reason: String? = nil) {
        self.point = point
        self.equals = equals
        self.notEquals = notEquals
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case point, equals, reason
        case notEquals = "not_equals"
    }
}
