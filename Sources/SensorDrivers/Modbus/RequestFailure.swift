public import Telemetry

/// Why one request of a poll gave no units. Maps to a reading's bad quality.
public typealias RequestFailure = CodedFailure<RequestFailureCode>

/// The failure class of a ``RequestFailure``.
public enum RequestFailureCode: Hashable, Sendable {
    /// No reply within the response timeout (or a byte timeout mid-frame).
    case timeout
    /// The connection could not be opened or broke (refused, reset, serial port gone).
    case connection
    /// The reply failed its checksum or framing (RTU CRC error, garbled bytes).
    case corrupted
    /// A reply came but could not be used (see ``ReplyFault``).
    case reply(ReplyFault.Code)
    /// The poll was cancelled before the request ran.
    case cancelled
}

extension RequestFailure {
    /// A failure from a reply fault.
    public init(_ fault: ReplyFault) { self.init(.reply(fault.code), fault.detail) }

    /// True when the device could not be talked to at all (as opposed to a bad answer).
    public var isTransport: Bool {
        switch code {
        case .timeout, .connection: true
        case .corrupted, .reply, .cancelled: false
        }
    }

    /// The Modbus exception, when the device answered with one.
    public var exception: ModbusException? {
        if case .reply(.exception(let e)) = code { return e }
        return nil
    }

    /// The quality reason stored with the bad readings of this request.
    public var qualityReason: String {
        if let e = exception, e.isConfigurationProblem { return "configuration: \(e)" }
        return detail
    }
}
