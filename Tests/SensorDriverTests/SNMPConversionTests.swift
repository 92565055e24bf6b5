@testable import SensorDrivers
import Telemetry
import Testing

@Suite("SNMP engineering values, scales and counter rates", .timeLimit(.minutes(1)))
struct SNMPConversionTests {
    @Test(
        "decimal scales give the exact literal",
        arguments: [
            (121.0, 0.01, 0, 1.21), (19516.0, 0.1, 0, 1951.6), (65.0, 0.1, 0, 6.5), (4213.0, 1.0, 3, 4.213),
            (1_234_567.0, 0.001, 0, 1234.567), (95.0, 1.0, 2, 0.95), (-1.0, 0.1, 0, -0.1), (7.0, 1000.0, 0, 7000.0),
        ])
    func exactScale(raw: Double, factor: Double, decimals: Int, expected: Double) throws {
        let scale = try #require(SNMPScale(factor))
        #expect(scale.apply(raw, extraDecimals: decimals) == expected)
    }

    @Test("scales that are not decimals are refused", arguments: [0.0, Double.nan, Double.infinity, 1e-13])
    func badScale(_ factor: Double) {
        #expect(SNMPScale(factor) == nil)
    }

    @Test("sentinel → absent, states → name or uncertain, offset applied")
    func rules() {
        let temp = SNMPPointRule(
            name: "t", quantity: .temperature, unit: .celsius, scale: SNMPScale(0.1)!, absentWhen: [-1])
        #expect(temp.convert(.integer(-1)).quality == .absent)
        #expect(temp.convert(.integer(-1)).value.isNaN)
        #expect(temp.convert(.integer(-2)).value == -0.2)
        let state = SNMPPointRule(name: "s", quantity: .state, unit: .none, states: [1: "low", 2: "normal"])
        #expect(state.convert(.integer(2)).quality == .good)
        #expect(state.convert(.integer(2)).value == 2)
        #expect(state.convert(.integer(9)).quality == .uncertain)
        let shifted = SNMPPointRule(
            name: "o", quantity: .temperature, unit: .celsius, scale: SNMPScale(0.5)!, offset: -40)
        #expect(shifted.convert(.unsigned(130)).value == 25)
    }

    @Test(
        "decimal digits must be a small integer",
        arguments: [
            (SNMPValue.unsigned(3), 3, nil), (.integer(0), 0, nil), (.integer(10), nil, SNMPValueFault.outOfRange),
            (.integer(-1), nil, .outOfRange), (.octets([0x33]), nil, .wrongType),
            (.noSuchInstance, nil, .noSuchInstance),
        ] as [(SNMPValue, Int?, SNMPValueFault?)])
    func decimals(_ value: SNMPValue, _ digits: Int?, _ fault: SNMPValueFault?) {
        do {
            let d = try SNMPPointRule.decimalDigits(value)
            #expect(d == digits)
            #expect(fault == nil)
        } catch {
            #expect(error == fault)
        }
    }

    static let t0: Int64 = 1_700_000_000_000

    @Test(
        "counter rate: plain, wrap, reset, no interval",
        arguments: [
            (
                SNMPValue.counter32(100), SNMPValue.counter32(1100), Int64(10_000),
                CounterRate.Outcome.rate(100, wrapped: false)
            ),
            (.counter32(4_294_967_000), .counter32(200), 4_000, .rate(124, wrapped: true)),
            (.counter32(UInt32.max), .counter32(0), 1_000, .rate(1, wrapped: true)),
            (.counter32(1_000_000_000), .counter32(5), 1_000, .reset),
            (.counter32(3_000_000_000), .counter32(5), 1_000, .rate(1_294_967_301, wrapped: true)),
            (.counter32(1 << 31), .counter32(0), 1_000, .reset),
            (
                .counter64(18_446_744_073_709_551_000), .counter64(18_446_744_073_709_551_500), 5_000,
                .rate(100, wrapped: false)
            ),
            (.counter64(500), .counter64(100), 1_000, .reset),
            (.counter32(5), .counter32(6), 0, .noInterval),
            (.counter32(5), .counter64(6), 1_000, .notCounters),
            (.integer(5), .integer(6), 1_000, .notCounters),
        ] as [(SNMPValue, SNMPValue, Int64, CounterRate.Outcome)])
    func rate(_ a: SNMPValue, _ b: SNMPValue, _ dt: Int64, _ expected: CounterRate.Outcome) {
        let out = CounterRate.rate(
            from: .init(value: a, milliseconds: Self.t0), to: .init(value: b, milliseconds: Self.t0 + dt))
        #expect(out == expected)
    }

    @Test(
        "OID parsing accepts dotted decimal only",
        arguments: [
            ("1.3.6.1.4.1.318", true), (".1.3.6.1", true), ("1", false), ("1..3", false), ("1.3.", false),
            ("1.3.x", false), ("3.1", false), ("1.3.4294967296", false), ("", false), ("iso.3.6", false),
        ])
    func oidSyntax(_ text: String, _ valid: Bool) {
        #expect((SNMPOID(text) != nil) == valid)
    }

    @Test("secrets never print")
    func secrets() {
        let target = SNMPTarget(
            host: "127.0.0.1", port: 1161,
            version: .v3(
                .init(
                    user: "ops", level: .authPriv, authProtocol: .sha256, authKey: "hunter2hunter2",
                    privProtocol: .aes256, privKey: "swordfish99")))
        let text =
            "\(target) \(String(reflecting: Secret("hunter2hunter2"))) \(SNMPVersion.v2c(community: "private-c"))"
        #expect(!text.contains("hunter2") && !text.contains("swordfish") && !text.contains("private-c"))
        #expect(text.contains("SHA-256/AES-256"))
    }

    @Test(
        "config endpoints become targets",
        arguments: [
            ("udp://127.0.0.1:16101", "udp:127.0.0.1:16101" as String?), ("udp://127.0.0.1", "udp:127.0.0.1:161"),
            ("127.0.0.1:1161", "udp:127.0.0.1:1161"), ("udp://[::1]:1161", "udp6:[::1]:1161"),
            ("pdu-a.dc1:161", "udp:pdu-a.dc1:161"),
            ("tcp://127.0.0.1:502", nil), ("udp://127.0.0.1:0", nil), ("udp://127.0.0.1:70000", nil), ("udp://", nil),
            ("udp://127.0.0.1:x", nil),
        ])
    func endpoints(_ text: String, _ peer: String?) {
        #expect(SNMPTarget(endpoint: text, version: .v2c(community: "public"))?.peerName == peer)
    }
}
