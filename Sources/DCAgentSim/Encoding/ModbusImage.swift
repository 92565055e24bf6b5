/// The four Modbus tables.
enum ModbusTable: Sendable, Equatable {
    case coils, discreteInputs, holding, input
}

/// A register address as a vendor's manual writes it, turned into the zero-based
/// protocol address the wire carries (DESIGN decision 11).
enum VendorAddress {
    /// `base: 0`: the manual's number is the protocol address.
    static func base0(_ table: ModbusTable, _ n: Int) -> (ModbusTable, Int) { (table, n) }
    /// `base: 1`: register 0001 is protocol address 0.
    static func base1(_ table: ModbusTable, _ n: Int) -> (ModbusTable, Int) { (table, n - 1) }
    /// `base: modicon`: 30001 is input register 0, 40001 holding register 0, 10001 discrete input 0.
    static func modicon(_ n: Int) -> (ModbusTable, Int) {
        switch n {
        case 40001...49999: (.holding, n - 40001)
        case 30001...39999: (.input, n - 30001)
        case 10001...19999: (.discreteInputs, n - 10001)
        default: (.coils, n - 1)
        }
    }
}

/// One value of a device's register map: where it lives and how it is encoded.
struct RegisterField: Sendable {
    /// The table.
    let table: ModbusTable
    /// Zero-based protocol address of its first register.
    let address: Int
    /// Wire type.
    let type: RegisterDataType
    /// Word order of multi-register types.
    let order: WordOrder
    /// Engineering value = raw × scale.
    let scale: Double

    init(_ at: (ModbusTable, Int), _ type: RegisterDataType, order: WordOrder = .abcd, scale: Double = 1) {
        (table, address) = at
        self.type = type
        self.order = order
        self.scale = scale
    }

    /// The last address the field occupies, plus one.
    var end: Int { address + type.wordCount }
}

/// How many entries each table of a unit has (every table starts at address 0).
struct ModbusLayout: Sendable, Equatable {
    var coils = 0
    var discreteInputs = 0
    var holding = 0
    var input = 0

    /// The smallest layout that holds all `fields` and `discreteInputs` bits.
    static func covering(_ fields: [RegisterField], discreteInputs: Int = 0) -> ModbusLayout {
        var layout = ModbusLayout(discreteInputs: discreteInputs)
        for f in fields {
            switch f.table {
            case .holding: layout.holding = max(layout.holding, f.end)
            case .input: layout.input = max(layout.input, f.end)
            case .coils, .discreteInputs: break
            }
        }
        return layout
    }
}

/// What one Modbus unit serves at a moment: the content of its four tables.
struct ModbusImage: Sendable, Equatable {
    /// The layout the tables were sized from.
    let layout: ModbusLayout
    var coils: [UInt8]
    var discreteInputs: [UInt8]
    var holding: [UInt16]
    var input: [UInt16]

    /// An image of zeros.
    init(layout: ModbusLayout) {
        self.layout = layout
        coils = Array(repeating: 0, count: layout.coils)
        discreteInputs = Array(repeating: 0, count: layout.discreteInputs)
        holding = Array(repeating: 0, count: layout.holding)
        input = Array(repeating: 0, count: layout.input)
    }

    /// Stores an engineering value at a field through the generic encoder.
    mutating func put(_ value: Double, at field: RegisterField) {
        putWords(RegisterEncoder.encode(value, as: field.type, order: field.order, scale: field.scale), at: field)
    }

    /// Stores raw words at a field (vendor sentinels such as 0x8000 "not fitted").
    mutating func putWords(_ words: [UInt16], at field: RegisterField) {
        for (i, w) in words.enumerated() {
            switch field.table {
            case .holding: holding[field.address + i] = w
            case .input: input[field.address + i] = w
            case .coils, .discreteInputs: preconditionFailure("registers go to holding or input tables")
            }
        }
    }

    /// Sets one discrete input.
    mutating func setDiscreteInput(_ index: Int, _ on: Bool) { discreteInputs[index] = on ? 1 : 0 }
}
