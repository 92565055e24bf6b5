@testable import SensorDrivers
import Telemetry
import Testing

/// Profiles say where each active-power point sits in its device's power tree (DESIGN decision
/// 18), so the rules count a device's power once; a profile that could double-count is refused.
@Suite("Power roles in profiles", .timeLimit(.minutes(1)))
struct PowerRoleTests {
    @Test("the shipped PDU profiles mark total, phases, outlets and inlets, and carry them into the point descriptors")
    func shipped() throws {
        let apc = try SNMPReadPlan.compile(try shippedSNMPProfile("apc-rpdu2"), sensor: "DC-R05-PDU-A")
        #expect(apc.scalars.first { $0.rule.name == "power" }?.rule.powerRole == .total)
        #expect(apc.tables.first { $0.rule.name == "phase.{index}.power" }?.rule.powerRole == .phase)
        #expect(apc.tables.first { $0.rule.name == "outlet.{index}.power" }?.rule.powerRole == .outlet)
        #expect(apc.scalarPoints.first { $0.id.name == "power" }?.powerRole == .total)
        let raritan = try SNMPReadPlan.compile(try shippedSNMPProfile("raritan-pdu2"), sensor: "DC-R06-PDU-A")
        #expect(raritan.tables.first { $0.rule.name == "inlet.{1}.active_power" }?.rule.powerRole == .inlet)
        // Every active-power column of every shipped SNMP profile has a role.
        for name in SNMPProfileTests.shipped {
            let plan = try SNMPReadPlan.compile(try shippedSNMPProfile(name), sensor: "X")
            let power = plan.scalars.map(\.rule) + plan.tables.map(\.rule)
            #expect(power.filter { $0.quantity == .activePower }.allSatisfy { $0.powerRole != nil }, "\(name)")
        }
    }

    static func modbus(_ points: String) -> String {
        """
        name: m
        modbus:
          base: 0
          kind: input
          points:
        \(points)
        """
    }

    @Test(
        "Modbus: two power points without roles, or a role on what is not active power, are refused naming the point and key",
        arguments: [
            (
                "    - {name: a, quantity: active_power, unit: W, address: 0}\n    - {name: b, quantity: active_power, unit: W, address: 1}",
                "profile m, point a, key power_role: the profile has 2 active_power points, so each needs power_role (total, inlet, phase, outlet)"
            ),
            (
                "    - {name: t, quantity: temperature, unit: °C, address: 0, power_role: total}",
                "profile m, point t, key power_role: only active_power points have a power role (this one is temperature)"
            ),
        ])
    func modbusRefused(_ points: String, _ message: String) throws {
        let profile = try ProfileFiles.decode(Self.modbus(points))
        let e = #expect(throws: ProfileError.self) { try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-PDU-A", unit: 1) }
        #expect(e?.code == .badPowerRole)
        #expect(e?.description.hasPrefix("sensor DC-R01-PDU-A, " + message) == true, "\(String(describing: e))")
    }

    @Test("Modbus: a single power point needs no role (it is the total); a misspelt role is a decode error")
    func modbusSingle() throws {
        let profile = try ProfileFiles.decode(Self.modbus("    - {name: p, quantity: active_power, unit: kW, address: 0}"))
        let plan = try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-M1", unit: 1)
        #expect(plan.points.first?.descriptor.powerRole == nil)
        #expect(DevicePower.effectiveRoles(plan.points.map(\.descriptor)).values.first == .total)
        #expect(throws: (any Error).self) {
            try ProfileFiles.decode(Self.modbus("    - {name: p, quantity: active_power, unit: kW, address: 0, power_role: phases}"))
        }
    }

    @Test("SNMP: a table of power points without a role is refused (its rows would add up with the total)")
    func snmpTable() throws {
        let spec = SNMPProfileSpec(
            points: [SNMPPointSpec(name: "power", oid: "1.3.6.1.4.1.318.1.1.26.4.3.1.5.1", conversion: .init(quantity: "active_power", unit: "kW", powerRole: "total"))],
            tables: [SNMPTableSpec(name: "outlet.{index}.power", walk: "1.3.6.1.4.1.318.1.1.26.9.4.3.1.7", conversion: .init(quantity: "active_power", unit: "W"))])
        #expect {
            try SNMPReadPlan.compile(spec, sensor: "DC-R07-PDU-B")
        } throws: { error in
            (error as? SNMPError)?.description.contains(
                "'outlet.{index}.power': the profile has a table of active_power points, so each needs power_role") == true
        }
        var fixed = spec
        fixed.tables[0].conversion.powerRole = "outlet"
        #expect(try SNMPReadPlan.compile(fixed, sensor: "DC-R07-PDU-B").tables.first?.rule.powerRole == .outlet)
    }

    @Test("the real AP8641 recording through snmpsim: its power counted once is its own total, 1.21 kW (the old sum made 3.547 kW)")
    func ap8641() async throws {
        let sim = try SNMPSimPeer.shared.get()
        let reader = try SNMPDeviceReader(
            device: "DC-R01-PDU-A",
            target: SNMPTarget(host: "127.0.0.1", port: sim.port, version: .v2c(community: "apc-8641"), timeout: 2, retries: 1),
            profile: try shippedSNMPProfile("apc-rpdu2"), logger: quietLogger)
        let now = Timestamp(seconds: 1_800_000_000)
        let readings = try await reader.readOnce(now: now)
        let latest = Dictionary(readings.map { ($0.point, $0) }, uniquingKeysWith: { a, _ in a })
        let inputs = reader.points.filter { $0.quantity == .activePower }.map { DevicePower.Input(descriptor: $0, latest: latest[$0.id]) }
        let total = try #require(DevicePower.total(inputs, now: now, maxAge: 600))
        #expect(total.role == .total)
        #expect(total.watts == 1210)
        // What the old capacity rule added: every active-power reading, W and kW alike.
        let oldSum = inputs.compactMap { i in i.latest.map { $0.value * (DevicePower.wattsPerUnit(i.descriptor.unit) ?? 0) } }.reduce(0, +)
        #expect(abs(oldSum - 3547) < 0.5, "\(oldSum)")
    }
}
