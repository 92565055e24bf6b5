import Telemetry
import Foundation
import SensorDrivers
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Modbus RTU's CRC-16, written here from the serial-line spec (Modbus over Serial Line V1.02
/// §6.2.2: reflected polynomial 0xA001, register preset to 0xFFFF, low byte sent first) and
/// nothing else: no table, no code shared with the driver, libmodbus or pymodbus.
enum SpecCRC16 {
    static func crc(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for b in bytes {
            crc ^= UInt16(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }

    /// `bytes` followed by their CRC, low byte first (an RTU ADU).
    static func framed(_ bytes: [UInt8]) -> [UInt8] {
        let c = crc(bytes)
        return bytes + [UInt8(c & 0xFF), UInt8(c >> 8)]
    }

    /// True when the last two bytes are the CRC of the others.
    static func checks(_ adu: [UInt8]) -> Bool {
        adu.count >= 3 && framed(Array(adu.dropLast(2))) == adu
    }
}

/// Hex text ↔ bytes for frames that cross a file.
enum Hex {
    static func bytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let b = UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }

    static func text(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// Runs a short-lived program with its output in a file, bounded in time; killed by its PID when
/// the bound passes. Returns the exit status (nil when it was killed or died of a signal) and the log.
func runBounded(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(20)) throws -> (status: Int32?, log: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-run-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    let pid = try spawn(executable, arguments, environment: [:], log: log)
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    var status: Int32 = 0
    var done = false
    while clock.now < deadline {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            done = true
            break
        }
        usleep(10_000)
    }
    if !done {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }
    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    // WIFEXITED / WEXITSTATUS, spelled out (the C macros do not import).
    let exited = status & 0x7F == 0
    return (done && exited ? (status >> 8) & 0xFF : nil, text)
}

/// Reply frames made without the driver's encoder: by pymodbus's own PDU classes and framers
/// (Peers/pymodbus_frames.py), and by hand from the Modbus Application Protocol V1.1b3. Each is
/// decoded by ``ReplyDecoder`` and checked against what pymodbus decodes or what the spec says.
@Suite("Reply frames made independently: pymodbus framers and the spec's own bytes", .timeLimit(.minutes(2)))
struct IndependentModbusFrameTests {
    /// One frame the script wrote.
    struct PyFrame: Decodable {
        struct Seen: Decodable {
            var registers: [UInt16]?
            var bits: [UInt16]?
            var exception: UInt8?
        }
        var n: Int
        var kind: String
        var unit: UInt8
        var count: Int
        var tid: UInt16
        var rtu: String
        var tcp: String
        var pymodbus: Seen
    }

    static let seed = 20_260_907
    static let frameCount = 1_500

    /// Spec exception codes → the driver's meaning, written from the spec's table (§7).
    static let specExceptions: [UInt8: ModbusException] = [
        0x01: .illegalFunction, 0x02: .illegalAddress, 0x03: .illegalValue, 0x04: .deviceFailure,
        0x05: .acknowledge, 0x06: .deviceBusy, 0x0B: .gatewayTargetFailedToRespond,
    ]

    static func pymodbusFrames() throws -> [PyFrame] {
        try #require(PythonPeers.isInstalled, "\(PythonPeers.missingMessage)")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-pyframes-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runBounded(
            PythonPeers.python,
            [ProfileFiles.peerScript("pymodbus_frames.py"), "--seed", "\(seed)", "--count", "\(frameCount)", "--out", out.path])
        try #require(run.status == 0, "pymodbus_frames.py (seed \(seed)) failed: \(run.log)")
        let text = try String(contentsOf: out, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(PyFrame.self, from: Data($0.utf8)) }
    }

    @Test("our CRC-16 reproduces the spec's and the folklore's worked examples")
    func crcExamples() {
        // Modbus over Serial Line V1.02, §6.2.2 example: unit 02, function 07 → CRC 0x1241, sent 41 12.
        #expect(SpecCRC16.framed([0x02, 0x07]) == [0x02, 0x07, 0x41, 0x12])
        // The read-holding-register request every RTU tutorial shows: 01 03 00 00 00 01 84 0A.
        #expect(SpecCRC16.framed([0x01, 0x03, 0x00, 0x00, 0x00, 0x01]) == [0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A])
        #expect(SpecCRC16.crc([]) == 0xFFFF)
    }

    @Test("1 500 replies framed by pymodbus (RTU and TCP) decode to what pymodbus decodes; pymodbus's CRC is the spec's")
    func pymodbusReplies() throws {
        let frames = try Self.pymodbusFrames()
        #expect(frames.count == Self.frameCount)
        var kinds: Set<String> = []
        var exceptions: Set<UInt8> = []
        var failures: [String] = []
        for f in frames {
            let kind = try #require(RegisterKind(rawValue: f.kind), "case \(f.n): kind \(f.kind)")
            kinds.insert(f.kind)
            let request = ModbusRequest(kind: kind, start: 0, count: f.count)
            let expected: Result<[UInt16], ReplyFault>
            if let units = f.pymodbus.registers ?? f.pymodbus.bits {
                expected = .success(units)
            } else {
                let code = try #require(f.pymodbus.exception, "case \(f.n): nothing decoded")
                exceptions.insert(code)
                let e = try #require(Self.specExceptions[code], "case \(f.n): code \(code)")
                expected = .failure(ReplyFault(.exception(e), e.description))
            }
            let rtu = try #require(Hex.bytes(f.rtu))
            let tcp = try #require(Hex.bytes(f.tcp))
            // RTU: unit, PDU, CRC (spec CRC, low byte first); strip the CRC, decode the rest.
            if !SpecCRC16.checks(rtu) { failures.append("case \(f.n): pymodbus CRC differs from the spec's: \(f.rtu)") }
            let fromRTU = ReplyDecoder.decode(Array(rtu.dropLast(2)), for: request, unit: f.unit)
            // TCP: MBAP = transaction id, protocol 0, length of what follows; then unit and PDU.
            let mbapOK = tcp.count >= 7 && tcp[0] == UInt8(f.tid >> 8) && tcp[1] == UInt8(f.tid & 0xFF) && tcp[2] == 0
                && tcp[3] == 0 && Int(tcp[4]) << 8 | Int(tcp[5]) == tcp.count - 6
            if !mbapOK { failures.append("case \(f.n): MBAP header \(f.tcp.prefix(14))") }
            let fromTCP = ReplyDecoder.decode(Array(tcp.dropFirst(6)), for: request, unit: f.unit)
            if fromRTU != expected || fromTCP != expected {
                failures.append("case \(f.n) \(request) unit \(f.unit): pymodbus \(expected), RTU \(fromRTU), TCP \(fromTCP); frame \(f.rtu)")
            }
            // pymodbus's unit and ours: a reply read as another unit's is refused.
            let other = f.unit == 247 ? 1 : f.unit + 1
            if case .failure(let fault) = ReplyDecoder.decode(Array(rtu.dropLast(2)), for: request, unit: other), fault.code == .unitMismatch {
            } else {
                failures.append("case \(f.n): a reply of unit \(f.unit) was accepted for unit \(other)")
            }
        }
        #expect(failures.isEmpty, "seed \(Self.seed): \(failures.count) mismatches, first: \(failures.prefix(5).joined(separator: "\n"))")
        #expect(kinds == ["coil", "discrete_input", "holding", "input"])
        #expect(exceptions == Set(Self.specExceptions.keys), "exception codes covered: \(exceptions.sorted())")
    }

    /// A frame written by hand and what the spec says it means.
    struct SpecCase: CustomStringConvertible {
        var name: String
        var request: ModbusRequest
        var unit: UInt8
        var frame: [UInt8]
        var expected: Result<[UInt16], ReplyFault>
        var description: String { name }
    }

    static func bits(_ s: String) -> [UInt16] { s.compactMap { $0 == "1" ? 1 : $0 == "0" ? 0 : nil } }

    /// The worked examples of the spec (§6.1–6.4), every read exception the spec defines, and
    /// malformed frames with the exact class and message the driver must give.
    static let specCases: [SpecCase] = {
        let coils = ModbusRequest(kind: .coil, start: 19, count: 19)  // §6.1: coils 20–38
        let inputs = ModbusRequest(kind: .discreteInput, start: 196, count: 22)  // §6.2: inputs 197–218
        let holding = ModbusRequest(kind: .holding, start: 107, count: 3)  // §6.3: registers 108–110
        let input = ModbusRequest(kind: .input, start: 8, count: 1)  // §6.4: register 9
        var cases: [SpecCase] = [
            // §6.1: CD 6B 05 = coils 27…20, 35…28, and 38…36 (LSB = lowest address).
            SpecCase(
                name: "§6.1 read coils 20-38", request: coils, unit: 1, frame: [1, 0x01, 0x03, 0xCD, 0x6B, 0x05],
                expected: .success(bits("10110011" + "11010110" + "101"))),
            // §6.2: AC DB 35 = inputs 204…197, 212…205, 218…213.
            SpecCase(
                name: "§6.2 read discrete inputs 197-218", request: inputs, unit: 1, frame: [1, 0x02, 0x03, 0xAC, 0xDB, 0x35],
                expected: .success(bits("00110101" + "11011011" + "101011"))),
            SpecCase(
                name: "§6.3 read holding registers 108-110", request: holding, unit: 1,
                frame: [1, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64], expected: .success([555, 0, 100])),
            SpecCase(
                name: "§6.4 read input register 9", request: input, unit: 1, frame: [1, 0x04, 0x02, 0x00, 0x0A], expected: .success([10])),
            SpecCase(
                name: "all-ones and sign bit registers", request: ModbusRequest(kind: .holding, start: 0, count: 2), unit: 247,
                frame: [247, 0x03, 0x04, 0xFF, 0xFF, 0x80, 0x00], expected: .success([0xFFFF, 0x8000])),
            SpecCase(
                name: "one coil, padding bits set", request: ModbusRequest(kind: .coil, start: 0, count: 1), unit: 1,
                frame: [1, 0x01, 0x01, 0xFE], expected: .success([0])),
        ]
        // §7: every read function's exception (function + 0x80) with the codes of a read.
        for (function, request) in [(UInt8(1), coils), (2, inputs), (3, holding), (4, input)] {
            for (code, meaning) in [
                (UInt8(0x01), ModbusException.illegalFunction), (0x02, .illegalAddress), (0x03, .illegalValue),
                (0x04, .deviceFailure), (0x0B, .gatewayTargetFailedToRespond),
            ] {
                cases.append(
                    SpecCase(
                        name: String(format: "exception %02X code %02X", function | 0x80, code), request: request, unit: 3,
                        frame: [3, function | 0x80, code], expected: .failure(ReplyFault(.exception(meaning), meaning.description))))
            }
        }
        cases += [
            SpecCase(
                name: "exception code the spec does not define", request: input, unit: 1, frame: [1, 0x84, 0x0C],
                expected: .failure(ReplyFault(.exception(.other(0x0C)), "exception code 12"))),
            SpecCase(name: "empty reply", request: input, unit: 1, frame: [], expected: .failure(ReplyFault(.truncated, "reply of 0 byte(s)"))),
            SpecCase(name: "unit id only", request: input, unit: 1, frame: [1], expected: .failure(ReplyFault(.truncated, "reply of 1 byte(s)"))),
            SpecCase(
                name: "no byte count", request: holding, unit: 1, frame: [1, 0x03],
                expected: .failure(ReplyFault(.truncated, "reply without a byte count"))),
            SpecCase(
                name: "another unit's reply", request: input, unit: 1, frame: [2, 0x04, 0x02, 0x00, 0x0A],
                expected: .failure(ReplyFault(.unitMismatch, "reply from unit 2, asked unit 1"))),
            SpecCase(
                name: "holding reply to an input request", request: input, unit: 1, frame: [1, 0x03, 0x02, 0x00, 0x0A],
                expected: .failure(ReplyFault(.functionMismatch, "reply function 3, asked 4"))),
            SpecCase(
                name: "another function's exception", request: input, unit: 1, frame: [1, 0x83, 0x02],
                expected: .failure(ReplyFault(.functionMismatch, "reply function 131, asked 4"))),
            SpecCase(
                name: "exception without its code", request: input, unit: 1, frame: [1, 0x84],
                expected: .failure(ReplyFault(.malformedException, "exception reply of 2 bytes, expected 3"))),
            SpecCase(
                name: "exception with a trailing byte", request: input, unit: 1, frame: [1, 0x84, 0x02, 0x00],
                expected: .failure(ReplyFault(.malformedException, "exception reply of 4 bytes, expected 3"))),
            SpecCase(
                name: "byte count larger than the data (truncated data)", request: holding, unit: 1,
                frame: [1, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00],
                expected: .failure(ReplyFault(.byteCountMismatch, "byte count 6 but 4 data bytes"))),
            SpecCase(
                name: "byte count smaller than the data", request: holding, unit: 1,
                frame: [1, 0x03, 0x04, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64],
                expected: .failure(ReplyFault(.byteCountMismatch, "byte count 4 but 6 data bytes"))),
            SpecCase(
                name: "consistent frame, one register short", request: holding, unit: 1, frame: [1, 0x03, 0x04, 0x02, 0x2B, 0x00, 0x00],
                expected: .failure(ReplyFault(.quantityMismatch, "4 data bytes for 3 holding registers, expected 6"))),
            SpecCase(
                name: "odd byte count for registers", request: input, unit: 1, frame: [1, 0x04, 0x03, 0x00, 0x0A, 0x00],
                expected: .failure(ReplyFault(.quantityMismatch, "3 data bytes for 1 input registers, expected 2"))),
            SpecCase(
                name: "coils: a byte too many", request: coils, unit: 1, frame: [1, 0x01, 0x04, 0xCD, 0x6B, 0x05, 0x00],
                expected: .failure(ReplyFault(.quantityMismatch, "4 data bytes for 19 coils, expected 3"))),
            SpecCase(
                name: "discrete inputs: zero bytes", request: inputs, unit: 1, frame: [1, 0x02, 0x00],
                expected: .failure(ReplyFault(.quantityMismatch, "0 data bytes for 22 discrete inputs, expected 3"))),
        ]
        return cases
    }()

    @Test("spec examples, every read exception, and malformed frames: the exact class and message", arguments: specCases)
    func specFrames(_ c: SpecCase) {
        #expect(ReplyDecoder.decode(c.frame, for: c.request, unit: c.unit) == c.expected, "frame \(Hex.text(c.frame))")
    }
}
