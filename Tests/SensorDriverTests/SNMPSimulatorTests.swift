import Foundation
@testable import SensorDrivers
import Telemetry
import Testing

/// Reads a shipped profile through snmpsim and returns rows by point name.
func probeSim(_ profile: String, community: String, version: (Secret) -> SNMPVersion = { .v2c(community: $0) })
    async throws
    -> [String: SNMPPointInspection]
{
    let sim = try SNMPSimPeer.shared.get()
    let reader = try SNMPDeviceReader(
        device: "DC-R01-PDU-A",
        target: SNMPTarget(
            host: "127.0.0.1", port: sim.port, version: version(Secret(community)), timeout: 2, retries: 1),
        profile: try shippedSNMPProfile(profile), logger: quietLogger)
    let rows = try await reader.inspect(now: Timestamp(seconds: 1_800_000_000))
    let names = rows.map(\.point.name)
    #expect(Set(names).count == names.count, "duplicate point names")
    #expect(Set(reader.points.map(\.id.name)) == Set(names))
    return Dictionary(uniqueKeysWithValues: rows.map { ($0.point.name, $0) })
}

@Suite("SNMP profiles against snmpsim (real AP8641 recording, Raritan and AKCP tables)", .serialized, .timeLimit(.minutes(5)))
struct SNMPSimulatorTests {
    @Test(
        "APC AP8641 recording: exact engineering values, sentinel → absent",
        arguments: [
            SNMPVersion.v2c(community: "apc-8641"), .v1(community: "apc-8641"),
        ])
    func apc(_ version: SNMPVersion) async throws {
        let rows = try await probeSim("apc-rpdu2", community: "apc-8641", version: { _ in version })
        let expected: [(String, Double, Telemetry.Unit)] = [
            ("power", 1.21, .kilowatt), ("apparent_power", 1.31, .kiloVoltAmpere), ("power_factor", 0.94, .none),
            ("energy", 1951.6, .kilowattHour), ("load_state", 2, .none),
            ("phase.1.current", 6.5, .ampere), ("phase.1.voltage", 201, .volt), ("phase.1.power", 1.22, .kilowatt),
            ("phase.1.load_state", 2, .none),
            ("outlet.1.current", 0.9, .ampere), ("outlet.1.power", 163, .watt),
            ("outlet.1.energy", 304.6, .kilowattHour),
            ("outlet.2.current", 0.5, .ampere), ("outlet.2.power", 4, .watt), ("outlet.2.energy", 122.5, .kilowattHour),
            ("outlet.24.current", 0, .ampere), ("outlet.24.power", 0, .watt),
        ]
        for (name, value, unit) in expected {
            let row = try #require(rows[name], "no point \(name)")
            #expect(row.value == value, "\(name)")
            #expect(row.unit == unit, "\(name)")
            #expect(row.quality == .good, "\(name)")
        }
        #expect(rows["power"]?.raw == .integer(121))
        #expect(rows["load_state"]?.stateName == "normal")
        #expect(rows.keys.filter { $0.hasPrefix("outlet.") && $0.hasSuffix(".current") }.count == 24)
        #expect(rows["sensor.1.temperature"]?.quality == .absent)
        #expect(rows["sensor.1.humidity"]?.quality == .absent)
        #expect(rows["sensor.1.temperature"]?.raw == .integer(-1))

        // The recording says "no probe" the documented way as well: type notInstalled(4), comm
        // status notInstalled(1), temperature and humidity status notPresent(1).
        let sim = try SNMPSimPeer.shared.get()
        let client = SNMPClient(target: SNMPTarget(host: "127.0.0.1", port: sim.port, version: version), logger: quietLogger)
        let status = try await client.get(
            [5, 6, 9, 11].map { SNMPOID("1.3.6.1.4.1.318.1.1.26.10.2.2.1.\($0).1")! }, maxVarBinds: 4)
        #expect(status.map(\.value) == [.integer(4), .integer(1), .integer(1), .integer(1)])
    }

    @Test("Raritan PDU2 inlets: decimal digits read beside each value, one point per inlet, unavailable sensors absent")
    func raritan() async throws {
        let rows = try await probeSim("raritan-pdu2", community: "raritan-px3")
        let expected: [String: Double] = [
            "inlet.1.current": 4.213, "inlet.1.voltage": 230, "inlet.1.active_power": 921,
            "inlet.1.apparent_power": 969,
            "inlet.1.power_factor": 0.95, "inlet.1.energy": 1234.567,
            "inlet.2.current": 1.5, "inlet.2.voltage": 231.4, "inlet.2.active_power": 330,
            "inlet.2.apparent_power": 345,
            "inlet.2.power_factor": 0.96, "inlet.2.energy": 7654.321,
        ]
        // Inlet 3's sensors answer IsAvailable false(2) and State unavailable(-1).
        let unavailable = ["current", "voltage", "active_power", "apparent_power", "power_factor", "energy"].map { "inlet.3.\($0)" }
        #expect(Set(rows.keys) == Set(expected.keys).union(unavailable))
        for (name, value) in expected {
            #expect(rows[name]?.value == value, "\(name)")
            #expect(rows[name]?.quality == .good, "\(name)")
        }
        for name in unavailable {
            #expect(rows[name]?.quality == .absent, "\(name)")
            #expect(rows[name]?.value.isNaN == true, "\(name)")
        }
        #expect(rows["inlet.1.current"]?.decimals == 3)
        #expect(rows["inlet.2.energy"]?.unit == .kilowattHour)
    }

    @Test("AKCP sensorProbe: ports from 0, status names, unfitted or offline port → absent, sensorError → bad value")
    func akcp() async throws {
        let rows = try await probeSim("akcp-sensorprobe", community: "akcp-sensorprobe")
        #expect(rows["temperature.0"]?.value == 23.5)
        #expect(rows["temperature.1"]?.value == 27.8)
        #expect(rows["temperature.0.status"]?.stateName == "normal")
        #expect(rows["temperature.1.status"]?.stateName == "highWarning")
        #expect(rows["temperature.1.status"]?.value == 3)
        #expect(rows["humidity.0"]?.value == 45)
        #expect(rows["humidity.0"]?.unit == .percentRH)
        for name in ["temperature.2", "temperature.2.status", "humidity.1", "humidity.1.status"] {
            #expect(rows[name]?.quality == .absent, "\(name)")
        }
        // Port 4 as a real sensorProbe8's empty port: value 0, status 0, offline(2).
        #expect(rows["temperature.4"]?.quality == .absent)
        #expect(rows["temperature.4.status"]?.quality == .absent)
        // sensorError(7): the value is bad, the status point says so as its state.
        let oid = "1.3.6.1.4.1.3854.1.2.2.1"
        #expect(rows["temperature.3"]?.quality == .bad(reason: "sensorError(7) (\(oid).16.1.4.3 = 7)"))
        #expect(rows["temperature.3.status"]?.stateName == "sensorError")
        #expect(rows["temperature.3.status"]?.quality == .good)
        #expect(rows["humidity.2"]?.quality == .bad(reason: "sensorError(7) (\(oid).17.1.4.2 = 7)"))
        #expect(rows["humidity.2.status"]?.value == 7)
        #expect(rows.count == 16, "5 temperature and 3 humidity ports, each with its status")
    }

    @Test("wrong community: the agent stays silent and the reader throws a timeout")
    func wrongCommunity() async throws {
        let sim = try SNMPSimPeer.shared.get()
        let reader = try SNMPDeviceReader(
            device: "DC-R01-PDU-A",
            target: SNMPTarget(
                host: "127.0.0.1", port: sim.port, version: .v2c(community: "not-a-recording"), timeout: 0.2, retries: 1
            ),
            profile: try shippedSNMPProfile("apc-rpdu2"), logger: quietLogger)
        let clock = ContinuousClock()
        let started = clock.now
        await #expect {
            _ = try await reader.readOnce(now: .now)
        } throws: { error in
            (error as? SNMPError)?.code == .timeout
        }
        let waited = clock.now - started
        #expect(waited >= .milliseconds(400), "timeout 0.2 s × (1 + 1 retry)")

        // The reader gives up after the first request and one retry, no more: counted at a port
        // that never answers (what was sent is queued there by the time the reader has thrown).
        let silent = try CountingUDPListener()
        defer { silent.close() }
        let toSilent = try SNMPDeviceReader(
            device: "DC-R01-PDU-A",
            target: SNMPTarget(
                host: "127.0.0.1", port: silent.port, version: .v2c(community: "not-a-recording"), timeout: 0.2, retries: 1),
            profile: try shippedSNMPProfile("apc-rpdu2"), logger: quietLogger)
        await #expect {
            _ = try await toSilent.readOnce(now: .now)
        } throws: { error in
            (error as? SNMPError)?.code == .timeout
        }
        let sent = silent.drain()
        #expect(sent == 2, "requests sent before giving up: \(sent) (1 + 1 retry)")
    }

    @Test("missing objects are bad for that point only; one GET carries many varbinds")
    func missingObjects() async throws {
        let sim = try SNMPSimPeer.shared.get()
        let spec = SNMPProfileSpec(
            points: [
                SNMPPointSpec(
                    name: "power", oid: "1.3.6.1.4.1.318.1.1.26.4.3.1.5.1",
                    conversion: .init(quantity: "active_power", unit: "kW", scale: 0.01)),
                SNMPPointSpec(
                    name: "nothing", oid: "1.3.6.1.4.1.318.1.1.26.4.3.1.5.99",
                    conversion: .init(quantity: "apparent_power")),
                SNMPPointSpec(
                    name: "name", oid: "1.3.6.1.4.1.318.1.1.26.4.3.1.3.1", conversion: .init(quantity: "apparent_power")),
            ], maxVarBinds: 2)
        for version in [SNMPVersion.v2c(community: "apc-8641"), .v1(community: "apc-8641")] {
            let reader = try SNMPDeviceReader(
                device: "DC-R01-PDU-A", target: SNMPTarget(host: "127.0.0.1", port: sim.port, version: version),
                profile: spec, logger: quietLogger)
            let rows = Dictionary(uniqueKeysWithValues: try await reader.inspect(now: .now).map { ($0.point.name, $0) })
            #expect(rows["power"]?.value == 1.21)
            #expect(rows["nothing"]?.fault == .noSuchInstance || rows["nothing"]?.fault == .noSuchObject)
            #expect(rows["nothing"]?.quality.hasValue == false)
            #expect(rows["name"]?.fault == .wrongType)
        }
        let client = SNMPClient(
            target: SNMPTarget(host: "127.0.0.1", port: sim.port, version: .v2c(community: "apc-8641")),
            logger: quietLogger)
        let oids = (1...24).map { SNMPOID("1.3.6.1.4.1.318.1.1.26.9.4.3.1.7.\($0)")! }
        let many = try await client.get(oids, maxVarBinds: 24)
        #expect(many.map(\.oid) == oids)
        #expect(many.compactMap { if case .integer(let v) = $0.value { v } else { nil } }.reduce(0, +) == 1117)
        let walked = try await client.walk(SNMPOID("1.3.6.1.4.1.318.1.1.26.9.4.3.1.7")!, maxRepetitions: 5)
        #expect(walked.map(\.value) == many.map(\.value))
    }
}
