import Foundation
import Logging
import SensorDrivers
import Telemetry
import TestSupport
import Testing

/// The Modbus driver against real pymodbus peers on loopback (TCP gateway and RTU over a pty pair).
@Suite("Modbus driver against pymodbus peers", .serialized, .timeLimit(.minutes(5)))
struct ModbusPeerTests {
    static let logger = Logger(label: "test.modbus")
    static let now = Timestamp(seconds: 1_800_000_000)
    static let timeouts = ModbusTimeouts(response: .milliseconds(500), byte: .milliseconds(200))

    static func reader(_ d: PeerValues.Device, bus: ModbusBus, device: CIID = "DC-R01-X1", logger: Logger = logger) throws
        -> ModbusDeviceReader
    {
        let plan = try ModbusDevicePlan.compile(profile: ProfileFiles.load(d.profile), device: device, unit: d.unit)
        return ModbusDeviceReader(plan: plan, bus: bus, logger: logger)
    }

    static func check(_ readings: [Reading], against d: PeerValues.Device, sourceLocation: SourceLocation = #_sourceLocation) {
        let got = Dictionary(uniqueKeysWithValues: readings.map { ($0.point.name, $0) })
        #expect(Set(got.keys) == Set(d.values.keys), sourceLocation: sourceLocation)
        for (name, expected) in d.values {
            let r = got[name]
            #expect(r.flatMap(PeerValues.observed) == expected, "\(d.profile) unit \(d.unit) \(name): \(r.map(String.init(describing:)) ?? "missing")", sourceLocation: sourceLocation)
            #expect(r?.time == (d.recordTime ?? now), sourceLocation: sourceLocation)
        }
    }

    @Test("every shipped profile reads its vendor table over TCP with exact values", arguments: PeerValues.all.indices)
    func tcpProfiles(_ i: Int) async throws {
        let peer = try await ModbusPeers.tcp.get()
        let d = PeerValues.all[i]
        let bus = ModbusBus(endpoint: peer.endpoint, timeouts: Self.timeouts)
        let readings = try await Self.reader(d, bus: bus).readOnce(now: Self.now)
        Self.check(readings, against: d)
        await bus.close()
    }

    @Test("profiles over RTU: several unit ids on one serial bus, read concurrently but serialised")
    func rtuBus() async throws {
        let peer = try await ModbusPeers.rtu.get()
        let bus = ModbusBus(endpoint: peer.endpoint, timeouts: ModbusTimeouts(response: .seconds(1), byte: .milliseconds(200)))
        let devices = [PeerValues.vaisala, PeerValues.thProbe, PeerValues.diModule, PeerValues.lighthouse]
        let readers = try devices.map { try Self.reader($0, bus: bus) }
        try await withThrowingTaskGroup(of: (Int, [Reading]).self) { group in
            for (i, r) in readers.enumerated() { group.addTask { (i, try await r.readOnce(now: Self.now)) } }
            for try await (i, readings) in group { Self.check(readings, against: devices[i]) }
        }
        await bus.close()
    }

    @Test("several sensors behind one TCP gateway share one bus from the pool")
    func gateway() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let pool = ModbusBusPool(timeouts: Self.timeouts)
        let a = await pool.bus(for: peer.endpoint), b = await pool.bus(for: .tcp(host: "127.0.0.1", port: peer.port))
        #expect(a === b)
        let readers = try PeerValues.all.map { try Self.reader($0, bus: a) }
        for round in 0..<3 {
            try await withThrowingTaskGroup(of: (Int, [Reading]).self) { group in
                for (i, r) in readers.enumerated() { group.addTask { (i, try await r.readOnce(now: Self.now)) } }
                for try await (i, readings) in group { Self.check(readings, against: PeerValues.all[i]) }
            }
            _ = round
        }
        await pool.closeAll()
    }

    @Test("host names resolve (modbus_new_tcp_pi)")
    func hostName() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let bus = ModbusBus(endpoint: .tcp(host: "localhost", port: peer.port), timeouts: Self.timeouts)
        Self.check(try await Self.reader(PeerValues.thProbe, bus: bus).readOnce(now: Self.now), against: PeerValues.thProbe)
        await bus.close()
    }

    @Test("commissioning: inspect shows where each point was read, its raw registers and its value")
    func inspect() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let bus = ModbusBus(endpoint: peer.endpoint, timeouts: Self.timeouts)
        let lines = try await Self.reader(PeerValues.thProbeNotFitted, bus: bus).inspect(now: Self.now).map(\.description)
        #expect(
            lines == [
                "temperature  input[0] int16  raw 00D7 → 21.5 °C [good]", "humidity  input[1] uint16  raw 8000 → [absent]",
                "dew_point  input[2] int16  raw 8000 → [absent]",
            ])
        await bus.close()
    }

    @Test("device busy is retried with back-off until it answers")
    func busy() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let bus = ModbusBus(
            endpoint: peer.endpoint, timeouts: Self.timeouts, policy: RetryPolicy(busyRetries: 3, busyBackoff: .milliseconds(10)))
        let busyProbe = PeerValues.Device(profile: "generic-th-probe", unit: 7, values: PeerValues.thProbe.values, recordTime: nil)
        let reader = try Self.reader(busyProbe, bus: bus)
        for _ in 0..<3 { Self.check(try await reader.readOnce(now: Self.now), against: busyProbe) }
        await bus.close()
    }

    @Test("illegal address: bad readings for those points, reported once per point; the other points stay good")
    func illegalAddress() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let profile = try ProfileFiles.decode(
            """
            name: wrong-map
            modbus:
              base: 0
              kind: input
              points:
                - {name: temperature, quantity: temperature, unit: degC, address: 0, type: int16, scale: 0.1}
                - {name: ghost, quantity: temperature, unit: degC, address: 50, type: int16}
                - {name: ghost2, quantity: temperature, unit: degC, address: 51, type: int16}
            """)
        let capture = LogCapture()
        let bus = ModbusBus(endpoint: peer.endpoint, timeouts: Self.timeouts)
        let reader = ModbusDeviceReader(
            plan: try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-TH1", unit: 4), bus: bus, logger: capture.logger)
        for _ in 0..<3 {
            let readings = try await reader.readOnce(now: Self.now)
            #expect(readings.map(\.quality) == [.good, .bad(reason: "configuration: illegal data address (02)"), .bad(reason: "configuration: illegal data address (02)")])
            #expect(readings[0].value == 21.5)
        }
        let warnings = capture.messages(at: .warning)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("ghost ") } && warnings.contains { $0.contains("ghost2") })
        #expect(capture.messages(at: .info).contains { $0.contains("2 requests touching 3 input registers on unit 4") })
        await bus.close()
    }

    @Test("a gateway answering 'device failure' gives bad readings, not a thrown error")
    func deviceFailure() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let bus = ModbusBus(endpoint: peer.endpoint, timeouts: Self.timeouts)
        let missing = PeerValues.Device(profile: "generic-th-probe", unit: 9, values: [:], recordTime: nil)
        let readings = try await Self.reader(missing, bus: bus).readOnce(now: Self.now)
        #expect(readings.count == 3)
        #expect(readings.allSatisfy { $0.quality == .bad(reason: "device failure (04)") })
        await bus.close()
    }

    @Test(
        "malformed replies through libmodbus become bad readings of the right class, and the link recovers",
        arguments: [
            (1, "8 data bytes for 3 input registers, expected 6"), (2, "reply from unit 99, asked unit 2"),
            (3, "reply function 3, asked 4"), (4, "gateway target failed to respond (0B)"),
        ])
    func malformedReplies(_ unit: Int, _ reason: String) async throws {
        let peer = try await ModbusPeers.malformed.get()
        let bus = ModbusBus(endpoint: peer.endpoint, timeouts: Self.timeouts)
        let bad = PeerValues.Device(profile: "generic-th-probe", unit: unit, values: [:], recordTime: nil)
        let control = PeerValues.Device(
            profile: "generic-th-probe", unit: 5,
            values: ["temperature": .value(21.5), "humidity": .value(21.5), "dew_point": .value(21.5)], recordTime: nil)
        for _ in 0..<2 {
            let readings = try await Self.reader(bad, bus: bus).readOnce(now: Self.now)
            #expect(readings.count == 3)
            #expect(readings.allSatisfy { $0.quality == .bad(reason: reason) }, "\(readings)")
            // The next request on the same bus (a new connection after a garbled reply) is good.
            Self.check(try await Self.reader(control, bus: bus).readOnce(now: Self.now), against: control)
        }
        await bus.close()
    }

    @Test("closed port and silent port: the reader throws DeviceUnreachable", arguments: [false, true])
    func unreachable(_ silent: Bool) async throws {
        let listener = silent ? SilentListener() : nil
        let port = listener?.port ?? FreePort.tcp()
        let bus = ModbusBus(
            endpoint: .tcp(host: "127.0.0.1", port: port), timeouts: ModbusTimeouts(response: .milliseconds(150), byte: .milliseconds(50)),
            policy: RetryPolicy(reconnects: 1))
        let started = ContinuousClock.now
        let e = await #expect(throws: DeviceUnreachable.self) { try await Self.reader(PeerValues.thProbe, bus: bus).readOnce(now: Self.now) }
        #expect(e?.failure.code == (silent ? .timeout : .connection))
        if silent { #expect(ContinuousClock.now - started >= .milliseconds(300), "two attempts of 150 ms") }
        await bus.close()
        listener?.close()
    }

    @Test("a bus made with a sensor's own timeout waits that long, not the pool's; the endpoint's later sensors get the same bus")
    func perBusTimeout() async throws {
        let silent = SilentListener()
        let endpoint = ModbusEndpoint.tcp(host: "127.0.0.1", port: silent.port)
        let pool = ModbusBusPool(timeouts: ModbusTimeouts(response: .milliseconds(200), byte: .milliseconds(50)), policy: RetryPolicy(reconnects: 0))
        let bus = await pool.bus(for: endpoint, timeouts: ModbusTimeouts(response: .milliseconds(1500), byte: .milliseconds(50)))
        #expect(await pool.bus(for: endpoint) === bus)
        let started = ContinuousClock.now
        let r = await bus.read(ModbusRequest(kind: .input, start: 0, count: 1), unit: 1)
        #expect(r == .failure(RequestFailure(.timeout, "no reply within the response timeout")))
        // 1.5 s, not the pool's 200 ms.
        #expect(ContinuousClock.now - started >= .milliseconds(1500))
        await pool.closeAll()
        silent.close()
    }

    @Test("different buses run in parallel; units on one bus run one at a time")
    func busParallelism() async throws {
        // A peer that answers only once two requests are outstanding at the same moment: it sees
        // the concurrency itself, so nothing here bets on how long anything takes.
        let request = ModbusRequest(kind: .input, start: 0, count: 1)
        let policy = RetryPolicy(reconnects: 0)

        // Two buses (one per port): both requests reach the peer together and are answered. A
        // bus pair that ran one at a time would leave the first request alone until its
        // (generous) timeout.
        let pair = try RendezvousModbusPeer(ports: 2, quorum: 2)
        defer { pair.stop() }
        let generous = ModbusTimeouts(response: .seconds(30), byte: .milliseconds(50))
        let busA = ModbusBus(endpoint: .tcp(host: "127.0.0.1", port: pair.ports[0]), timeouts: generous, policy: policy)
        let busB = ModbusBus(endpoint: .tcp(host: "127.0.0.1", port: pair.ports[1]), timeouts: generous, policy: policy)
        async let a = busA.read(request, unit: 1)
        async let b = busB.read(request, unit: 1)
        let (ra, rb) = await (a, b)
        #expect(ra == .success([42]), "\(ra)")
        #expect(rb == .success([42]), "\(rb)")
        #expect(pair.maxOutstanding == 2 && pair.requests == 2, "held at once \(pair.maxOutstanding), requests \(pair.requests)")
        await busA.close()
        await busB.close()

        // Two units on one bus: the peer answers a request alone after holding it 100 ms, and
        // never holds two at once, because the bus sends the second only after the first's reply.
        let single = try RendezvousModbusPeer(ports: 1, quorum: 2, dwell: .milliseconds(100))
        defer { single.stop() }
        let bus = ModbusBus(endpoint: .tcp(host: "127.0.0.1", port: single.ports[0]), timeouts: generous, policy: policy)
        async let c = bus.read(request, unit: 1)
        async let d = bus.read(request, unit: 2)
        let (rc, rd) = await (c, d)
        #expect(rc == .success([42]), "\(rc)")
        #expect(rd == .success([42]), "\(rd)")
        #expect(single.maxOutstanding == 1 && single.requests == 2, "held at once \(single.maxOutstanding), requests \(single.requests)")
        await bus.close()
    }

    @Test("a dead device goes offline while every other device keeps its schedule")
    func offlineWhileOthersPoll() async throws {
        let peer = try await ModbusPeers.tcp.get()
        let silent = SilentListener()
        let fast = ModbusTimeouts(response: .milliseconds(100), byte: .milliseconds(50))
        let pool = ModbusBusPool(timeouts: fast, policy: RetryPolicy(reconnects: 0))
        // The live peer's bus waits as a real one would (2 s): a pymodbus reply slower than the
        // dead devices' 100 ms under a full run's load is not an outage (it made a reading bad
        // in two clean-clone runs); only the dead devices need the short timeout.
        let patient = ModbusTimeouts(response: .seconds(2), byte: .milliseconds(500))
        let good = try Self.reader(PeerValues.thProbe, bus: await pool.bus(for: peer.endpoint, timeouts: patient), device: "DC-R01-TH1")
        let also = try Self.reader(PeerValues.diModule, bus: await pool.bus(for: peer.endpoint, timeouts: patient), device: "DC-R01-DI1")
        let dead = try Self.reader(PeerValues.thProbe, bus: await pool.bus(for: .tcp(host: "127.0.0.1", port: silent.port)), device: "DC-R02-TH1")
        let closed = try Self.reader(PeerValues.thProbe, bus: await pool.bus(for: .tcp(host: "127.0.0.1", port: FreePort.tcp())), device: "DC-R03-TH1")
        let log = EventLog()
        let interval = Duration.milliseconds(150)
        let svc = PollingService(
            devices: [good, also, dead, closed].map { PolledDevice(reader: $0, interval: interval) },
            configuration: PollingConfiguration(maxConcurrentPolls: 4, jitter: 0.1, offlineAfter: 3, maxBackoff: .seconds(1)),
            clock: ContinuousClock(), logger: Self.logger, sink: { await log.add($0) })
        let run = Task { try await svc.run() }
        // Wait (bounded) for both dead devices to be signalled offline.
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while ContinuousClock.now < deadline {
            let a = await log.offline("DC-R02-TH1"), b = await log.offline("DC-R03-TH1")
            if a > 0 && b > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The healthy devices keep polling through the outage: three more good polls of each
        // (bounded wait; no fixed sleep, so a slow machine only makes it slower).
        let goodBefore = await log.readings("DC-R01-TH1"), alsoBefore = await log.readings("DC-R01-DI1")
        while ContinuousClock.now < deadline.advanced(by: .seconds(10)) {
            if await log.readings("DC-R01-TH1") >= goodBefore + 3, await log.readings("DC-R01-DI1") >= alsoBefore + 3 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        run.cancel()
        try await run.value
        #expect(await log.offline("DC-R02-TH1") == 1)
        #expect(await log.offline("DC-R03-TH1") == 1)
        let health = await svc.health()
        #expect(health["DC-R02-TH1"]?.offline == true)
        #expect(health["DC-R02-TH1"]?.lastError?.contains("no reply") == true)
        #expect(health["DC-R03-TH1"]?.lastError?.contains("cannot connect") == true)
        #expect(health["DC-R01-TH1"]?.consecutiveFailures == 0)
        // Offline was signalled once each, not again at every failed poll after it, and every
        // reading of the healthy devices was good.
        #expect(await log.readings("DC-R01-TH1") >= goodBefore + 3)
        #expect(await log.readings("DC-R01-DI1") >= alsoBefore + 3)
        for e in await log.events {
            if case .readings(let d, let rs) = e { #expect(rs.allSatisfy { $0.quality != .bad(reason: "") && ($0.quality.hasValue || $0.quality == .absent) }, "\(d)") }
        }
        silent.close()
        await pool.closeAll()
    }
}
