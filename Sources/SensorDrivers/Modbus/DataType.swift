public import Telemetry

/// How the registers of one point form a value. Closed vocabulary; config aliases
/// (`float`, `real`, `short`, `word`, `dint`, `string(8)`, `bit:3` …) are accepted only while decoding.
public enum DataType: Hashable, Sendable, CustomStringConvertible, TextCodable {
    case int16, uint16, int32, uint32, int64, uint64, float32, float64
    /// Text of `registers` registers, two ASCII bytes each, NUL-padded.
    case string(registers: Int)
    /// Bit `n` (0 = least significant) of one register.
    case bit(Int)
    /// One coil or discrete input.
    case boolean

    /// How many table units (registers, or bits for coils and discrete inputs) the value spans.
    public var width: Int {
        switch self {
        case .int16, .uint16, .bit, .boolean: 1
        case .int32, .uint32, .float32: 2
        case .int64, .uint64, .float64: 4
        case .string(let n): n
        }
    }

    /// True for signed and unsigned integers (the types a sentinel or a state compares exactly).
    public var isInteger: Bool {
        switch self {
        case .int16, .uint16, .int32, .uint32, .int64, .uint64, .bit, .boolean: true
        case .float32, .float64, .string: false
        }
    }

    /// True for every type that decodes to a number (all but `string(n)`).
    public var isNumber: Bool {
        if case .string = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .int16: "int16"
        case .uint16: "uint16"
        case .int32: "int32"
        case .uint32: "uint32"
        case .int64: "int64"
        case .uint64: "uint64"
        case .float32: "float32"
        case .float64: "float64"
        case .string(let n): "string(\(n))"
        case .bit(let n): "bit(\(n))"
        case .boolean: "bool"
        }
    }

    /// Parses a spelling or alias, case-insensitively; nil when unknown or out of range.
    public init?(spelling: String) {
        let s = String(spelling.lowercased().filter { $0 != " " })
        if let n = Self.argument(of: s, prefixes: ["string", "str"]) {
            guard n >= 1, n <= ModbusLimits.maxRegistersPerRequest else { return nil }
            self = .string(registers: n)
            return
        }
        if let n = Self.argument(of: s, prefixes: ["bit"]) {
            guard (0...15).contains(n) else { return nil }
            self = .bit(n)
            return
        }
        switch s {
        case "int16", "short", "int", "s16": self = .int16
        case "uint16", "ushort", "word", "uint", "u16": self = .uint16
        case "int32", "dint", "long", "s32": self = .int32
        case "uint32", "udint", "ulong", "dword", "u32": self = .uint32
        case "int64", "lint", "s64": self = .int64
        case "uint64", "ulint", "u64": self = .uint64
        case "float32", "float", "real", "f32": self = .float32
        case "float64", "double", "lreal", "f64": self = .float64
        case "bool", "boolean", "bit": self = .boolean
        default: return nil
        }
    }

    /// `string(8)`, `string:8`, `string8`, `bit(3)`, `bit:3`, `bit3` → the number.
    private static func argument(of s: String, prefixes: [String]) -> Int? {
        for p in prefixes where s.hasPrefix(p) && s.count > p.count {
            var rest = s.dropFirst(p.count)
            if rest.first == "(" && rest.last == ")" { rest = rest.dropFirst().dropLast() }
            else if rest.first == ":" || rest.first == "_" { rest = rest.dropFirst() }
            if let n = Int(rest) { return n }
        }
        return nil
    }

    public init?(text: String) { self.init(spelling: text) }
    public static let textForm = "a data type (int16, uint16, int32, uint32, int64, uint64, float32, float64, string(n), bit(n), bool)"
}
