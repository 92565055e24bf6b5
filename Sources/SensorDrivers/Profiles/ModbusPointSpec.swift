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
        absent: [Double]? = nil, sizeMicrometres: Double? = nil, qualifiedBy: [String]? = nil, description: String? = nil
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
        self.sizeMicrometres = sizeMicrometres
        self.qualifiedBy = qualifiedBy
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, quantity, unit, kind, address, type, order, scale, offset, states, absent, description
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
        sizeMicrometres = try c.decodeIfPresent(Double.self, forKey: .sizeMicrometres)
        qualifiedBy = try c.decodeIfPresent([String].self, forKey: .qualifiedBy)
        description = try c.decodeIfPresent(String.self, forKey: .description)
    }
}
