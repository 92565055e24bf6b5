import SensorDrivers
import Telemetry
import TestSupport
import Testing


/// One mutated varbind and the class it must land in (nil: it must decode to a value).
struct MutationCase {
    var tag: UInt8
    var payload: [UInt8]
    var encoding: SNMPTextEncoding
    var expected: SNMPValueFault?
    var expectedRaw: Double?
    var mutation: String
}

@Suite("SNMP value decoder — property test over mutated varbinds", .timeLimit(.minutes(1)))
struct SNMPValueDecoderPropertyTests {
    static let cases = 12_000
    static let word = SNMPValue.wordSize

    /// A valid value of a numeric type, with its raw number.
    static func validNumber(_ g: inout SplitMix64) -> (SNMPValue, Double) {
        switch Int.random(in: 0..<5, using: &g) {
        case 0:
            let v = Int64(Int32.random(in: Int32.min...Int32.max, using: &g))
            return (.integer(v), Double(v))
        case 1:
            let v = UInt32.random(in: 0...UInt32.max, using: &g)
            return (.unsigned(v), Double(v))
        case 2:
            let v = UInt32.random(in: 0...UInt32.max, using: &g)
            return (.counter32(v), Double(v))
        case 3:
            let v = UInt64.random(in: 0...(1 << 53), using: &g)
            return (.counter64(v), Double(v))
        default:
            let v = UInt32.random(in: 0...UInt32.max, using: &g)
            return (.timeticks(v), Double(v))
        }
    }

    /// A well-formed value of a type a numeric point cannot use.
    static func validNonNumber(_ g: inout SplitMix64) -> SNMPValue {
        switch Int.random(in: 0..<4, using: &g) {
        case 0: .oid(SNMPOID(components: [1, 3, 6, 1, UInt32.random(in: 0...UInt32.max, using: &g)])!)
        case 1: .ipAddress((0..<4).map { _ in UInt8.random(in: 0...255, using: &g) })
        case 2: .null
        default: .opaque((0..<Int.random(in: 0...8, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) })
        }
    }

    static func makeCase(_ n: Int) -> MutationCase {
        var g = SplitMix64(state: UInt64(n) &* 7919)
        let encoding: SNMPTextEncoding = Bool.random(using: &g) ? .number : .decimalText
        let (value, raw) = validNumber(&g)
        let (tag, payload) = value.encoded
        switch n % 9 {
        case 0:  // unmutated valid number
            return MutationCase(
                tag: tag, payload: payload, encoding: encoding, expected: nil, expectedRaw: raw, mutation: "none")
        case 1:  // unknown tag
            let known = Set(SNMPValue.Tag.all)
            var t = UInt8.random(in: 0...255, using: &g)
            while known.contains(t) { t = UInt8.random(in: 0...255, using: &g) }
            return MutationCase(
                tag: t, payload: payload, encoding: encoding, expected: .unknownType, expectedRaw: nil,
                mutation: "retag \(t)")
        case 2:  // wrong length for a fixed-size type (numbers, IpAddress, NULL, OID)
            let fixed: [(UInt8, [Int])] = [
                (SNMPValue.Tag.integer, [word]), (SNMPValue.Tag.gauge32, [word]), (SNMPValue.Tag.counter32, [word]),
                (SNMPValue.Tag.timeticks, [word]), (SNMPValue.Tag.counter64, [2 * word]),
                (SNMPValue.Tag.ipAddress, [4]),
                (SNMPValue.Tag.null, [0]),
            ]
            let (t, good) = fixed[Int.random(in: 0..<fixed.count, using: &g)]
            var length = Int.random(in: 0...40, using: &g)
            while good.contains(length) { length = Int.random(in: 0...40, using: &g) }
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
            return MutationCase(
                tag: t, payload: bytes, encoding: encoding, expected: .badLength, expectedRaw: nil,
                mutation: "length \(length) for tag \(t)")
        case 3:  // OID payload not a whole number of arcs
            var length = Int.random(in: 1...80, using: &g)
            if length % word == 0 { length += 1 }
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) }
            return MutationCase(
                tag: SNMPValue.Tag.objectID, payload: bytes, encoding: encoding, expected: .badLength, expectedRaw: nil,
                mutation: "oid length \(length)")
        case 4:  // a 32-bit type carrying more than 32 bits
            let tags = [
                SNMPValue.Tag.gauge32, SNMPValue.Tag.counter32, SNMPValue.Tag.timeticks, SNMPValue.Tag.uinteger,
            ]
            let big = UInt.random(in: (UInt(UInt32.max) + 1)...UInt.max, using: &g)
            let bytes = withUnsafeBytes(of: big) { Array($0) }
            return MutationCase(
                tag: tags[Int.random(in: 0..<tags.count, using: &g)], payload: bytes, encoding: encoding,
                expected: .outOfRange, expectedRaw: nil, mutation: "wide \(big)")
        case 5:  // a well-formed value of a non-numeric type
            let other = validNonNumber(&g)
            let (t, p) = other.encoded
            return MutationCase(
                tag: t, payload: p, encoding: encoding, expected: .wrongType, expectedRaw: nil,
                mutation: "\(other.typeName)")
        case 6:  // text: a number as text, or garbage
            let numeric = Bool.random(using: &g)
            if numeric {
                let v = Int.random(in: -99_999...99_999, using: &g)
                let text = "\(v / 10).\(abs(v % 10))"
                let prefix = v < 0 && v / 10 == 0 ? "-" : ""
                let raw = Double(prefix + text)!
                return MutationCase(
                    tag: SNMPValue.Tag.octetString, payload: Array((prefix + text).utf8), encoding: encoding,
                    expected: encoding == .decimalText ? nil : .wrongType,
                    expectedRaw: encoding == .decimalText ? raw : nil, mutation: "text \(prefix + text)")
            }
            var bytes = (0..<Int.random(in: 0...12, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            bytes.insert(UInt8(ascii: "x"), at: Int.random(in: 0...bytes.count, using: &g))
            return MutationCase(
                tag: SNMPValue.Tag.octetString, payload: bytes, encoding: encoding,
                expected: encoding == .decimalText ? .notANumber : .wrongType, expectedRaw: nil,
                mutation: "garbage text")
        case 7:  // Counter64 halves above 32 bits
            var words = [
                UInt(UInt32.random(in: 0...UInt32.max, using: &g)), UInt(UInt32.random(in: 0...UInt32.max, using: &g)),
            ]
            words[Int.random(in: 0...1, using: &g)] = UInt.random(in: (UInt(UInt32.max) + 1)...UInt.max, using: &g)
            let bytes = words.flatMap { w in withUnsafeBytes(of: w) { Array($0) } }
            return MutationCase(
                tag: SNMPValue.Tag.counter64, payload: bytes, encoding: encoding, expected: .outOfRange,
                expectedRaw: nil, mutation: "counter64 halves \(words)")
        default:  // SNMPv2 exceptions, with or without stray payload
            let which: [(UInt8, SNMPValueFault)] = [
                (SNMPValue.Tag.noSuchObject, .noSuchObject), (SNMPValue.Tag.noSuchInstance, .noSuchInstance),
                (SNMPValue.Tag.endOfMibView, .endOfMibView),
            ]
            let (t, f) = which[Int.random(in: 0..<3, using: &g)]
            let bytes = (0..<Int.random(in: 0...3, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            return MutationCase(
                tag: t, payload: bytes, encoding: encoding, expected: f, expectedRaw: nil, mutation: "exception")
        }
    }

    /// Runs a case through the one decoding path: tag + bytes → SNMPValue → engineering value.
    static func run(_ c: MutationCase) -> (SNMPValueFault?, SNMPPointOutcome?) {
        let rule = SNMPPointRule(
            name: "p", quantity: .current, unit: .ampere, scale: SNMPScale(0.1)!, encoding: c.encoding)
        let value: SNMPValue
        do { value = try SNMPValue.decode(tag: c.tag, payload: c.payload) } catch { return (error, nil) }
        let outcome = rule.convert(value)
        return (outcome.fault, outcome)
    }

    @Test("every mutated varbind lands in the class its mutation predicts, and every class is hit")
    func mutatedVarBinds() {
        var hits: [SNMPValueFault: Int] = [:]
        var decoded = 0
        var failures: [String] = []
        for n in 0..<Self.cases {
            let c = Self.makeCase(n)
            let (fault, outcome) = Self.run(c)
            if fault != c.expected {
                failures.append(
                    "case \(n) (\(c.mutation)): expected \(c.expected.map(\.rawValue) ?? "value"), got \(fault.map(\.rawValue) ?? "value")"
                )
            }
            if let fault {
                hits[fault, default: 0] += 1
                if let outcome {
                    #expect(outcome.value.isNaN && outcome.quality.reason?.hasPrefix(fault.rawValue) == true)
                }
            } else if let outcome, let raw = c.expectedRaw {
                decoded += 1
                if outcome.raw != raw || outcome.value != SNMPScale(0.1)!.apply(raw) || outcome.quality != .good {
                    failures.append(
                        "case \(n) (\(c.mutation)): raw \(String(describing: outcome.raw)) value \(outcome.value)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(5))")
        for f in SNMPValueFault.allCases {
            #expect(hits[f, default: 0] > 0, "class \(f) was never hit")
        }
        #expect(decoded > Self.cases / 12)
        #expect(hits.values.reduce(0, +) + decoded == Self.cases)
    }

    @Test(
        "encoded values decode back to themselves",
        arguments: [
            SNMPValue.integer(-1), .integer(Int64(Int32.max)), .unsigned(0), .unsigned(UInt32.max),
            .counter32(4_294_967_000),
            .counter64(18_446_744_073_709_551_000), .timeticks(123_456), .octets(Array("AP8641".utf8)),
            .opaque([1, 2]),
            .oid(SNMPOID("1.3.6.1.4.1.318")!), .ipAddress([127, 0, 0, 1]), .null, .noSuchObject, .noSuchInstance,
            .endOfMibView,
        ])
    func roundTrip(_ value: SNMPValue) throws {
        let (tag, payload) = value.encoded
        #expect(try SNMPValue.decode(tag: tag, payload: payload) == value)
    }
}
