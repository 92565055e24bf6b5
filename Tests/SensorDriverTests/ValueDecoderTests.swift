@testable import SensorDrivers
import Telemetry
import Testing

@Suite("Decoding point values from registers", .timeLimit(.minutes(1)))
struct ValueDecoderTests {
    static func point(_ type: DataType, order: WordOrder = .abcd, kind: RegisterKind = .holding, scale: Double = 1, offset: Double = 0,
        absent: Set<Double> = [], address: Int = 0) -> ModbusPointPlan
    {
        let id = PointID(ci: "DEV-1", name: "p")!
        return ModbusPointPlan(
            descriptor: PointDescriptor(id: id, quantity: .temperature, unit: .celsius), kind: kind, address: address, type: type,
            order: order, scale: scale, offset: offset, absent: absent)
    }

    // 0x41C8_0000 = 25.0 as float32; each order as it appears on the wire.
    @Test(
        "float32 in every word order",
        arguments: [
            (WordOrder.abcd, [UInt16(0x41C8), 0x0000]), (.cdab, [0x0000, 0x41C8]), (.badc, [0xC841, 0x0000]),
            (.dcba, [0x0000, 0xC841]),
        ])
    func float32Orders(_ order: WordOrder, _ words: [UInt16]) {
        #expect(ValueDecoder.decode(Self.point(.float32, order: order), units: words, start: 0) == .number(25))
    }

    @Test(
        "uint32 0x01020304 in every word order",
        arguments: [
            (WordOrder.abcd, [UInt16(0x0102), 0x0304]), (.cdab, [0x0304, 0x0102]), (.badc, [0x0201, 0x0403]),
            (.dcba, [0x0403, 0x0201]),
        ])
    func uint32Orders(_ order: WordOrder, _ words: [UInt16]) {
        #expect(ValueDecoder.decode(Self.point(.uint32, order: order), units: words, start: 0) == .number(16_909_060))
    }

    @Test(
        "integer types, signed and unsigned",
        arguments: [
            (DataType.int16, [UInt16(0xFFFE)], -2.0), (.uint16, [0xFFFE], 65534), (.int32, [0xFFFF, 0xFFFF], -1),
            (.uint32, [0xFFFF, 0xFFFF], 4_294_967_295), (.int64, [0xFFFF, 0xFFFF, 0xFFFF, 0xFFF6], -10),
            (.uint64, [0, 0, 1, 0], 65536), (.float64, [0x4037, 0x4000, 0, 0], 23.25), (.bit(3), [0b1000], 1),
            (.bit(2), [0b1000], 0), (.bit(15), [0x8000], 1),
        ])
    func integers(_ t: DataType, _ words: [UInt16], _ value: Double) {
        #expect(ValueDecoder.decode(Self.point(t), units: words, start: 0) == .number(value))
    }

    @Test("a point is found at its offset inside the request")
    func offsetInRequest() {
        let p = Self.point(.int16, address: 12)
        #expect(ValueDecoder.decode(p, units: [9, 9, 0xFF38, 9], start: 10) == .number(-200))
    }

    @Test("coils and discrete inputs decode as 0 or 1")
    func bits() {
        let p = Self.point(.boolean, kind: .discreteInput, address: 1)
        #expect(ValueDecoder.decode(p, units: [0, 1, 0], start: 0) == .number(1))
        #expect(ValueDecoder.decode(p, units: [1, 0, 1], start: 0) == .number(0))
    }

    @Test("decimal scales give the nearest double", arguments: [(4550, 0.01, 45.5), (2225, 0.01, 22.25), (231, 0.1, 23.1), (2832, 0.01, 28.32), (283, 0.01, 2.83), (7, 2.5, 17.5)])
    func scales(_ raw: Int, _ scale: Double, _ expected: Double) {
        #expect(ValueDecoder.decode(Self.point(.uint16, scale: scale), units: [UInt16(raw)], start: 0) == .number(expected))
    }

    @Test("offset is added after scaling")
    func offset() {
        #expect(ValueDecoder.decode(Self.point(.uint16, scale: 0.1, offset: -40), units: [650], start: 0) == .number(25))
    }

    @Test("sentinels compare with the raw value before scaling and give absent")
    func sentinels() {
        let p = Self.point(.int16, scale: 0.1, absent: [-32768, -1])
        #expect(ValueDecoder.decode(p, units: [0x8000], start: 0) == .absent)
        #expect(ValueDecoder.decode(p, units: [0xFFFF], start: 0) == .absent)
        #expect(ValueDecoder.decode(p, units: [0xFFFE], start: 0) == .number(-0.2))
    }

    @Test("NaN and infinity are not values")
    func notFinite() {
        #expect(ValueDecoder.decode(Self.point(.float32), units: [0x7FC0, 0], start: 0) == .notFinite)
        #expect(ValueDecoder.decode(Self.point(.float32), units: [0x7F80, 0], start: 0) == .notFinite)
    }

    @Test("strings: two bytes per register, NUL-padded, byte-swapped with BADC")
    func strings() {
        #expect(ValueDecoder.decode(Self.point(.string(registers: 3)), units: [0x4854, 0x4D33, 0x0000], start: 0) == .text("HTM3"))
        #expect(ValueDecoder.decode(Self.point(.string(registers: 2), order: .badc), units: [0x5448, 0x334D], start: 0) == .text("HTM3"))
    }
}
