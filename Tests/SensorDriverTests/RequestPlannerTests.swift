@testable import SensorDrivers
import TestSupport
import Testing

@Suite("Request planning is a pure function", .timeLimit(.minutes(1)))
struct RequestPlannerTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let fields: [PlannerField]
        let options: PlannerOptions
        /// Expected requests as (kind, start, count, field indices).
        let expected: [(RegisterKind, Int, Int, [Int])]
        var description: String { name }
    }

    static func f(_ k: RegisterKind, _ a: Int, _ w: Int = 1) -> PlannerField { PlannerField(kind: k, address: a, width: w) }

    static let cases: [Case] = [
        Case(name: "empty", fields: [], options: .init(), expected: []),
        Case(name: "single", fields: [f(.input, 7, 2)], options: .init(), expected: [(.input, 7, 2, [0])]),
        Case(
            name: "contiguous merge, unsorted input", fields: [f(.input, 2), f(.input, 0, 2), f(.input, 3)], options: .init(),
            expected: [(.input, 0, 4, [1, 0, 2])]),
        Case(
            name: "hole not bridged by default", fields: [f(.holding, 0, 2), f(.holding, 3)], options: .init(),
            expected: [(.holding, 0, 2, [0]), (.holding, 3, 1, [1])]),
        Case(
            name: "hole of 1 bridged with bridge 1", fields: [f(.holding, 0, 2), f(.holding, 3)], options: .init(bridgeHoles: 1),
            expected: [(.holding, 0, 4, [0, 1])]),
        Case(
            name: "hole of 2 not bridged with bridge 1", fields: [f(.holding, 0, 2), f(.holding, 4)], options: .init(bridgeHoles: 1),
            expected: [(.holding, 0, 2, [0]), (.holding, 4, 1, [1])]),
        Case(
            name: "hole of 2 bridged with bridge 2", fields: [f(.holding, 0, 2), f(.holding, 4)], options: .init(bridgeHoles: 2),
            expected: [(.holding, 0, 5, [0, 1])]),
        Case(
            name: "overlapping fields (bits of one register) share a request",
            fields: [f(.input, 6, 2), f(.input, 7), f(.input, 7), f(.input, 8, 2)], options: .init(),
            expected: [(.input, 6, 4, [0, 1, 2, 3])]),
        Case(
            name: "kinds never merge, sorted by function code",
            fields: [f(.input, 0), f(.holding, 1), f(.coil, 0), f(.discreteInput, 1)], options: .init(),
            expected: [(.coil, 0, 1, [2]), (.discreteInput, 1, 1, [3]), (.holding, 1, 1, [1]), (.input, 0, 1, [0])]),
        Case(
            name: "exactly 125 registers fit one request", fields: (0..<125).map { f(.holding, $0) }, options: .init(),
            expected: [(.holding, 0, 125, Array(0..<125))]),
        Case(
            name: "126 registers split at 125", fields: (0..<126).map { f(.holding, $0) }, options: .init(),
            expected: [(.holding, 0, 125, Array(0..<125)), (.holding, 125, 1, [125])]),
        Case(
            name: "a 2-register value is never split across requests", fields: (0..<63).map { f(.input, $0 * 2, 2) }, options: .init(),
            expected: [(.input, 0, 124, Array(0..<62)), (.input, 124, 2, [62])]),
        Case(
            name: "2000 bits fit, 2001 split", fields: (0..<2001).map { f(.coil, $0) }, options: .init(),
            expected: [(.coil, 0, 2000, Array(0..<2000)), (.coil, 2000, 1, [2000])]),
        Case(
            name: "quirk: lower maximum per request", fields: (0..<10).map { f(.input, $0) }, options: .init(maxRegisters: 4),
            expected: [(.input, 0, 4, [0, 1, 2, 3]), (.input, 4, 4, [4, 5, 6, 7]), (.input, 8, 2, [8, 9])]),
        Case(
            name: "quirk: one request per field", fields: [f(.input, 1), f(.input, 0), f(.input, 2, 2)],
            options: .init(onePerField: true), expected: [(.input, 0, 1, [1]), (.input, 1, 1, [0]), (.input, 2, 2, [2])]),
        Case(
            name: "bridge never crosses the limit", fields: [f(.input, 0, 100), f(.input, 110, 20)], options: .init(bridgeHoles: 20),
            expected: [(.input, 0, 100, [0]), (.input, 110, 20, [1])]),
        Case(
            name: "limits above the protocol are clamped", fields: (0..<130).map { f(.input, $0) }, options: .init(maxRegisters: 500),
            expected: [(.input, 0, 125, Array(0..<125)), (.input, 125, 5, Array(125..<130))]),
    ]

    @Test("table", arguments: cases)
    func table(_ c: Case) {
        let got = RequestPlanner.plan(c.fields, options: c.options)
        let want = c.expected.map { ModbusRequest(kind: $0.0, start: $0.1, count: $0.2, fields: $0.3) }
        #expect(got == want)
    }

    @Test("every field is covered by exactly one request that contains it, and no request exceeds its limit")
    func invariants() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let fields = (0..<Int(rng.next() % 40 + 1)).map { _ in
                let kind = RegisterKind.allCases[Int(rng.next() % 4)]
                return PlannerField(kind: kind, address: Int(rng.next() % 400), width: kind.isBit ? 1 : Int(rng.next() % 4 + 1))
            }
            let options = PlannerOptions(maxRegisters: Int(rng.next() % 125 + 4), bridgeHoles: Int(rng.next() % 5))
            let plan = RequestPlanner.plan(fields, options: options)
            let covered = plan.flatMap(\.fields).sorted()
            #expect(covered == Array(fields.indices))
            for r in plan {
                #expect(r.count <= options.limit(for: r.kind))
                for i in r.fields {
                    #expect(fields[i].kind == r.kind && fields[i].address >= r.start && fields[i].end <= r.end)
                }
            }
        }
    }

    @Test("the plan is summarised in one line")
    func summary() {
        let plan = [
            ModbusRequest(kind: .input, start: 0, count: 24), ModbusRequest(kind: .input, start: 30, count: 28),
            ModbusRequest(kind: .input, start: 70, count: 0), ModbusRequest(kind: .input, start: 80, count: 0),
        ]
        #expect(RequestPlanner.summary(plan, unit: 3) == "4 requests touching 52 input registers on unit 3")
        #expect(
            RequestPlanner.summary([.init(kind: .holding, start: 0, count: 1), .init(kind: .input, start: 0, count: 24)], unit: 2)
                == "2 requests touching 1 holding registers and 24 input registers on unit 2")
        #expect(RequestPlanner.summary([.init(kind: .coil, start: 0, count: 5)], unit: 1) == "1 request touching 5 coils on unit 1")
    }

    @Test("request PDUs carry function, address and count big-endian")
    func pdu() {
        #expect(ModbusRequest(kind: .input, start: 0x0102, count: 0x7D).pdu == [0x04, 0x01, 0x02, 0x00, 0x7D])
        #expect(ModbusRequest(kind: .coil, start: 0, count: 2000).pdu == [0x01, 0, 0, 0x07, 0xD0])
    }
}

