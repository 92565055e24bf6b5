import SensorDrivers
import Telemetry
import Testing

@Suite("Shipped profiles decode, compile and plan; bad input is a configuration error naming the sensor", .timeLimit(.minutes(1)))
struct ProfileTests {
    @Test("every shipped Modbus profile decodes and compiles", arguments: ProfileFiles.modbusNames)
    func shipped(_ name: String) throws {
        let profile = try ProfileFiles.load(name)
        #expect(profile.name == name)
        let plan = try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-X1", unit: 1)
        #expect(!plan.points.isEmpty)
        for r in plan.requests { #expect(r.count <= r.kind.requestLimit) }
    }

    @Test(
        "plans of the shipped profiles",
        arguments: [
            ("vaisala-hmt330", "2 requests touching 10 holding registers on unit 1"),
            ("lighthouse-remote", "1 request touching 24 input registers on unit 1"),
            ("generic-corrosion-monitor", "1 request touching 7 input registers on unit 1"),
            ("generic-th-probe", "1 request touching 3 input registers on unit 1"),
            ("generic-di-module", "1 request touching 5 discrete inputs on unit 1"),
        ])
    func plans(_ name: String, _ summary: String) throws {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.load(name), device: "DC-R01-X1", unit: 1)
        #expect(plan.summary == summary)
    }

    @Test("Vaisala addresses are 1-based and its floats CDAB")
    func vaisalaAddresses() throws {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.load("vaisala-hmt330"), device: "DC-R01-TH9", unit: 1)
        let byName = Dictionary(uniqueKeysWithValues: plan.points.map { ($0.descriptor.id.name, $0) })
        #expect(byName["humidity"]?.address == 0)
        #expect(byName["dew_point"]?.address == 6)
        #expect(byName["status.fault"]?.address == 512)
        #expect(byName["status.online"]?.address == 513)
        #expect(byName["humidity.int"] == nil, "the 16-bit copies are not read: 0 means unavailable there")
        #expect(byName["temperature"]?.order == .cdab)
        #expect(byName["temperature"]?.kind == .holding)
    }

    @Test("Lighthouse: Modicon numbering picks the table; channel sizes are profile data; the record has its own time")
    func lighthouse() throws {
        let profile = try ProfileFiles.load("lighthouse-remote")
        let plan = try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-PC1", unit: 2)
        // The register map has no sample volume: 30005-06 is the record's location (not read).
        #expect(!plan.points.contains { $0.address == 4 || $0.address == 5 })
        let duration = try #require(plan.points.first { $0.descriptor.id.name == "sample.duration" })
        #expect(duration.kind == .input && duration.address == 2 && duration.descriptor.unit == .second)
        let malfunction = try #require(plan.points.first { $0.descriptor.id.name == "malfunction" })
        #expect(malfunction.address == 7 && malfunction.type == .bit(3))
        let counts = try #require(profile.modbus?.points.filter { $0.quantity == .particleCount })
        #expect(counts.compactMap(\.sizeMicrometres) == [0.3, 0.5, 1.0, 2.5, 5.0, 10, 15, 25])
        #expect(plan.recordTimePoint.map { plan.points[$0].descriptor.id.name } == "sample.time")
    }

    @Test("discrete states are carried into the point descriptors")
    func states() throws {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.load("generic-di-module"), device: "DC-R01-DI1", unit: 6)
        let door = try #require(plan.points.first { $0.descriptor.id.name == "door" })
        #expect(door.descriptor.states == [0: "closed", 1: "open"])
        #expect(door.descriptor.quantity == .state)
        #expect(door.type == .boolean)
    }

    @Test("unknown profile names the sensor and the known profiles")
    func unknownProfile() throws {
        let catalog = try ProfileCatalog(ProfileFiles.modbusNames.map(ProfileFiles.load))
        let e = #expect(throws: ProfileError.self) { try catalog.profile(named: "vaisala-hmt333", forSensor: "DC-R01-TH1") }
        #expect(e?.code == .unknownProfile)
        #expect(e?.description.hasPrefix("sensor DC-R01-TH1, key profile: no profile named 'vaisala-hmt333'") == true)
        #expect(e?.description.contains("vaisala-hmt330") == true)
    }

    static func inline(_ points: String, base: String = "0", extra: String = "") -> String {
        """
        name: test-profile
        modbus:
          base: \(base)
          kind: input
        \(extra)
          points:
        \(points)
        """
    }

    struct BadCase: Sendable, CustomStringConvertible {
        let name: String
        let yaml: String
        let code: ProfileError.Code
        let message: String
        var description: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(
            name: "bad address syntax",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: \"12a\"}"), code: .badAddress,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key address: '12a' is not an address"),
        BadCase(
            name: "address 0 under base 1",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0}", base: "1"), code: .badAddress,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key address: '0' is outside the range of base 1 addresses"),
        BadCase(
            name: "register count over the limit",
            yaml: inline("    - {name: serial, quantity: text, unit: none, address: 0, type: string(125)}", extra: "  quirks: {max_registers: 100}"),
            code: .registerCountOverLimit,
            message: "sensor DC-R01-TH1, profile test-profile, point serial, key type: string(125) spans 125 units, over the limit of 100 per request"),
        BadCase(
            name: "quirk above the protocol limit",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0}", extra: "  quirks: {max_registers: 126}"),
            code: .badQuirk, message: "sensor DC-R01-TH1, profile test-profile, key quirks.max_registers: 126 is outside 1…125"),
        BadCase(
            name: "Modicon table disagrees with kind",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 40001}", base: "modicon"), code: .kindMismatch,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key kind: Modicon address '40001' is in the holding registers table"),
        BadCase(
            name: "float from a discrete input",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, kind: di, address: 0, type: float32}"), code: .typeNotForKind,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key type: type float32 cannot be read from discrete inputs"),
        BadCase(
            name: "duplicate point",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0}\n    - {name: t, quantity: temperature, unit: degC, address: 1}"),
            code: .duplicatePoint, message: "sensor DC-R01-TH1, profile test-profile, point t, key name: two points have this name"),
        BadCase(
            name: "bad point name",
            yaml: inline("    - {name: \"t/x\", quantity: temperature, unit: degC, address: 0}"), code: .badPointName,
            message: "sensor DC-R01-TH1, profile test-profile, point t/x, key name:"),
        BadCase(
            name: "record time names no point",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0}", extra: "  record_time: clock"), code: .badRecordTime,
            message: "sensor DC-R01-TH1, profile test-profile, key record_time: 'clock' is not a numeric point"),
        BadCase(
            name: "qualifier names no point",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0, qualified_by: [fault]}"), code: .badQualifier,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key qualified_by: 'fault' is not another numeric point"),
        BadCase(
            name: "absent_if names no point",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0, absent_if: {point: fitted, equals: [0]}}"),
            code: .badCondition,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key absent_if: 'fitted' is not another numeric point of this profile"),
        BadCase(
            name: "a condition on the point itself",
            yaml: inline("    - {name: t, quantity: temperature, unit: degC, address: 0, bad_if: {point: t, equals: [0], reason: x}}"),
            code: .badCondition,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key bad_if: 't' is not another numeric point of this profile"),
        BadCase(
            name: "bad_if without a reason",
            yaml: inline("""
                    - {name: t, quantity: temperature, unit: degC, address: 0, bad_if: [{point: s, not_equals: [1]}]}
                    - {name: s, quantity: state, unit: "", address: 1}
                """),
            code: .badCondition,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key bad_if: 's': bad_if needs a reason (what the vendor means by it)"),
        BadCase(
            name: "equals and not_equals together",
            yaml: inline("""
                    - {name: t, quantity: temperature, unit: degC, address: 0, absent_if: {point: s, equals: [0], not_equals: [1]}}
                    - {name: s, quantity: state, unit: "", address: 1}
                """),
            code: .badCondition,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key absent_if: 's': give equals or not_equals, not both"),
        BadCase(
            name: "a condition with no values",
            yaml: inline("""
                    - {name: t, quantity: temperature, unit: degC, address: 0, absent_if: {point: s, equals: []}}
                    - {name: s, quantity: state, unit: "", address: 1}
                """),
            code: .badCondition,
            message: "sensor DC-R01-TH1, profile test-profile, point t, key absent_if: 's': needs a non-empty equals or not_equals list"),
        BadCase(
            name: "range upside down",
            yaml: inline("    - {name: h, quantity: relative_humidity, unit: \"%RH\", address: 0, range: [100, 0]}"), code: .badRange,
            message: "sensor DC-R01-TH1, profile test-profile, point h, key range: must be [min, max] with finite min ≤ max (got [100, 0])"),
        BadCase(
            name: "range of one number",
            yaml: inline("    - {name: h, quantity: relative_humidity, unit: \"%RH\", address: 0, range: [100]}"), code: .badRange,
            message: "sensor DC-R01-TH1, profile test-profile, point h, key range: must be [min, max]"),
    ]

    @Test("configuration errors name sensor, profile, point and key", arguments: badCases)
    func badProfiles(_ c: BadCase) throws {
        let profile = try ProfileFiles.decode(c.yaml)
        let e = #expect(throws: ProfileError.self) { try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-TH1", unit: 1) }
        #expect(e?.code == c.code)
        #expect(e?.description.hasPrefix(c.message) == true, "\(e.map(String.init(describing:)) ?? "no error")")
    }

    @Test("a unit id outside 1…247 is refused", arguments: [0, 248])
    func badUnit(_ unit: Int) throws {
        let e = #expect(throws: ProfileError.self) {
            try ModbusDevicePlan.compile(profile: ProfileFiles.load("generic-th-probe"), device: "DC-R01-TH1", unit: unit)
        }
        #expect(e?.code == .badEndpoint)
        #expect(e?.sensor == "DC-R01-TH1")
    }

    @Test("a profile without a modbus section is refused for a Modbus sensor")
    func notModbus() throws {
        let e = #expect(throws: ProfileError.self) {
            try ModbusDevicePlan.compile(profile: DeviceProfile(name: "x"), device: "DC-R01-TH1", unit: 1)
        }
        #expect(e?.code == .notModbus)
    }

    @Test(
        "unknown vocabulary fails while decoding the YAML",
        arguments: [
            "{name: t, quantity: temperature, unit: degC, address: 0, type: float16}",
            "{name: t, quantity: temperature, unit: degC, address: 0, order: ACBD}",
            "{name: t, quantity: temperature, unit: degC, address: 0, kind: registers}",
            "{name: t, quantity: temperature, unit: furlong, address: 0}",
            "{name: t, quantity: warmth, unit: degC, address: 0}",
        ])
    func badVocabulary(_ point: String) {
        #expect(throws: (any Error).self) { try ProfileFiles.decode(Self.inline("    - " + point)) }
        #expect(throws: Never.self) {
            try ProfileFiles.decode(Self.inline("    - {name: t, quantity: temperature, unit: degC, address: 0}"))
        }
    }
}
