import Telemetry
import SensorDrivers
import TestSupport
import Testing

/// Mutates valid reply frames and checks that every error class of the decoder is reached and
/// each mutated frame lands in the class its mutation predicts — and that nothing traps.
@Suite("Reply frames: malformed replies are classified, never crash", .timeLimit(.minutes(1)))
struct ReplyDecoderPropertyTests {
    /// The error classes, plus `ok` for frames that still decode.
    enum Class: Hashable, CaseIterable {
        case ok, truncated, unitMismatch, functionMismatch, exception, malformedException, byteCountMismatch, quantityMismatch
    }

    static func classOf(_ r: Result<[UInt16], ReplyFault>) -> Class {
        switch r {
        case .success: .ok
        case .failure(let f):
            switch f.code {
            case .truncated: .truncated
            case .unitMismatch: .unitMismatch
            case .functionMismatch: .functionMismatch
            case .exception: .exception
            case .malformedException: .malformedException
            case .byteCountMismatch: .byteCountMismatch
            case .quantityMismatch: .quantityMismatch
            }
        }
    }

    enum Mutation: CaseIterable {
        case none, flipDataByte, truncateToHeader, changeUnit, changeFunction, exceptionReply, longExceptionReply
        case dropTail, appendBytes, consistentWrongQuantity
    }

    @Test("10 000+ mutated frames land in the predicted class; every class is hit")
    func mutatedFrames() {
        var rng = SplitMix64(seed: 0xDCA6)
        var hits: [Class: Int] = [:]
        let rounds = 12_000
        for _ in 0..<rounds {
            let kind = RegisterKind.allCases[Int(rng.next() % 4)]
            let count = Int(rng.next() % UInt64(kind.isBit ? 40 : 20)) + 1
            let request = ModbusRequest(kind: kind, start: Int(rng.next() % 1000), count: count)
            let unit = UInt8(rng.next() % 247 + 1)
            let units = (0..<count).map { _ in kind.isBit ? UInt16(rng.next() % 2) : UInt16(truncatingIfNeeded: rng.next()) }
            var frame = ReplyDecoder.encode(units, for: request, unit: unit)
            let mutation = Mutation.allCases[Int(rng.next() % UInt64(Mutation.allCases.count))]
            let expected: Class
            switch mutation {
            case .none:
                expected = .ok
                #expect(ReplyDecoder.decode(frame, for: request, unit: unit) == .success(units))
            case .flipDataByte:
                frame[3 + Int(rng.next() % UInt64(frame.count - 3))] ^= UInt8(rng.next() % 255 + 1)
                expected = .ok
            case .truncateToHeader:
                frame = Array(frame.prefix(Int(rng.next() % 3)))
                expected = .truncated
                if frame.count >= 1, rng.next() % 2 == 0 { frame[0] = unit }
            case .changeUnit:
                frame[0] = unit &+ UInt8(rng.next() % 254 + 1)
                if frame[0] == unit { frame[0] &+= 1 }
                expected = .unitMismatch
            case .changeFunction:
                var f = UInt8(rng.next() % 0x7F + 1)
                if f == kind.readFunction { f = f % 0x7F + 1 }
                frame[1] = f
                expected = .functionMismatch
            case .exceptionReply:
                frame = [unit, kind.readFunction | 0x80, UInt8(rng.next() % 12)]
                expected = .exception
            case .longExceptionReply:
                frame = [unit, kind.readFunction | 0x80] + (0..<Int(rng.next() % 4 + 2)).map { _ in UInt8(rng.next() % 256) }
                if rng.next() % 3 == 0 { frame = [unit, kind.readFunction | 0x80] }
                expected = .malformedException
            case .dropTail:
                frame.removeLast(Int(rng.next() % UInt64(frame.count - 3)) + 1)
                expected = frame.count < 3 ? .truncated : .byteCountMismatch
            case .appendBytes:
                frame += (0..<Int(rng.next() % 5 + 1)).map { _ in UInt8(rng.next() % 256) }
                expected = .byteCountMismatch
            case .consistentWrongQuantity:
                let bytes = Int(frame[2])
                var n = Int(rng.next() % 60)
                if n == bytes { n += 1 }
                frame = [unit, kind.readFunction, UInt8(n)] + (0..<n).map { _ in UInt8(rng.next() % 256) }
                expected = .quantityMismatch
            }
            let got = Self.classOf(ReplyDecoder.decode(frame, for: request, unit: unit))
            #expect(got == expected, "mutation \(mutation) of \(request): frame \(frame)")
            hits[got, default: 0] += 1
        }
        #expect(hits.values.reduce(0, +) == rounds)
        for c in Class.allCases { #expect(hits[c, default: 0] > 0, "class \(c) never reached") }
    }

    @Test("exception codes map to their meaning, and the configuration ones are flagged")
    func exceptions() {
        let request = ModbusRequest(kind: .input, start: 0, count: 1)
        for (code, e) in [(UInt8(2), ModbusException.illegalAddress), (6, .deviceBusy), (4, .deviceFailure), (0x0B, .gatewayTargetFailedToRespond), (0x42, .other(0x42))] {
            let r = ReplyDecoder.decode([7, 0x84, code], for: request, unit: 7)
            #expect(r == .failure(ReplyFault(.exception(e), e.description)))
            #expect(e.code == code)
        }
        #expect(ModbusException.illegalAddress.isConfigurationProblem)
        #expect(!ModbusException.deviceBusy.isConfigurationProblem && ModbusException.deviceBusy.isTransient)
    }

    @Test("bit replies: LSB first, padding bits ignored")
    func bitReplies() {
        let request = ModbusRequest(kind: .discreteInput, start: 0, count: 10)
        #expect(ReplyDecoder.decode([1, 2, 2, 0b1000_0101, 0b1111_1110], for: request, unit: 1) == .success([1, 0, 1, 0, 0, 0, 0, 1, 0, 1]))
    }
}
