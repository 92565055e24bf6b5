public import Telemetry

/// The four Modbus data tables. Config spellings are the raw values; aliases are accepted
/// only while decoding (`holding_register`, `hr`, `input_register`, `ir`, `discrete`, `di`, `coils`).
public enum RegisterKind: String, Hashable, Sendable, CaseIterable, Comparable, TextCodable {
    /// Read/write single bits (function 01).
    case coil
    /// Read-only single bits (function 02).
    case discreteInput = "discrete_input"
    /// Read/write 16-bit registers (function 03).
    case holding
    /// Read-only 16-bit registers (function 04).
    case input

    /// The read function code of this table.
    public var readFunction: UInt8 {
        switch self {
        case .coil: 0x01
        case .discreteInput: 0x02
        case .holding: 0x03
        case .input: 0x04
        }
    }

    /// True for the bit tables (coils, discrete inputs).
    public var isBit: Bool { self == .coil || self == .discreteInput }

    /// The most units (bits or registers) one request may read from this table.
    public var requestLimit: Int { isBit ? ModbusLimits.maxBitsPerRequest : ModbusLimits.maxRegistersPerRequest }

    /// The table a read function code reads, nil for other codes.
    public init?(readFunction code: UInt8) {
        guard let kind = Self.allCases.first(where: { $0.readFunction == code }) else { return nil }
        self = kind
    }

    /// Parses a config spelling or alias, case-insensitively.
    public init?(spelling: String) {
        switch normalizedSpelling(spelling) {
        case "coil", "coils", "co": self = .coil
        case "discrete_input", "discrete_inputs", "discrete", "di", "input_status": self = .discreteInput
        case "holding", "holding_register", "holding_registers", "hr": self = .holding
        case "input", "input_register", "input_registers", "ir": self = .input
        default: return nil
        }
    }

    /// A human name for logs ("input registers").
    public var pluralName: String {
        switch self {
        case .coil: "coils"
        case .discreteInput: "discrete inputs"
        case .holding: "holding registers"
        case .input: "input registers"
        }
    }

    public static func < (a: RegisterKind, b: RegisterKind) -> Bool {
        a.readFunction < b.readFunction
    }

    public init?(text: String) { self.init(spelling: text) }
    public static let textForm = "a register kind (coil, discrete_input, holding, input)"
}
