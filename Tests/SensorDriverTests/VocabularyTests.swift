import SensorDrivers
import Testing
import Yams

@Suite("Wire vocabulary: spellings, aliases, address conventions", .timeLimit(.minutes(1)))
struct VocabularyTests {
    @Test(
        "data type spellings and aliases",
        arguments: [
            ("int16", DataType.int16), ("short", .int16), ("UINT16", .uint16), ("word", .uint16), ("dint", .int32),
            ("uint32", .uint32), ("int64", .int64), ("uint64", .uint64), ("float", .float32), ("real", .float32),
            ("double", .float64), ("lreal", .float64), ("string(8)", .string(registers: 8)), ("string:3", .string(registers: 3)),
            ("bit(0)", .bit(0)), ("bit:15", .bit(15)), ("bit7", .bit(7)), ("bool", .boolean),
        ])
    func dataTypes(_ spelling: String, _ expected: DataType) {
        #expect(DataType(spelling: spelling) == expected)
    }

    @Test("out-of-range or unknown data types are refused", arguments: ["bit(16)", "bit(-1)", "string(0)", "string(126)", "float16", ""])
    func badDataTypes(_ spelling: String) {
        #expect(DataType(spelling: spelling) == nil)
    }

    @Test("widths", arguments: [(DataType.int16, 1), (.float32, 2), (.uint64, 4), (.float64, 4), (.string(registers: 5), 5), (.bit(3), 1)])
    func widths(_ t: DataType, _ w: Int) { #expect(t.width == w) }

    @Test(
        "word orders and aliases",
        arguments: [
            ("ABCD", WordOrder.abcd), ("big", .abcd), ("badc", .badc), ("byte-swap", .badc), ("CDAB", .cdab),
            ("word_swap", .cdab), ("dcba", .dcba), ("little", .dcba),
        ])
    func orders(_ s: String, _ o: WordOrder) { #expect(WordOrder(spelling: s) == o) }

    @Test(
        "register kinds and aliases",
        arguments: [
            ("coil", RegisterKind.coil), ("coils", .coil), ("discrete_input", .discreteInput), ("DI", .discreteInput),
            ("discrete-inputs", .discreteInput), ("holding", .holding), ("holding_register", .holding), ("hr", .holding),
            ("input", .input), ("input registers", .input), ("ir", .input),
        ])
    func kinds(_ s: String, _ k: RegisterKind) { #expect(RegisterKind(spelling: s) == k) }

    @Test("function codes round-trip")
    func functionCodes() {
        for k in RegisterKind.allCases { #expect(RegisterKind(readFunction: k.readFunction) == k) }
        #expect(RegisterKind(readFunction: 0x05) == nil)
    }

    struct AddressCase: Sendable, CustomStringConvertible {
        let base: AddressConvention
        let written: String
        let kind: RegisterKind?
        let expected: Result<(RegisterKind, Int), AddressConvention.Problem>
        var description: String { "\(base.rawValue):\(written)" }
    }

    static let addressCases: [AddressCase] = [
        .init(base: .zeroBased, written: "0", kind: .input, expected: .success((.input, 0))),
        .init(base: .zeroBased, written: "65535", kind: .holding, expected: .success((.holding, 65535))),
        .init(base: .zeroBased, written: "65536", kind: .holding, expected: .failure(.outOfRange)),
        .init(base: .zeroBased, written: "0x0100", kind: .holding, expected: .success((.holding, 256))),
        .init(base: .zeroBased, written: "12a", kind: .holding, expected: .failure(.syntax)),
        .init(base: .zeroBased, written: "-1", kind: .holding, expected: .failure(.syntax)),
        .init(base: .zeroBased, written: "5", kind: nil, expected: .failure(.missingKind)),
        .init(base: .oneBased, written: "0001", kind: .holding, expected: .success((.holding, 0))),
        .init(base: .oneBased, written: "0257", kind: .holding, expected: .success((.holding, 256))),
        .init(base: .oneBased, written: "0", kind: .holding, expected: .failure(.outOfRange)),
        .init(base: .oneBased, written: "65536", kind: .holding, expected: .success((.holding, 65535))),
        .init(base: .modicon, written: "30001", kind: nil, expected: .success((.input, 0))),
        .init(base: .modicon, written: "30024", kind: nil, expected: .success((.input, 23))),
        .init(base: .modicon, written: "40023", kind: nil, expected: .success((.holding, 22))),
        .init(base: .modicon, written: "10001", kind: nil, expected: .success((.discreteInput, 0))),
        .init(base: .modicon, written: "00001", kind: nil, expected: .success((.coil, 0))),
        .init(base: .modicon, written: "1", kind: nil, expected: .success((.coil, 0))),
        .init(base: .modicon, written: "400001", kind: nil, expected: .success((.holding, 0))),
        .init(base: .modicon, written: "465536", kind: nil, expected: .success((.holding, 65535))),
        .init(base: .modicon, written: "30000", kind: nil, expected: .failure(.outOfRange)),
        .init(base: .modicon, written: "20001", kind: nil, expected: .failure(.outOfRange)),
        .init(base: .modicon, written: "3x001", kind: nil, expected: .failure(.syntax)),
        .init(base: .modicon, written: "30001", kind: .holding, expected: .failure(.kindMismatch(.input))),
        .init(base: .modicon, written: "40001", kind: .holding, expected: .success((.holding, 0))),
    ]

    @Test("addresses resolve by the profile's convention (DESIGN decision 11)", arguments: addressCases)
    func addresses(_ c: AddressCase) {
        let got = c.base.resolve(c.written, kind: c.kind)
        switch (got, c.expected) {
        case (.success(let g), .success(let e)):
            #expect(g.0 == e.0)
            #expect(g.1 == e.1)
        case (.failure(let g), .failure(let e)):
            #expect(g == e)
        default:
            Issue.record("\(c): got \(got), expected \(c.expected)")
        }
    }

    @Test("parity maps to libmodbus' N/E/O", arguments: [("none", "N"), ("N", "N"), ("even", "E"), ("e", "E"), ("odd", "O"), ("O", "O")])
    func parity(_ spelling: String, _ code: String) throws {
        let p = try #require(Parity(spelling: spelling))
        #expect(p.libmodbusCode == CChar(UInt8(ascii: Unicode.Scalar(code)!)))
    }

    @Test("unknown parity is refused")
    func badParity() { #expect(Parity(spelling: "mark") == nil) }

    @Test("endpoints parse: TCP host names, ports, RTU serial options")
    func endpoints() throws {
        #expect(try ModbusEndpoint(parsing: "tcp://127.0.0.1:15502") == .tcp(host: "127.0.0.1", port: 15502))
        #expect(try ModbusEndpoint(parsing: "tcp://localhost") == .tcp(host: "localhost", port: 502))
        #expect(try ModbusEndpoint(parsing: "tcp://[::1]:1502") == .tcp(host: "::1", port: 1502))
        let rtu = try ModbusEndpoint(parsing: "rtu:///dev/ttyUSB0?baud=9600&parity=odd&data=8&stop=2")
        #expect(rtu == .rtu(SerialSettings(device: "/dev/ttyUSB0", baud: 9600, parity: .odd, dataBits: 8, stopBits: 2)))
        #expect(try ModbusEndpoint(parsing: "rtu:///dev/ttyS1") == .rtu(SerialSettings(device: "/dev/ttyS1")))
        #expect(SerialSettings(device: "/dev/x").parity == .even, "Modbus serial default is 8E1")
    }

    @Test(
        "bad endpoints are configuration errors",
        arguments: ["udp://1.2.3.4:5", "tcp://:502", "tcp://h:0", "tcp://h:70000", "rtu://ttyUSB0", "rtu:///dev/x?parity=mark",
            "rtu:///dev/x?stop=3", "rtu:///dev/x?speed=1"])
    func badEndpoints(_ text: String) {
        #expect(throws: ProfileError.self) { try ModbusEndpoint(parsing: text) }
    }

    @Test("decoding takes the aliases, refuses with the text form, and encodes the raw value or spelling")
    func textCoding() throws {
        struct Row: Codable { var order: WordOrder; var kind: RegisterKind; var base: AddressConvention; var type: DataType }
        let row = try YAMLDecoder().decode(Row.self, from: "{order: word_swap, kind: hr, base: 1, type: float}")
        #expect(row.order == .cdab && row.kind == .holding && row.base == .oneBased && row.type == .float32)
        #expect(try YAMLEncoder().encode(row) == "order: CDAB\nkind: holding\nbase: '1'\ntype: float32\n")
        #expect(try YAMLDecoder().decode(Row.self, from: "{order: ABCD, kind: coil, base: modicon, type: int16}").base == .modicon)
        do {
            _ = try YAMLDecoder().decode(Row.self, from: "{order: sideways, kind: hr, base: 1, type: float}")
            Issue.record("an unknown byte order decoded")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == "'sideways' is not a byte order (ABCD, BADC, CDAB, DCBA)")
            #expect(context.codingPath.map(\.stringValue) == ["order"])
        }
        #expect(throws: DecodingError.self) { try YAMLDecoder().decode(Row.self, from: "{order: ABCD, kind: hr, base: 7, type: float}") }
    }
}
