import Logging
import SensorDrivers
import Telemetry
import Testing

@Suite("Assembling readings from request outcomes", .timeLimit(.minutes(1)))
struct ReadingAssemblerTests {
    static let now = Timestamp(seconds: 1_800_000_000)

    static func plan(_ name: String, unit: Int = 1) throws -> ModbusDevicePlan {
        try ModbusDevicePlan.compile(profile: ProfileFiles.load(name), device: "DC-R01-X1", unit: unit)
    }

    @Test("a failed request gives bad readings for its points only; the others keep their values")
    func partialFailure() throws {
        let plan = try Self.plan("vaisala-hmt330")
        #expect(plan.requests.count == 2)
        let floats: [UInt16] = [0, 0x4236, 0, 0x41B2, 0, 0, 0, 0xC060]  // 45.5, 22.25, -3.5 CDAB
        let outcomes: [Result<[UInt16], RequestFailure>] = [
            .success(floats), .failure(RequestFailure(ReplyFault(.exception(.illegalAddress), "illegal data address (02)"))),
        ]
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: outcomes, now: Self.now)
        let byName = Dictionary(uniqueKeysWithValues: readings.map { ($0.point.name, $0) })
        #expect(byName["humidity"]?.value == 45.5)
        #expect(byName["temperature"]?.value == 22.25)
        #expect(byName["dew_point"]?.value == -3.5)
        #expect(byName["status.fault"]?.quality == .bad(reason: "configuration: illegal data address (02)"))
        #expect(byName["status.fault"]?.value.isNaN == true)
        #expect(
            ["humidity", "temperature", "dew_point"].allSatisfy { byName[$0]?.quality == .uncertain },
            "their status registers could not be read: the values are kept and labelled")
        #expect(readings.allSatisfy { $0.time == Self.now })
    }

    @Test("sentinels give absent readings, never values")
    func absent() throws {
        let plan = try Self.plan("generic-th-probe")
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.success([215, 0x8000, 0x8000])], now: Self.now)
        #expect(readings.map(\.quality) == [.good, .absent, .absent])
        #expect(readings[0].value == 21.5)
        #expect(readings.filter(\.isUsable).count == 1)
    }

    @Test("a record with its own time stamps every reading with it")
    func recordTime() throws {
        let plan = try Self.plan("lighthouse-remote")
        var inputs = [UInt16](repeating: 0, count: 24)
        inputs[0] = 0x6929  // 1764303201 >> 16 ... any time: 0x6929_A800
        inputs[1] = 0xA800
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.success(inputs)], now: Self.now)
        let expected = Timestamp(seconds: 0x6929_A800)
        #expect(readings.allSatisfy { $0.time == expected })
    }

    /// Lighthouse Table A-9: bit 0 laser alert, 1 flow alert, 2 overflow, 3 malfunction, 6 sampler
    /// error make the counts doubtful; 4 and 5 (thresholds exceeded) are alarms on valid data.
    @Test("status bits qualify values: set or unreadable → uncertain, clear → good", arguments: [
        (UInt16(0b0000000), Quality.good), (0b0000001, .uncertain), (0b0000010, .uncertain), (0b0000100, .uncertain),
        (0b0001000, .uncertain), (0b0110000, .good), (0b1000000, .uncertain),
    ])
    func qualifiers(_ status: UInt16, _ quality: Quality) throws {
        let plan = try Self.plan("lighthouse-remote")
        var inputs = [UInt16](repeating: 0, count: 24)
        inputs[7] = status
        inputs[9] = 500  // count.0.3um
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.success(inputs)], now: Self.now)
        let count = try #require(readings.first { $0.point.name == "count.0.3um" })
        #expect(count.quality == quality)
        #expect(count.value == 500, "an uncertain reading keeps its value")
        #expect(readings.first { $0.point.name == "sample.duration" }?.quality == .good, "points without qualifiers stay good")
    }

    @Test("a record whose time could not be read is stamped with now")
    func recordTimeMissing() throws {
        let plan = try Self.plan("lighthouse-remote")
        let f = RequestFailure(.timeout, "no reply")
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.failure(f)], now: Self.now)
        #expect(readings.allSatisfy { $0.time == Self.now })
        #expect(readings.allSatisfy { $0.quality == .bad(reason: f.qualityReason) })
    }
}

@Suite("Making readers from sensor entries", .timeLimit(.minutes(1)))
struct ModbusSensorTests {
    @Test("a sensor entry becomes a reader on the pool's bus; bad entries name the sensor")
    func make() async throws {
        let catalog = try ProfileCatalog(ProfileFiles.modbusNames.map(ProfileFiles.load))
        let pool = ModbusBusPool()
        let logger = Logger(label: "test")
        let ok = ModbusSensorConfig(id: "DC-R01-TH1", profile: "generic-th-probe", endpoint: "tcp://127.0.0.1:15502", unit: 1, interval: .seconds(10))
        let reader = try await ModbusDeviceReader.make(ok, catalog: catalog, pool: pool, logger: logger)
        #expect(reader.points.map(\.id.description) == ["DC-R01-TH1/temperature", "DC-R01-TH1/humidity", "DC-R01-TH1/dew_point"])
        var bad = ok
        bad.endpoint = "serial://x"
        let e1 = await #expect(throws: ProfileError.self) { try await ModbusDeviceReader.make(bad, catalog: catalog, pool: pool, logger: logger) }
        #expect(e1?.sensor == "DC-R01-TH1" && e1?.code == .badEndpoint)
        bad = ok
        bad.profile = "nope"
        let e2 = await #expect(throws: ProfileError.self) { try await ModbusDeviceReader.make(bad, catalog: catalog, pool: pool, logger: logger) }
        #expect(e2?.code == .unknownProfile)
    }

    @Test("malformed replies become bad readings with the fault as reason", arguments: [
        ReplyFault(.byteCountMismatch, "byte count 6 but 4 data bytes"), ReplyFault(.unitMismatch, "reply from unit 9, asked unit 4"),
        ReplyFault(.quantityMismatch, "4 data bytes for 3 input registers, expected 6"),
    ])
    func malformed(_ fault: ReplyFault) throws {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.load("generic-th-probe"), device: "DC-R01-TH1", unit: 4)
        let (readings, _) = ReadingAssembler.readings(plan: plan, outcomes: [.failure(RequestFailure(fault))], now: Timestamp(seconds: 1))
        #expect(readings.count == 3)
        #expect(readings.allSatisfy { $0.quality == .bad(reason: fault.detail) && !$0.isUsable })
    }
}
