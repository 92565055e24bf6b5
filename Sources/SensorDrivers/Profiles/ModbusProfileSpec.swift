/// The Modbus part of a device profile, as written in `config/profiles/NAME.yaml`.
public struct ModbusProfileSpec: Hashable, Sendable, Codable {
    /// How addresses are written in this profile (DESIGN decision 11).
    public var base: AddressConvention
    /// The table of points that do not name one (not needed under Modicon numbering).
    public var kind: RegisterKind?
    /// The byte/word order of points that do not name one; ABCD when absent.
    public var order: WordOrder?
    /// Device quirks the request planner honours.
    public var quirks: ModbusQuirks?
    /// The point whose value (Unix seconds) is the device's own sample time: every reading of
    /// one poll is stamped with it, so a record read twice is one sample (DESIGN decision 2).
    public var recordTime: String?
    /// The points, in the order the vendor's table lists them.
    public var points: [ModbusPointSpec]

    /// Creates a spec.
    public init(
        base: AddressConvention, kind: RegisterKind? = nil, order: WordOrder? = nil, quirks: ModbusQuirks? = nil,
        recordTime: String? = nil, points: [ModbusPointSpec]
    ) {
        self.base = base
        self.kind = kind
        self.order = order
        self.quirks = quirks
        self.recordTime = recordTime
        self.points = points
    }

    enum CodingKeys: String, CodingKey {
        case base, kind, order, quirks, points
        case recordTime = "record_time"
    }
}

/// Request quirks of a device model; inputs of the request planner, never branches in the driver.
public struct ModbusQuirks: Hashable, Sendable, Codable {
    /// A lower maximum of registers per request than the protocol's 125.
    public var maxRegisters: Int?
    /// A lower maximum of bits per request than the protocol's 2000.
    public var maxBits: Int?
    /// Read every point with its own request (devices that refuse multi-point reads).
    public var onePerPoint: Bool?
    /// Read across holes of up to this many unmapped registers to save requests; 0 by default.
    public var bridgeHoles: Int?

    /// Creates quirks; nil means the protocol default.
    public init(maxRegisters: Int? = nil, maxBits: Int? = nil, onePerPoint: Bool? = nil, bridgeHoles: Int? = nil) {
        self.maxRegisters = maxRegisters
        self.maxBits = maxBits
        self.onePerPoint = onePerPoint
        self.bridgeHoles = bridgeHoles
    }

    enum CodingKeys: String, CodingKey {
        case maxRegisters = "max_registers"
        case maxBits = "max_bits"
        case onePerPoint = "one_per_point"
        case bridgeHoles = "bridge_holes"
    }
}
