/// The SNMP part of a device profile, as written in `config/profiles/NAME.yaml` under `snmp:`.
///
/// Raw, decoded as written; ``SNMPReadPlan/compile(_:sensor:)`` validates it once per sensor and
/// names the sensor, the point and the key in every error (STYLE.md habit 5).
public struct SNMPProfileSpec: Hashable, Sendable, Codable {
    /// Scalar points: one OID each.
    public var points: [SNMPPointSpec] = []
    /// Table columns walked at each read; every row (index) becomes one point.
    public var tables: [SNMPTableSpec] = []
    /// Most varbinds in one GET (default 32); a `tooBig` reply halves it.
    public var maxVarBinds: Int?
    /// GETBULK max-repetitions for walks (default 25; v1 walks with GETNEXT).
    public var maxRepetitions: Int?

    enum CodingKeys: String, CodingKey {
        case points, tables
        case maxVarBinds = "max_varbinds"
        case maxRepetitions = "max_repetitions"
    }
}

extension SNMPProfileSpec {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        points = try c.decodeIfPresent([SNMPPointSpec].self, forKey: .points) ?? []
        tables = try c.decodeIfPresent([SNMPTableSpec].self, forKey: .tables) ?? []
        maxVarBinds = try c.decodeIfPresent(Int.self, forKey: .maxVarBinds)
        maxRepetitions = try c.decodeIfPresent(Int.self, forKey: .maxRepetitions)
    }
}

/// How a value becomes an engineering value; shared by scalar points and table columns.
public struct SNMPConversionSpec: Hashable, Sendable, Codable {
    /// A `Quantity` spelling (`active_power`, `temperature`, `state`).
    public var quantity: String
    /// A `Unit` spelling (`kW`, `degC`, `%RH`); empty or absent for states.
    public var unit: String?
    /// Fixed factor (`0.01`); default 1.
    public var scale: Double?
    /// Added after scaling; default 0.
    public var offset: Double?
    /// OID whose integer value is the number of decimal digits (Raritan); in a table, may contain
    /// `{index}`, replaced by the row's index.
    public var decimalsOID: String?
    /// Numbered states with names.
    public var states: [Int: String]?
    /// Raw values that mean "not present" (→ quality absent).
    public var absentWhen: [Int64]?
    /// Raw values that mean the device could not measure (sensor error, out of range), with
    /// what each means (→ quality bad with that reason, never a value).
    public var badWhen: [Int: String]?
    /// For active-power points: total, inlet, phase or outlet (DESIGN decision 18).
    public var powerRole: String?
    /// `number` (default) or `decimal_text`.
    public var encoding: SNMPTextEncoding?
    /// True: the point is the per-second rate of a counter.
    public var rate: Bool?
    /// The point is absent while another OID (e.g. a port's status) holds certain values; one
    /// entry or a list.
    public var absentIf: [SNMPConditionSpec]? {
        get { absentIfEntries?.items }
        set { absentIfEntries = newValue.map(OneOrMany.init) }
    }
    /// The point is bad, with a reason, while another OID (a probe's error status) holds certain
    /// values; one entry or a list.
    public var badIf: [SNMPConditionSpec]? {
        get { badIfEntries?.items }
        set { badIfEntries = newValue.map(OneOrMany.init) }
    }
    private var absentIfEntries: OneOrMany<SNMPConditionSpec>?
    private var badIfEntries: OneOrMany<SNMPConditionSpec>?
    /// The engineering value's valid range from the datasheet, `[min, max]`: a value outside is bad.
    public var range: [Double]?

    /// Creates a conversion spec.
    public init(
        quantity: String, unit: String? = nil, scale: Double? = nil, offset: Double? = nil,
        decimalsOID: String? = nil, states: [Int: String]? = nil, absentWhen: [Int64]? = nil,
        encoding: SNMPTextEncoding? = nil, rate: Bool? = nil, absentIf: [SNMPConditionSpec]? = nil,
        badWhen: [Int: String]? = nil, powerRole: String? = nil, badIf: [SNMPConditionSpec]? = nil,
        range: [Double]? = nil
    ) {
        self.quantity = quantity
        self.unit = unit
        self.scale = scale
        self.offset = offset
        self.decimalsOID = decimalsOID
        self.states = states
        self.absentWhen = absentWhen
        self.encoding = encoding
        self.rate = rate
        self.absentIf = absentIf
        self.badWhen = badWhen
        self.powerRole = powerRole
        self.badIf = badIf
        self.range = range
    }

    enum CodingKeys: String, CodingKey {
        case quantity, unit, scale, offset, states, encoding, rate, range
        case absentIfEntries = "absent_if"
        case badIfEntries = "bad_if"
        case badWhen = "bad_when"
        case powerRole = "power_role"
        case decimalsOID = "decimals_oid"
        case absentWhen = "absent_when"
    }
}

/// A scalar point: `name`, `oid` and the conversion keys at the same level.
public struct SNMPPointSpec: Hashable, Sendable, Codable {
    /// The point name (`power`, `load_state`).
    public var name: String
    /// The instance OID to GET (`1.3.6.1.4.1.318.1.1.26.4.3.1.5.1`).
    public var oid: String
    /// The conversion.
    public var conversion: SNMPConversionSpec

    enum CodingKeys: String, CodingKey { case name, oid }
}

extension SNMPPointSpec {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        oid = try c.decode(String.self, forKey: .oid)
        conversion = try SNMPConversionSpec(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(oid, forKey: .oid)
        try conversion.encode(to: encoder)
    }
}

/// A table column walked at each read; each row whose index matches `index` becomes a point
/// named from the `name` template (`outlet.{index}.current`, `inlet.{1}.current`).
public struct SNMPTableSpec: Hashable, Sendable, Codable {
    /// Point-name template: `{index}` is the dotted index, `{1}`, `{2}` … its arcs.
    public var name: String
    /// The column OID to walk (`1.3.6.1.4.1.318.1.1.26.9.4.3.1.6`).
    public var walk: String
    /// Index pattern: dotted arcs, `*` for any one arc (`*.1`); absent means any index.
    public var index: String?
    /// The conversion.
    public var conversion: SNMPConversionSpec

    enum CodingKeys: String, CodingKey { case name, walk, index }
}

extension SNMPTableSpec {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        walk = try c.decode(String.self, forKey: .walk)
        index = try c.decodeIfPresent(String.self, forKey: .index)
        conversion = try SNMPConversionSpec(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(walk, forKey: .walk)
        try c.encodeIfPresent(index, forKey: .index)
        try conversion.encode(to: encoder)
    }
}

/// One `absent_if` / `bad_if` entry: "this point is absent (bad) while OID holds one of these
/// values" (`{oid: …, equals: [1]}`), or none of them (`not_equals`); `reason` for `bad_if`.
/// In a table the OID may contain `{index}` and `{1}`, `{2}` … like `decimals_oid`.
public struct SNMPConditionSpec: Hashable, Sendable, Codable {
    /// The OID (template) to read beside the point.
    public var oid: String
    /// The condition holds when the OID's integer value is one of these.
    public var equals: [Int64]?
    /// The condition holds when the OID's integer value is none of these.
    public var notEquals: [Int64]?
    /// For `bad_if`: what the vendor means (the reading's bad reason).
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case oid, equals, reason
        case notEquals = "not_equals"
    }
}
