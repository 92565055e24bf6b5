import Telemetry
import Testing

/// DESIGN decision 18: a device's power is its total, counted once.
@Suite("Device power: the total, counted once", .timeLimit(.minutes(1)))
struct DevicePowerTests {
    static let pdu: CIID = "DC-R05-PDU-A"
    static let t = Timestamp(seconds: 1_800_000_000)

    static func input(_ name: String, _ role: PowerRole?, _ unit: Unit, _ value: Double?, quality: Quality = .good, age: Double = 0)
        -> DevicePower.Input
    {
        let id = PointID(ci: pdu, name: name)!
        return DevicePower.Input(
            descriptor: PointDescriptor(id: id, quantity: .activePower, unit: unit, powerRole: role),
            latest: value.map { Reading(point: id, time: t.adding(seconds: -age), value: $0, quality: quality) })
    }

    /// The values of the real AP8641 recorded in snmpsim-data: total 1.21 kW, phase 1 1.22 kW,
    /// outlets 1117 W in all. Summed, as the capacity rules did, they made 3.547 kW.
    static let ap8641 = [
        input("power", .total, .kilowatt, 1.21), input("phase.1.power", .phase, .kilowatt, 1.22),
        input("outlet.1.power", .outlet, .watt, 163), input("outlet.2.power", .outlet, .watt, 954),
    ]

    @Test("the total point when there is one: not the total plus its phases plus its outlets")
    func totalPoint() throws {
        let total = try #require(DevicePower.total(Self.ap8641, now: Self.t, maxAge: 600))
        #expect(total.role == .total)
        #expect(total.watts == 1210)
        #expect(total.evidence.map(\.point.name) == ["power"])
    }

    @Test("without a total: inlets, else phases, else outlets — one level, never two")
    func levels() throws {
        let phases = [
            Self.input("phase.1.power", .phase, .kilowatt, 1.5), Self.input("phase.2.power", .phase, .kilowatt, 1.25),
            Self.input("phase.3.power", .phase, .kilowatt, 2), Self.input("outlet.1.power", .outlet, .watt, 4700),
        ]
        #expect(DevicePower.total(phases, now: Self.t, maxAge: 600)?.watts == 4750)
        #expect(DevicePower.total(phases, now: Self.t, maxAge: 600)?.role == .phase)
        let inlets = [Self.input("inlet.1.active_power", .inlet, .watt, 921), Self.input("inlet.2.active_power", .inlet, .watt, 330)]
        #expect(DevicePower.total(inlets + phases, now: Self.t, maxAge: 600)?.watts == 1251)
        let outlets = [Self.input("outlet.1.power", .outlet, .watt, 163), Self.input("outlet.2.power", .outlet, .watt, 4)]
        #expect(DevicePower.total(outlets, now: Self.t, maxAge: 600)?.watts == 167)
    }

    @Test("a level the model cannot measure (every point absent) is passed over; a stale or bad point is not")
    func absentLevel() throws {
        var inputs = Self.ap8641
        inputs[0] = Self.input("power", .total, .kilowatt, nil, quality: .absent)
        inputs[0].latest = .missing(inputs[0].descriptor.id, at: Self.t, .absent)
        let fallback = try #require(DevicePower.total(inputs, now: Self.t, maxAge: 600))
        #expect(fallback.role == .phase)
        #expect(fallback.watts == 1220)

        // A stale total leaves the total unknown: it does not fall back to a partial view.
        inputs[0] = Self.input("power", .total, .kilowatt, 1.21, age: 601)
        let stale = try #require(DevicePower.total(inputs, now: Self.t, maxAge: 600))
        #expect(stale.role == .total)
        #expect(stale.watts == nil)
        #expect(stale.missing.map(\.name) == ["power"])

        // One phase bad out of three: the sum would read low, so the total is unknown.
        let phases = [
            Self.input("phase.1.power", .phase, .kilowatt, 1.5),
            Self.input("phase.2.power", .phase, .kilowatt, nil),
            Self.input("phase.3.power", .phase, .kilowatt, 2),
        ]
        var bad = phases
        bad[1].latest = .missing(bad[1].descriptor.id, at: Self.t, .bad(reason: "timeout"))
        let partial = try #require(DevicePower.total(bad, now: Self.t, maxAge: 600))
        #expect(partial.watts == nil)
        #expect(partial.missing.map(\.name) == ["phase.2.power"])
        #expect(partial.evidence.count == 2)
        // Never read at all: missing too.
        #expect(DevicePower.total(phases, now: Self.t, maxAge: 600)?.missing.map(\.name) == ["phase.2.power"])
    }

    @Test("roles: a single power point is the total; several without roles are not guessed")
    func roles() {
        let one = [Self.input("active_power", nil, .watt, 800)]
        #expect(DevicePower.total(one, now: Self.t, maxAge: 600)?.watts == 800)
        let two = [Self.input("a", nil, .watt, 800), Self.input("b", nil, .watt, 800)]
        #expect(DevicePower.total(two, now: Self.t, maxAge: 600) == nil)
        // Apparent power or a point in VA is not active power.
        #expect(DevicePower.wattsPerUnit(.kiloVoltAmpere) == nil)
        #expect(DevicePower.wattsPerUnit(.kilowatt) == 1000)
    }
}
