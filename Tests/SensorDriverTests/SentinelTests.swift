import Foundation
import SensorDrivers
import Telemetry
import Testing
import Yams

/// One test per sentinel of the shipped profiles (docs/sensors.md, "Sentinels"), without a
/// device: Modbus through the ReadingAssembler with raw registers written out by hand (not made
/// by our encoders), SNMP through the compiled profile's rules and conditions with the values a
/// device answers. The same sentinels are read from real peers in ModbusPeerTests (PeerValues),
/// SNMPSimulatorTests and SNMPDaemonTests.
@Suite("Sentinels of the shipped profiles: absent, bad, out of range", .timeLimit(.minutes(1)))
struct SentinelTests {
    static let now = Timestamp(seconds: 1_800_000_000)

    // MARK: Modbus

    static func read(_ profile: String, _ outcomes: [Result<[UInt16], RequestFailure>]) throws -> [String: Reading] {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.load(profile), device: "DC-R01-X1", unit: 1)
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: outcomes, now: now)
        return Dictionary(uniqueKeysWithValues: readings.map { ($0.point.name, $0) })
    }

    static let over = Quality.bad(reason: "raw 32767: over range (0x7FFF, convention)")
    static let under = Quality.bad(reason: "raw -32767: under range (0x8001, convention)")

    @Test(
        "generic-th-probe: 0x8000 absent, 0x7FFF over range, 0x8001 under range (conventions), RH outside 0…100 bad",
        arguments: [
            ([0x8000, 0x8000, 0x8000], [Quality.absent, .absent, .absent]),
            ([0x7FFF, 0x7FFF, 0x7FFF], [over, over, over]),
            ([0x8001, 0x8001, 0x8001], [under, .bad(reason: "raw 32769: under range (0x8001, convention)"), under]),
            ([0x00D7, 0x03E9, 0x005E], [.good, .bad(reason: "out of range: 100.1 not in 0…100"), .good]),
            ([0x00D7, 0x03E8, 0x005E], [.good, .good, .good]),  // 100.0 % is inside
            ([0xFF9C, 0x0000, 0xFF38], [.good, .good, .good]),  // -10.0 °C, 0 %, -20.0 °C
        ] as [([UInt16], [Quality])])
    func thProbe(_ words: [UInt16], _ expected: [Quality]) throws {
        let r = try Self.read("generic-th-probe", [.success(words)])
        #expect([r["temperature"]?.quality, r["humidity"]?.quality, r["dew_point"]?.quality] == expected)
        for reading in r.values where !reading.quality.hasValue { #expect(reading.value.isNaN, "no value with \(reading.quality)") }
    }

    /// Vaisala floats CDAB: 45.5 %RH, 22.25 °C, (0005-06), -3.5 °C.
    static let vaisalaFloats: [UInt16] = [0x0000, 0x4236, 0x0000, 0x41B2, 0, 0, 0x0000, 0xC060]

    @Test(
        "vaisala-hmt330: measurements are bad unless fault status 0513 and online status 0514 are both 1",
        arguments: [
            ([UInt16(1), 1], nil as String?),
            ([0, 1], "fault status 0513 reports errors (status.fault = 0)"),
            ([5, 1], "fault status 0513 reports errors (status.fault = 5)"),
            ([1, 0], "online status 0514 reports no online data (status.online = 0)"),
            ([0, 0], "fault status 0513 reports errors (status.fault = 0)"),
        ])
    func vaisalaStatus(_ status: [UInt16], _ reason: String?) throws {
        let r = try Self.read("vaisala-hmt330", [.success(Self.vaisalaFloats), .success(status)])
        for name in ["humidity", "temperature", "dew_point"] {
            #expect(r[name]?.quality == (reason.map { .bad(reason: $0) } ?? .good), "\(name)")
        }
        if reason == nil { #expect(r["humidity"]?.value == 45.5 && r["dew_point"]?.value == -3.5) }
        #expect(r["status.fault"]?.value == Double(status[0]) && r["status.fault"]?.quality == .good, "the status itself is a good state")
        #expect(r["status.online"]?.value == Double(status[1]))
    }

    @Test(
        "vaisala-hmt330: an unavailable float (quiet NaN, any NaN, infinity) is bad",
        arguments: [[UInt16(0x0000), 0x7FC0], [0x0001, 0x7F80], [0xFFFF, 0xFFFF], [0x0000, 0x7F80], [0x0000, 0xFF80]])
    func vaisalaNaN(_ humidity: [UInt16]) throws {
        let words = humidity + Array(Self.vaisalaFloats.dropFirst(2))
        let r = try Self.read("vaisala-hmt330", [.success(words), .success([1, 1])])
        #expect(r["humidity"]?.quality == .bad(reason: "value is not a number"))
        #expect(r["temperature"]?.value == 22.25 && r["temperature"]?.quality == .good)
    }

    @Test(
        "generic-corrosion-monitor: thickness outside 0…4000 Å and RH outside 0…100 % are bad; 4000 Å spent is uncertain",
        arguments: [
            ([UInt16(0x457A), 0x0000], UInt16(0b01), Quality.uncertain),  // 4000.0 Å, copper spent
            ([0x457A, 0x0800], 0b01, .bad(reason: "out of range: 4000.5 not in 0…4000")),
            ([0xBF80, 0x0000], 0b00, .bad(reason: "out of range: -1 not in 0…4000")),
            ([0x42F7, 0x0000], 0b00, .good),  // 123.5 Å
        ])
    func corrosion(_ copper: [UInt16], _ status: UInt16, _ expected: Quality) throws {
        let words = copper + [0x42F7, 0x0000, status, 0x00E7, 0x03E9]  // Ag 123.5 Å, 23.1 °C, RH 100.1 %
        let r = try Self.read("generic-corrosion-monitor", [.success(words)])
        #expect(r["copper.thickness"]?.quality == expected)
        #expect(r["humidity"]?.quality == .bad(reason: "out of range: 100.1 not in 0…100"))
        #expect(r["temperature"]?.value == 23.1)
    }

    static let conditions = """
        name: conditions
        modbus:
          base: 0
          kind: input
          points:
            - name: value
              quantity: temperature
              unit: degC
              address: 0
              type: int16
              scale: 0.1
              absent_if: [{point: fitted, equals: [0]}]
              bad_if:
                - {point: fault, not_equals: [1], reason: "fault register says errors"}
                - {point: code, equals: [7, 9], reason: "sensor error"}
              range: [-40, 60]
            - {name: fitted, quantity: state, unit: "", address: 1}
            - {name: fault, quantity: state, unit: "", address: 2}
            - {name: code, quantity: state, unit: "", address: 3}
        """

    @Test(
        "absent_if / bad_if on other points: absent wins, then the first bad, then the range; unreadable → uncertain",
        arguments: [
            ([UInt16(215), 1, 1, 0], Quality.good),
            ([215, 0, 1, 0], .absent),
            ([215, 0, 0, 7], .absent),  // not fitted wins over any error
            ([215, 1, 0, 0], .bad(reason: "fault register says errors (fault = 0)")),
            ([215, 1, 2, 9], .bad(reason: "fault register says errors (fault = 2)")),
            ([215, 1, 1, 9], .bad(reason: "sensor error (code = 9)")),
            ([0x8000, 1, 1, 0], .bad(reason: "out of range: -3276.8 not in -40…60")),
            ([600, 1, 1, 0], .good),  // 60 is inside
        ])
    func modbusConditions(_ words: [UInt16], _ expected: Quality) throws {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.decode(Self.conditions), device: "DC-R01-X1", unit: 1)
        #expect(plan.points[0].conditions.map(\.point) == [1, 2, 3])
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.success(words)], now: Self.now)
        #expect(readings[0].quality == expected)
        #expect(readings[1...].allSatisfy { $0.quality == .good }, "the condition points are ordinary readings")
    }

    @Test("a condition point that could not be read leaves the value uncertain")
    func modbusUnreadableCondition() throws {
        let profile = """
            name: split
            modbus:
              base: 0
              kind: input
              points:
                - {name: value, quantity: temperature, unit: degC, address: 0, type: int16, bad_if: {point: fault, not_equals: [1], reason: x}}
                - {name: fault, quantity: state, unit: "", address: 100}
            """
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.decode(profile), device: "DC-R01-X1", unit: 1)
        #expect(plan.requests.count == 2)
        let failed = RequestFailure(.timeout, "no reply")
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.success([215]), .failure(failed)], now: Self.now)
        #expect(readings[0].quality == .uncertain && readings[0].value == 215, "no scale: 215 °C, inside no range")
    }

    @Test("absent_if / bad_if are one map or a list, and encode back as written (the config's unknown-key check)")
    func oneOrMany() throws {
        let profile = try ProfileFiles.decode(Self.conditions)
        let point = try #require(profile.modbus?.points.first)
        #expect(point.absentIf?.map(\.point) == ["fitted"])
        #expect(point.badIf?.map(\.point) == ["fault", "code"])
        let single = try ProfileFiles.decode(Self.conditions.replacingOccurrences(
            of: "absent_if: [{point: fitted, equals: [0]}]", with: "absent_if: {point: fitted, equals: [0]}"))
        #expect(single.modbus?.points.first?.absentIf == point.absentIf)
        for (p, list) in [(profile, true), (single, false)] {
            let node = try #require(try Yams.compose(yaml: try YAMLEncoder().encode(p)))
            let written = try #require(node["modbus"]?["points"]?[0]?["absent_if"])
            #expect((written.sequence != nil) == list && (written.mapping != nil) == !list)
            #expect(try ProfileFiles.decode(try YAMLEncoder().encode(p)) == p)
        }
        let akcp = try SNMPReadPlan.compile(shippedSNMPProfile("akcp-sensorprobe"), sensor: "DC-R01-X1")
        #expect(akcp.tables.map(\.conditions.count) == [3, 1, 3, 1], "a list and a single map on one point")
    }

    // MARK: SNMP

    /// The quality a shipped profile's point gets for `value`, with `beside` the values of the
    /// other OIDs the device answers (conditions), as the reader combines them.
    static func snmp(
        _ profile: String, _ name: String, index: [UInt32] = [], _ value: SNMPValue, beside: [String: SNMPValue] = [:]
    ) throws -> (quality: Quality, value: Double) {
        let plan = try SNMPReadPlan.compile(shippedSNMPProfile(profile), sensor: "DC-R01-PDU-A")
        let (rule, conditions): (SNMPPointRule, [SNMPReadPlan.Condition])
        if let s = plan.scalars.first(where: { $0.rule.name == name }) {
            (rule, conditions) = (s.rule, s.conditions)
        } else {
            let t = try #require(plan.tables.first { $0.rule.name == name }, "no point \(name) in \(profile)")
            (rule, conditions) = (t.rule, t.conditions)
        }
        let verdict = SNMPReadPlan.verdict(conditions, index: index) { beside[$0.description] }
        if let q = verdict.quality { return (q, .nan) }
        let outcome = rule.convert(value)
        return (verdict.qualify(outcome.quality), outcome.value)
    }

    @Test(
        "apc-rpdu2: -1 is 'not supported by this model' on power, apparent power, power factor, energy, phase voltage and power",
        arguments: [
            ("power", 1.21), ("apparent_power", 1.31), ("power_factor", 0.94), ("energy", 1951.6),
            ("phase.{index}.voltage", 121), ("phase.{index}.power", 1.21),
        ])
    func apcMinusOne(_ name: String, _ good: Double) throws {
        let index: [UInt32] = name.contains("{") ? [1] : []
        let absent = try Self.snmp("apc-rpdu2", name, index: index, .integer(-1))
        #expect(absent.quality == .absent && absent.value.isNaN)
        let raw: Int64 = name == "energy" ? 19516 : name.hasSuffix("voltage") ? 121 : name == "power_factor" ? 94 : name == "apparent_power" ? 131 : 121
        #expect(try Self.snmp("apc-rpdu2", name, index: index, .integer(raw)).value == good)
    }

    @Test("apc-rpdu2: load state notsupported(5) is absent; 1…4 are named states")
    func apcLoadState() throws {
        #expect(try Self.snmp("apc-rpdu2", "load_state", .integer(5)).quality == .absent)
        for state in 1...4 { #expect(try Self.snmp("apc-rpdu2", "load_state", .integer(Int64(state))).quality == .good) }
        #expect(try Self.snmp("apc-rpdu2", "load_state", .integer(6)).quality == .uncertain, "outside the MIB's enum")
    }

    static let apcProbe = "1.3.6.1.4.1.318.1.1.26.10.2.2.1"

    /// The probe row's status columns: comm status .6, temperature status .9, humidity status .11.
    static func apcStatus(comm: Int64, temperature: Int64, humidity: Int64) -> [String: SNMPValue] {
        ["\(apcProbe).6.1": .integer(comm), "\(apcProbe).9.1": .integer(temperature), "\(apcProbe).11.1": .integer(humidity)]
    }

    @Test(
        "apc-rpdu2 probe: notPresent(1) / notInstalled(1) absent, commsLost(3) bad, -1 a fallback, thresholds good",
        arguments: [
            (Int64(2), Int64(4), Int64(4), Int64(245), Quality.good),
            (2, 1, 1, 245, .absent),  // TempStatus / HumidityStatus notPresent(1)
            (1, 4, 4, 245, .absent),  // CommStatus notInstalled(1)
            (3, 4, 4, 245, .bad(reason: "probe communication lost (commsLost) (1.3.6.1.4.1.318.1.1.26.10.2.2.1.6.1 = 3)")),
            (2, 6, 6, 245, .good),  // aboveMax(6): an alarm on a valid measurement
            (2, 4, 4, -1, .absent),  // the fallback: -1 on the value
        ])
    func apcProbe(_ comm: Int64, _ status: Int64, _ humidityStatus: Int64, _ value: Int64, _ expected: Quality) throws {
        let beside = Self.apcStatus(comm: comm, temperature: status, humidity: humidityStatus)
        #expect(try Self.snmp("apc-rpdu2", "sensor.{index}.temperature", index: [1], .integer(value), beside: beside).quality == expected)
        #expect(try Self.snmp("apc-rpdu2", "sensor.{index}.humidity", index: [1], .integer(value), beside: beside).quality == expected)
    }

    @Test("apc-rpdu2 probe: humidity notPresent alone makes only the humidity absent; status columns missing → uncertain")
    func apcProbeHumidityOnly() throws {
        let beside = Self.apcStatus(comm: 2, temperature: 4, humidity: 1)
        #expect(try Self.snmp("apc-rpdu2", "sensor.{index}.temperature", index: [1], .integer(245), beside: beside).value == 24.5)
        #expect(try Self.snmp("apc-rpdu2", "sensor.{index}.humidity", index: [1], .integer(40), beside: beside).quality == .absent)
        let unknown = try Self.snmp("apc-rpdu2", "sensor.{index}.temperature", index: [1], .integer(245))
        #expect(unknown.quality == .uncertain && unknown.value == 24.5)
    }

    static let raritan = "1.3.6.1.4.1.13742.6.5.2.3.1"

    @Test(
        "raritan-pdu2: IsAvailable false(2) or State unavailable(-1) → absent",
        arguments: [(Int64(1), Int64(4), Quality.good), (2, 4, .absent), (1, -1, .absent), (2, -1, .absent), (1, 6, .good)])
    func raritanAvailability(_ available: Int64, _ state: Int64, _ expected: Quality) throws {
        for (name, type) in [("inlet.{1}.current", UInt32(1)), ("inlet.{1}.active_power", 5), ("inlet.{1}.energy", 8)] {
            let beside: [String: SNMPValue] = [
                "\(Self.raritan).2.1.2.\(type)": .integer(available), "\(Self.raritan).3.1.2.\(type)": .integer(state),
            ]
            #expect(try Self.snmp("raritan-pdu2", name, index: [2, type], .unsigned(0), beside: beside).quality == expected, "\(name)")
        }
    }

    static let akcp = "1.3.6.1.4.1.3854.1.2.2.1"

    @Test(
        "akcp-sensorprobe: offline(2) or status 0 / noStatus(1) → absent, sensorError(7) → bad value",
        arguments: [
            (Int64(1), Int64(2), Quality.good), (2, 2, .absent), (1, 0, .absent), (1, 1, .absent), (2, 0, .absent),
            (2, 7, .absent),  // offline wins
            (1, 7, .bad(reason: "sensorError(7) (1.3.6.1.4.1.3854.1.2.2.1.16.1.4.3 = 7)")),
            (1, 4, .good),  // highCritical: an alarm on a valid measurement
        ])
    func akcpPort(_ online: Int64, _ status: Int64, _ expected: Quality) throws {
        let beside: [String: SNMPValue] = ["\(Self.akcp).16.1.5.3": .integer(online), "\(Self.akcp).16.1.4.3": .integer(status)]
        #expect(try Self.snmp("akcp-sensorprobe", "temperature.{index}", index: [3], .integer(235), beside: beside).quality == expected)
        let humidity: [String: SNMPValue] = ["\(Self.akcp).17.1.5.3": .integer(online), "\(Self.akcp).17.1.4.3": .integer(status)]
        let h = try Self.snmp("akcp-sensorprobe", "humidity.{index}", index: [3], .integer(45), beside: humidity)
        #expect(h.quality == (expected == .good ? .good : expected.code == "bad" ? .bad(reason: "sensorError(7) (\(Self.akcp).17.1.4.3 = 7)") : .absent))
    }

    @Test("akcp-sensorprobe status point: 0 and 1 absent, offline absent, sensorError(7) stays a named state")
    func akcpStatus() throws {
        let online: [String: SNMPValue] = ["\(Self.akcp).16.1.5.3": .integer(1)]
        let error = try Self.snmp("akcp-sensorprobe", "temperature.{index}.status", index: [3], .integer(7), beside: online)
        #expect(error.quality == .good && error.value == 7)
        for status: Int64 in [0, 1] {
            #expect(try Self.snmp("akcp-sensorprobe", "temperature.{index}.status", index: [3], .integer(status), beside: online).quality == .absent)
        }
        let offline: [String: SNMPValue] = ["\(Self.akcp).16.1.5.3": .integer(2)]
        #expect(try Self.snmp("akcp-sensorprobe", "temperature.{index}.status", index: [3], .integer(2), beside: offline).quality == .absent)
    }

    @Test("bad_when and range on an SNMP rule: raw sentinels with their meaning, values outside the range")
    func snmpRuleMechanisms() throws {
        let rule = SNMPPointRule(
            name: "t", quantity: .temperature, unit: .celsius, scale: SNMPScale(0.1)!, absentWhen: [-1],
            badWhen: [32767: "over range"], range: ValidRange(min: -40, max: 85))
        #expect(rule.convert(.integer(-1)).quality == .absent)
        #expect(rule.convert(.integer(32767)).quality == .bad(reason: "raw 32767: over range"))
        #expect(rule.convert(.integer(851)).quality == .bad(reason: "out of range: 85.1 not in -40…85"))
        #expect(rule.convert(.integer(850)).value == 85)
        #expect(rule.convert(.integer(-400)).value == -40)
    }
}
