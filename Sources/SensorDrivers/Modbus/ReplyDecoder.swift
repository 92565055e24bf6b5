public import Telemetry

/// Why a reply frame could not be used.
public typealias ReplyFault = CodedFailure<ReplyFaultCode>

/// The error class of a ``ReplyFault``; each case is one error class of ``ReplyDecoder``.
public enum ReplyFaultCode: Hashable, Sendable {
    /// Shorter than unit id + function (+ byte count).
    case truncated
    /// Answered by another unit id than the one asked.
    case unitMismatch
    /// A function code other than the one asked (and not its exception).
    case functionMismatch
    /// A well-formed exception reply.
    case exception(ModbusException)
    /// An exception reply of the wrong length.
    case malformedException
    /// The byte-count field disagrees with the bytes that follow it.
    case byteCountMismatch
    /// A consistent frame carrying another quantity than the one asked.
    case quantityMismatch
}

/// Decodes the PDU of a read reply (unit id, function, byte count, data — transport header and
/// checksum already removed) against the request that asked for it. One path for every table:
/// bit replies are expanded to one unit (0 or 1) per bit so that points index them like registers.
public enum ReplyDecoder {
    /// The units read, or the fault class of the frame.
    public static func decode(_ frame: [UInt8], for request: ModbusRequest, unit: UInt8) -> Result<[UInt16], ReplyFault> {
        guard frame.count >= 2 else {
            return .failure(ReplyFault(.truncated, "reply of \(frame.count) byte(s)"))
        }
        guard frame[0] == unit else {
            return .failure(ReplyFault(.unitMismatch, "reply from unit \(frame[0]), asked unit \(unit)"))
        }
        let function = request.kind.readFunction
        if frame[1] == function | 0x80 {
            guard frame.count == 3 else {
                return .failure(ReplyFault(.malformedException, "exception reply of \(frame.count) bytes, expected 3"))
            }
            let e = ModbusException(code: frame[2])
            return .failure(ReplyFault(.exception(e), e.description))
        }
        guard frame[1] == function else {
            return .failure(ReplyFault(.functionMismatch, "reply function \(frame[1]), asked \(function)"))
        }
        guard frame.count >= 3 else {
            return .failure(ReplyFault(.truncated, "reply without a byte count"))
        }
        let declared = Int(frame[2])
        let data = frame[3...]
        guard data.count == declared else {
            return .failure(ReplyFault(.byteCountMismatch, "byte count \(declared) but \(data.count) data bytes"))
        }
        let expected = request.kind.isBit ? (request.count + 7) / 8 : request.count * 2
        guard declared == expected else {
            return .failure(
                ReplyFault(.quantityMismatch, "\(declared) data bytes for \(request.count) \(request.kind.pluralName), expected \(expected)"))
        }
        if request.kind.isBit {
            return .success((0..<request.count).map { i in UInt16((data[data.startIndex + i / 8] >> UInt8(i % 8)) & 1) })
        }
        return .success(
            stride(from: data.startIndex, to: data.endIndex, by: 2).map { UInt16(data[$0]) << 8 | UInt16(data[$0 + 1]) })
    }

    /// A well-formed reply to `request` carrying `units` (test peers and the property test build frames with it).
    public static func encode(_ units: [UInt16], for request: ModbusRequest, unit: UInt8) -> [UInt8] {
        var frame: [UInt8] = [unit, request.kind.readFunction]
        if request.kind.isBit {
            var bytes = [UInt8](repeating: 0, count: (units.count + 7) / 8)
            for (i, u) in units.enumerated() where u != 0 { bytes[i / 8] |= 1 << UInt8(i % 8) }
            frame.append(UInt8(bytes.count))
            frame += bytes
        } else {
            frame.append(UInt8(units.count * 2))
            for u in units { frame += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        }
        return frame
    }
}
