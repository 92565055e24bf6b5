/// A YAML scalar decoded without judging it: a number, a boolean, a string, or null.
/// Lets the NetBox importer see `''`, `null`, `2.0` and `29` as they are and decide itself.
public enum LenientScalar: Hashable, Sendable, Decodable, CustomStringConvertible {
    case null
    case number(Double)
    case bool(Bool)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "not a scalar"))
        }
    }

    /// True for null and the empty string: NetBox exports use both for "no value".
    public var isEmpty: Bool {
        switch self {
        case .null: true
        case .string(let s): s.allSatisfy { $0 == " " }
        default: false
        }
    }

    /// The text of a string scalar, nil otherwise.
    public var text: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): String(b)
        case .string(let s): "'\(s)'"
        }
    }
}

/// A port entry of a NetBox device-type file, decoded leniently.
public struct NetBoxPortRaw: Hashable, Sendable, Decodable {
    /// Port name.
    public var name: LenientScalar?
    /// Port type slug.
    public var type: LenientScalar?
    /// Power ports: maximum draw (W).
    public var maximum_draw: LenientScalar?
    /// Power ports: allocated draw (W).
    public var allocated_draw: LenientScalar?

    enum CodingKeys: String, CodingKey { case name, type, maximum_draw, allocated_draw }

    /// Decodes a port, keeping an explicit `null` apart from an absent key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value(_ k: CodingKeys) throws -> LenientScalar? {
            guard c.contains(k) else { return nil }
            return try c.decodeNil(forKey: k) ? .null : c.decode(LenientScalar.self, forKey: k)
        }
        name = try value(.name)
        type = try value(.type)
        maximum_draw = try value(.maximum_draw)
        allocated_draw = try value(.allocated_draw)
    }
}

/// A NetBox community device-type file as written, every field optional and lenient, so a
/// broken file decodes and the conversion (``NetBoxImport/convert(_:)``) can say what is wrong.
public struct NetBoxDeviceTypeRaw: Hashable, Sendable, Decodable {
    /// The file's `manufacturer`.
    public var manufacturer: LenientScalar?
    /// The file's `model`.
    public var model: LenientScalar?
    /// The file's `slug`.
    public var slug: LenientScalar?
    /// The file's `part_number`.
    public var part_number: LenientScalar?
    /// The file's `u_height`.
    public var u_height: LenientScalar?
    /// The file's `is_full_depth`.
    public var is_full_depth: LenientScalar?
    /// The file's `airflow`.
    public var airflow: LenientScalar?
    /// The file's `weight`.
    public var weight: LenientScalar?
    /// The file's `weight_unit`.
    public var weight_unit: LenientScalar?
    /// The file's `interfaces`.
    public var interfaces: [NetBoxPortRaw]?
    /// The file's `frontPorts`.
    public var frontPorts: [NetBoxPortRaw]?
    /// The file's `rearPorts`.
    public var rearPorts: [NetBoxPortRaw]?
    /// The file's `consolePorts`.
    public var consolePorts: [NetBoxPortRaw]?
    /// The file's `powerPorts`.
    public var powerPorts: [NetBoxPortRaw]?
    /// The file's `powerOutlets`.
    public var powerOutlets: [NetBoxPortRaw]?

    enum CodingKeys: String, CodingKey {
        case manufacturer, model, slug, part_number, u_height, is_full_depth, airflow, weight, weight_unit, interfaces
        case frontPorts = "front-ports"
        case rearPorts = "rear-ports"
        case consolePorts = "console-ports"
        case powerPorts = "power-ports"
        case powerOutlets = "power-outlets"
    }
}
