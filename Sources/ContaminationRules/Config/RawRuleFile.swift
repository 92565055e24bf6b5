/// A rule file as written (`config/rules/*.yaml`), before validation. Values stay as written
/// (strings for durations, ids and names) so that validation can name the rule and key of
/// every problem.
public struct RawRuleFile: Decodable, Sendable {
    /// File format version (1).
    public var version: Int?
    /// Default flapping detection for every rule.
    public var flapping: RawFlapping?
    /// Policy applied to every room unless `rooms` overrides it.
    public var roomDefaults: RawRoomPolicy?
    /// Per-room overrides, keyed by room id.
    public var rooms: [String: RawRoomPolicy]?
    /// The rules, in file order.
    public var rules: [RawRule]
    /// Top-level keys the format does not know (typos), reported by the compiler.
    public var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, flapping, rooms, rules
        case roomDefaults = "room_defaults"
    }

    public init(from decoder: any Decoder) throws {
        unknownKeys = try UnknownKeys.in(decoder, known: CodingKeys.allCases.map(\.stringValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version)
        flapping = try c.decodeIfPresent(RawFlapping.self, forKey: .flapping)
        roomDefaults = try c.decodeIfPresent(RawRoomPolicy.self, forKey: .roomDefaults)
        rooms = try c.decodeIfPresent([String: RawRoomPolicy].self, forKey: .rooms)
        rules = try c.decode([RawRule].self, forKey: .rules)
    }
}

/// Flapping detection as written: `transitions` within `window`.
public struct RawFlapping: Codable, Sendable, Hashable {
    /// Number of fire/resolve transitions that make a condition flap.
    public var transitions: Int?
    /// The window the transitions are counted in (`30m`).
    public var window: String?
    /// Keys the section does not know (typos), reported by the compiler.
    public var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case transitions, window
    }

    public init(from decoder: any Decoder) throws {
        unknownKeys = try UnknownKeys.in(decoder, known: CodingKeys.allCases.map(\.stringValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transitions = try c.decodeIfPresent(Int.self, forKey: .transitions)
        window = try c.decodeIfPresent(String.self, forKey: .window)
    }
}

/// A room's policy as written.
public struct RawRoomPolicy: Codable, Sendable, Hashable {
    /// The worst ASHRAE class the room may reach without an event (`recommended`, `A1`…`A4`).
    public var ashraeClass: String?
    /// True when tape drives are present (rate of change limit 5 °C/h instead of 20).
    public var tapeDrives: Bool?
    /// True when pollutants are high (coupons above G1): recommended RH ceiling 50 %.
    public var highPollutants: Bool?
    /// True for a sensitive area: a third party's cleaning needs an operator's escort (I.2.b.4.b).
    public var sensitive: Bool?
    /// Keys the section does not know (typos), reported by the compiler.
    public var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case ashraeClass = "ashrae_class"
        case tapeDrives = "tape_drives"
        case highPollutants = "high_pollutants"
        case sensitive
    }

    public init(from decoder: any Decoder) throws {
        unknownKeys = try UnknownKeys.in(decoder, known: CodingKeys.allCases.map(\.stringValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ashraeClass = try c.decodeIfPresent(String.self, forKey: .ashraeClass)
        tapeDrives = try c.decodeIfPresent(Bool.self, forKey: .tapeDrives)
        highPollutants = try c.decodeIfPresent(Bool.self, forKey: .highPollutants)
        sensitive = try c.decodeIfPresent(Bool.self, forKey: .sensitive)
    }
}

/// Which points, devices, racks or rooms a rule applies to. Every list narrows; absent = all.
public struct RawSelector: Codable, Sendable, Hashable {
    /// Explicit point ids (`DC-R1-A05-TH1/temperature`).
    public var points: [String]?
    /// Device CI ids.
    public var devices: [String]?
    /// Rack ids: the points of devices mounted in them.
    public var racks: [String]?
    /// Room ids.
    public var rooms: [String]?
    /// A quantity (`temperature`, `active_power`).
    public var quantity: String?
    /// A point-name pattern; `*` matches any run of characters (`inlet.*`).
    public var name: String?
    /// Keys the selector does not know (`point:` for `points:`), reported by the compiler: a
    /// misspelt narrowing key would otherwise select every point.
    public var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case points, devices, racks, rooms, quantity, name
    }
}

extension RawSelector {
    public init(from decoder: any Decoder) throws {
        unknownKeys = try UnknownKeys.in(decoder, known: CodingKeys.allCases.map(\.stringValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        points = try c.decodeIfPresent([String].self, forKey: .points)
        devices = try c.decodeIfPresent([String].self, forKey: .devices)
        racks = try c.decodeIfPresent([String].self, forKey: .racks)
        rooms = try c.decodeIfPresent([String].self, forKey: .rooms)
        quantity = try c.decodeIfPresent(String.self, forKey: .quantity)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }
}

/// A state named by number (`4`) or by the point's state name (`overload`).
public enum RawStateRef: Codable, Sendable, Hashable {
    /// A state number.
    case number(Int)
    /// A state name from the point's name map.
    case name(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .name(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .name(let s): try c.encode(s)
        }
    }
}

/// Finds the keys of a mapping that a type does not know.
enum UnknownKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The keys of the decoder's mapping not in `known`, sorted.
    static func `in`(_ decoder: any Decoder, known: [String]) throws -> [String] {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let knownSet = Set(known)
        return any.allKeys.map(\.stringValue).filter { !knownSet.contains($0) }.sorted()
    }
}
