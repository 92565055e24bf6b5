import Foundation
import Logging
import SensorDrivers
import Telemetry
import TestSupport
import Testing

/// A scripted RTU device (Peers/rtu_script_peer.py) on one end of a socat pty pair; the driver
/// talks to the other end through libmodbus. The test rewrites the control file to make the
/// device answer well, fall silent, answer with bad CRCs or as a wrong baud rate garbles it.
struct ScriptedRTU: Sendable {
    let socat: PeerProcess
    let device: PeerProcess
    let clientPort: String
    let control: URL

    /// 8N1: these ptys refuse parity (DESIGN: test parity by the option mapping, not the pty).
    var endpoint: ModbusEndpoint { .rtu(SerialSettings(device: clientPort, baud: 19_200, parity: .none, dataBits: 8, stopBits: 1)) }

    /// Modes per unit id ("default" for the others); see the script's doc string.
    func set(_ rules: [String: [String: Any]]) throws {
        let data = try JSONSerialization.data(withJSONObject: rules, options: [.sortedKeys])
        let tmp = control.appendingPathExtension("tmp")
        try data.write(to: tmp)
        _ = rename(tmp.path, control.path)
    }

    /// The requests the device has seen (its log lines), in order.
    var requests: [String] {
        ((try? String(contentsOfFile: device.logPath, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.hasPrefix("REQ ") }
            .map(String.init)
    }

    static let shared = SharedPeer<ScriptedRTU> {
        guard PythonPeers.isInstalled else { throw ModbusPeers.Missing(description: PythonPeers.missingMessage) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-rtu-script-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("device").path, b = dir.appendingPathComponent("client").path
        let control = dir.appendingPathComponent("control.json")
        try Data(#"{"default": {"mode": "good"}}"#.utf8).write(to: control)
        let socat = try await PeerProcess.start(
            name: "socat-script", executable: "/usr/bin/socat",
            arguments: ["-d", "-d", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"],
            readiness: .logLine("starting data transfer loop"))
        let device = try await PeerProcess.start(
            name: "rtu-script", executable: PythonPeers.python,
            arguments: [ProfileFiles.peerScript("rtu_script_peer.py"), "--serial", a, "--control", control.path],
            readiness: .logLine("READY"))
        return ScriptedRTU(socat: socat, device: device, clientPort: b, control: control)
    }
}

@Suite("Modbus RTU over a pty: silent device, bad CRCs, a wrong baud rate, hand-written frames", .serialized, .timeLimit(.minutes(3)))
struct RTUFaultTests {
    static let logger = Logger(label: "test.rtu")
    static let now = Timestamp(seconds: 1_800_000_000)
    static let timeouts = ModbusTimeouts(response: .milliseconds(400), byte: .milliseconds(100))
    /// What an operator sees on the points of a device whose replies fail their CRC.
    static let badCRC = "garbled reply: Invalid CRC (check the baud rate, parity and wiring)"
    /// … and of one whose replies start but stop short (a byte count that promises more).
    static let cutShort = "garbled reply: the frame stopped short (check the baud rate, parity and wiring)"

    /// Two holding registers at 10 and 11: the script's good reply makes them 10·7+u and 11·7+u.
    static func reader(_ bus: ModbusBus, unit: Int, device: CIID = "DC-R09-TH9", logger: Logger = logger) throws -> ModbusDeviceReader {
        let profile = try ProfileFiles.decode(
            """
            name: rtu-two-registers
            modbus:
              base: 0
              kind: holding
              points:
                - {name: a, quantity: temperature, unit: degC, address: 10, type: uint16}
                - {name: b, quantity: temperature, unit: degC, address: 11, type: uint16}
            """)
        return ModbusDeviceReader(plan: try ModbusDevicePlan.compile(profile: profile, device: device, unit: unit), bus: bus, logger: logger)
    }

    static func expectGood(_ readings: [Reading], unit: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(readings.map(\.quality) == [.good, .good], "\(readings)", sourceLocation: sourceLocation)
        #expect(readings.map(\.value) == [Double(10 * 7 + unit), Double(11 * 7 + unit)], sourceLocation: sourceLocation)
    }

    @Test("frames written by hand from the spec, CRC computed here, read through libmodbus's RTU framing")
    func handWrittenFrames() async throws {
        let rtu = try await ScriptedRTU.shared.get()
        let bus = ModbusBus(endpoint: rtu.endpoint, timeouts: Self.timeouts)
        defer { bus.closeSoon() }
        let cases: [(ModbusRequest, [UInt8], Result<[UInt16], RequestFailure>)] = [
            (ModbusRequest(kind: .holding, start: 107, count: 3), [1, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64], .success([555, 0, 100])),
            (ModbusRequest(kind: .input, start: 8, count: 1), [1, 0x04, 0x02, 0x00, 0x0A], .success([10])),
            (
                ModbusRequest(kind: .coil, start: 19, count: 19), [1, 0x01, 0x03, 0xCD, 0x6B, 0x05],
                .success(IndependentModbusFrameTests.bits("10110011" + "11010110" + "101"))
            ),
            (ModbusRequest(kind: .input, start: 0, count: 1), [1, 0x84, 0x02], .failure(RequestFailure(ReplyFault(.exception(.illegalAddress), "illegal data address (02)")))),
            (
                ModbusRequest(kind: .holding, start: 0, count: 1), [1, 0x83, 0x0B],
                .failure(RequestFailure(ReplyFault(.exception(.gatewayTargetFailedToRespond), "gateway target failed to respond (0B)")))
            ),
            (
                ModbusRequest(kind: .holding, start: 0, count: 2), [1, 0x03, 0x02, 0x00, 0x01],
                .failure(RequestFailure(ReplyFault(.quantityMismatch, "2 data bytes for 2 holding registers, expected 4")))
            ),
            (
                ModbusRequest(kind: .input, start: 0, count: 1), [1, 0x03, 0x02, 0x00, 0x01],
                .failure(RequestFailure(ReplyFault(.functionMismatch, "reply function 3, asked 4")))
            ),
        ]
        for (request, frame, expected) in cases {
            try rtu.set(["1": ["mode": "raw", "hex": Hex.text(SpecCRC16.framed(frame))]])
            let got = await bus.read(request, unit: 1)
            #expect(got == expected, "\(request) ← \(Hex.text(frame))")
        }
        // A well-formed reply (valid CRC) from another unit: libmodbus passes it, the decoder refuses it.
        try rtu.set(["1": ["mode": "raw", "hex": Hex.text(SpecCRC16.framed([9, 0x04, 0x02, 0x00, 0x0A]))]])
        let foreign = await bus.read(ModbusRequest(kind: .input, start: 8, count: 1), unit: 1)
        #expect(foreign == .failure(RequestFailure(ReplyFault(.unitMismatch, "reply from unit 9, asked unit 1"))), "\(foreign)")
        // The same §6.3 frame with its CRC bytes swapped (sent high byte first): libmodbus's CRC check refuses it.
        var swapped = SpecCRC16.framed([1, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64])
        swapped.swapAt(swapped.count - 1, swapped.count - 2)
        try rtu.set(["1": ["mode": "raw", "hex": Hex.text(swapped)]])
        #expect(await bus.read(ModbusRequest(kind: .holding, start: 107, count: 3), unit: 1) == .failure(RequestFailure(.corrupted, Self.badCRC)))
    }

    @Test("noise after a good reply is not read as the start of the next one")
    func trailingNoise() async throws {
        let rtu = try await ScriptedRTU.shared.get()
        let bus = ModbusBus(endpoint: rtu.endpoint, timeouts: Self.timeouts)
        defer { bus.closeSoon() }
        // A busy exception (the bus keeps its connection for a busy device) followed by line noise
        // that begins like a reply promising 0x40 more bytes.
        let request = ModbusRequest(kind: .input, start: 8, count: 1)
        try rtu.set(["1": ["mode": "raw", "hex": Hex.text(SpecCRC16.framed([1, 0x84, 0x0B]) + [0x01, 0x04, 0x40, 0x13])]])
        #expect(
            await bus.read(request, unit: 1)
                == .failure(RequestFailure(ReplyFault(.exception(.gatewayTargetFailedToRespond), "gateway target failed to respond (0B)"))))
        try rtu.set(["1": ["mode": "raw", "hex": Hex.text(SpecCRC16.framed([1, 0x04, 0x02, 0x00, 0x0A]))]])
        #expect(await bus.read(request, unit: 1) == .success([10]))
    }

    @Test("a device that answers with bad CRCs: bad readings naming the CRC, the bus recovers when good frames return")
    func badCRC() async throws {
        let rtu = try await ScriptedRTU.shared.get()
        let bus = ModbusBus(endpoint: rtu.endpoint, timeouts: Self.timeouts)
        defer { bus.closeSoon() }
        let reader = try Self.reader(bus, unit: 5)
        try rtu.set(["default": ["mode": "good"]])
        Self.expectGood(try await reader.readOnce(now: Self.now), unit: 5)
        try rtu.set(["5": ["mode": "bad_crc"]])
        for _ in 0..<3 {
            let readings = try await reader.readOnce(now: Self.now)
            #expect(readings.map(\.quality) == [.bad(reason: Self.badCRC), .bad(reason: Self.badCRC)], "\(readings)")
        }
        try rtu.set(["default": ["mode": "good"]])
        Self.expectGood(try await reader.readOnce(now: Self.now), unit: 5)
    }

    @Test(
        "a wrong baud rate (the device's frames resampled by a UART at another rate): bad readings, garbled reason; recovery after",
        arguments: [(9_600, 19_200), (38_400, 19_200), (4_800, 19_200), (19_200, 9_600)])
    func wrongBaud(_ sentAt: Int, _ readAt: Int) async throws {
        let rtu = try await ScriptedRTU.shared.get()
        let bus = ModbusBus(endpoint: rtu.endpoint, timeouts: Self.timeouts)
        defer { bus.closeSoon() }
        let reader = try Self.reader(bus, unit: 6)
        try rtu.set(["6": ["mode": "wrong_baud", "sent_at": sentAt, "read_at": readAt]])
        for round in 0..<3 {
            // Never "no reply" (the device is there, and goes on answering): bad readings saying
            // the reply was garbled, the device stays online.
            let readings = try await reader.readOnce(now: Self.now)
            print("wrong baud \(sentAt)→\(readAt) round \(round): \(readings.map { "\($0.quality)" })")
            #expect(readings.count == 2)
            for r in readings {
                #expect(r.quality == .bad(reason: Self.badCRC) || r.quality == .bad(reason: Self.cutShort), "round \(round): \(r)")
            }
        }
        try rtu.set(["default": ["mode": "good"]])
        Self.expectGood(try await reader.readOnce(now: Self.now), unit: 6)
    }

    @Test("a device that stops answering part-way through a poll: those points bad with the timeout, the others good, no offline")
    func silentPartWay() async throws {
        let rtu = try await ScriptedRTU.shared.get()
        let bus = ModbusBus(endpoint: rtu.endpoint, timeouts: Self.timeouts, policy: RetryPolicy(reconnects: 0))
        defer { bus.closeSoon() }
        let profile = try ProfileFiles.decode(
            """
            name: rtu-far-apart
            modbus:
              base: 0
              kind: holding
              points:
                - {name: a, quantity: temperature, unit: degC, address: 10, type: uint16}
                - {name: far, quantity: temperature, unit: degC, address: 120, type: uint16}
            """)
        let plan = try ModbusDevicePlan.compile(profile: profile, device: "DC-R09-TH8", unit: 8)
        #expect(plan.requests.count == 2, "\(plan.requests)")
        let reader = ModbusDeviceReader(plan: plan, bus: bus, logger: Self.logger)
        try rtu.set(["8": ["mode": "good", "silent_from": 100]])
        let readings = try await reader.readOnce(now: Self.now)
        #expect(readings.map(\.point.name) == ["a", "far"])
        #expect(readings[0].quality == .good && readings[0].value == Double(10 * 7 + 8))
        #expect(readings[1].quality == .bad(reason: "no reply within the response timeout"))
        try rtu.set(["default": ["mode": "good"]])
        #expect(try await reader.readOnce(now: Self.now).map(\.quality) == [.good, .good])
    }

    @Test("a device that never answers: DeviceUnreachable(timeout) at each poll; the poller signals offline, keeps polling, and sees it back")
    func silent() async throws {
        let rtu = try await ScriptedRTU.shared.get()
        let bus = ModbusBus(endpoint: rtu.endpoint, timeouts: Self.timeouts, policy: RetryPolicy(reconnects: 1))
        defer { bus.closeSoon() }
        let reader = try Self.reader(bus, unit: 7, device: "DC-R09-TH7")
        try rtu.set(["7": ["mode": "silent"]])
        let before = rtu.requests.count
        let e = await #expect(throws: DeviceUnreachable.self) { try await reader.readOnce(now: Self.now) }
        #expect(e?.failure == RequestFailure(.timeout, "no reply within the response timeout"))
        #expect(e?.description == "DC-R09-TH7 at \(rtu.endpoint): no reply within the response timeout")
        // One request and one retry over a reopened port, and nothing else.
        #expect(rtu.requests.count - before == 2, "\(rtu.requests.suffix(3))")

        let log = EventLog()
        let svc = PollingService(
            devices: [PolledDevice(reader: reader, interval: .milliseconds(100))],
            configuration: PollingConfiguration(maxConcurrentPolls: 1, jitter: 0, offlineAfter: 2, maxBackoff: .milliseconds(200)),
            clock: ContinuousClock(), logger: Self.logger, sink: { await log.add($0) })
        let run = Task { try await svc.run() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while await log.offline("DC-R09-TH7") == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await log.offline("DC-R09-TH7") == 1)
        let health = await svc.health()["DC-R09-TH7"]
        #expect(health?.offline == true)
        #expect(health?.lastError == "DC-R09-TH7 at \(rtu.endpoint): no reply within the response timeout")
        // The device answers again: the poller, still polling, sees it online with good readings.
        try rtu.set(["default": ["mode": "good"]])
        while await log.online("DC-R09-TH7") == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        run.cancel()
        try await run.value
        #expect(await log.online("DC-R09-TH7") == 1)
        // The readings of the poll that saw it back (the first after the offline signal that
        // answered) are good. Not simply the last readings: the cancel above may end a poll in
        // flight, whose readings are marked `poll cancelled`.
        let events = await log.events
        let wentOffline = events.firstIndex { if case .offline = $0 { true } else { false } } ?? 0
        let answered = events[wentOffline...].compactMap { e -> [Reading]? in
            guard case .readings(_, let rs) = e, !rs.contains(where: { $0.quality == .bad(reason: "poll cancelled") }) else { return nil }
            return rs.contains(where: { $0.quality == .good }) ? rs : nil
        }
        if let rs = answered.first { Self.expectGood(rs, unit: 7) } else { Issue.record("no readings after the device came back: \(events.suffix(4))") }
    }
}

extension ModbusBus {
    /// Closes the bus from a `defer` (the port also closes when the bus is released).
    func closeSoon() { Task { await self.close() } }
}
