import Telemetry
import CModbus

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libmodbus context. Not thread-safe: a ``ModbusBus`` owns it and touches it only from its
/// own serial queue (a libmodbus context belongs to one thread at a time). Every call blocks.
final class ModbusContext {
    let endpoint: ModbusEndpoint
    let timeouts: ModbusTimeouts
    private var ctx: OpaquePointer?

    init(endpoint: ModbusEndpoint, timeouts: ModbusTimeouts) {
        self.endpoint = endpoint
        self.timeouts = timeouts
    }

    deinit { close() }

    var isOpen: Bool { ctx != nil }

    /// Opens the connection (TCP connect, or serial port setup); nil on success.
    func open() -> RequestFailure? {
        close()
        let made: OpaquePointer?
        switch endpoint {
        case .tcp(let host, let port):
            made = modbus_new_tcp_pi(host, String(port))
        case .rtu(let s):
            made = modbus_new_rtu(s.device, Int32(s.baud), s.parity.libmodbusCode, Int32(s.dataBits), Int32(s.stopBits))
        }
        guard let c = made else {
            return RequestFailure(.connection, "cannot set up \(endpoint): \(Self.lastError())")
        }
        Self.apply(timeouts.response) { modbus_set_response_timeout(c, $0, $1) }
        Self.apply(timeouts.byte) { modbus_set_byte_timeout(c, $0, $1) }
        guard modbus_connect(c) == 0 else {
            let why = Self.lastError()
            modbus_free(c)
            return RequestFailure(.connection, "cannot connect to \(endpoint): \(why)")
        }
        ctx = c
        return nil
    }

    func close() {
        guard let c = ctx else { return }
        modbus_close(c)
        modbus_free(c)
        ctx = nil
    }

    /// Sends one read request and returns the units of its reply, or why there are none.
    func transact(_ request: ModbusRequest, unit: Int) -> Result<[UInt16], RequestFailure> {
        if ctx == nil, let failure = open() { return .failure(failure) }
        guard let c = ctx else { return .failure(RequestFailure(.connection, "not connected")) }
        modbus_set_slave(c, Int32(unit))
        // On a serial line, drop what a garbled or late reply left behind: read as the start of
        // this reply, it would spoil the next poll too.
        if isSerial { _ = modbus_flush(c) }
        let raw = [UInt8(unit)] + request.pdu
        guard modbus_send_raw_request(c, raw, Int32(raw.count)) != -1 else {
            return .failure(failure(sending: true))
        }
        // Wait for the reply's first byte here, so that a frame that starts and then stops short
        // (what a wrong baud rate or parity makes of a reply) is told apart from no reply at all:
        // inside libmodbus both end in the same ETIMEDOUT.
        guard Self.waitReadable(modbus_get_socket(c), within: timeouts.response) else {
            return .failure(RequestFailure(.timeout, "no reply within the response timeout"))
        }
        var reply = [UInt8](repeating: 0, count: Int(DCA_MODBUS_TCP_MAX_ADU_LENGTH))
        let length = Int(modbus_receive_confirmation(c, &reply))
        // On RTU, libmodbus returns 0 (errno untouched) for a frame whose first byte is another
        // unit id, and 3.1.6 does so before it checks the CRC: check it here, so that noise is not
        // taken for another device's answer.
        if length == 0, isSerial {
            let read = Self.rtuFrameLength(reply)
            guard read <= reply.count, Self.crc16(reply[..<(read - 2)]) == UInt16(reply[read - 2]) | UInt16(reply[read - 1]) << 8 else {
                return .failure(RequestFailure(.corrupted, "garbled reply: Invalid CRC (check the baud rate, parity and wiring)"))
            }
            return .failure(RequestFailure(ReplyFault(.unitMismatch, "reply from unit \(reply[0]), asked unit \(unit)")))
        }
        guard length > 0 else { return .failure(failure(sending: false, replyStarted: true)) }
        // Strip the transport: MBAP header before the unit id (TCP), CRC after the PDU (RTU).
        let header = Int(modbus_get_header_length(c))
        let trailer: Int
        if case .rtu = endpoint { trailer = 2 } else { trailer = 0 }
        guard length >= header + trailer else {
            return .failure(RequestFailure(ReplyFault(.truncated, "reply of \(length) bytes")))
        }
        let frame = Array(reply[(header - 1)..<(length - trailer)])
        return ReplyDecoder.decode(frame, for: request, unit: UInt8(unit)).mapError(RequestFailure.init)
    }

    private var isSerial: Bool {
        if case .rtu = endpoint { return true }
        return false
    }

    private func failure(sending: Bool, replyStarted: Bool = false) -> RequestFailure {
        let e = dca_errno()
        let what = sending ? "send" : "receive"
        let hint = isSerial ? " (check the baud rate, parity and wiring)" : ""
        switch e {
        case ETIMEDOUT where replyStarted: return RequestFailure(.corrupted, "garbled reply: the frame stopped short\(hint)")
        case ETIMEDOUT: return RequestFailure(.timeout, "no reply within the response timeout")
        case Int32(DCA_EMBBADCRC): return RequestFailure(.corrupted, "garbled reply: \(Self.lastError(e))\(hint)")
        case Int32(DCA_EMBBADDATA), Int32(DCA_EMBMDATA):
            return RequestFailure(.corrupted, "\(what): \(Self.lastError(e))")
        default: return RequestFailure(.connection, "\(what): \(Self.lastError(e))")
        }
    }

    /// The length libmodbus reads for a reply frame on RTU: unit and function, then one meta byte
    /// (four for the single and multiple writes, six for mask write), the data a byte count of a
    /// read function announces, and the CRC.
    private static func rtuFrameLength(_ frame: [UInt8]) -> Int {
        let function = frame[1]
        let meta = [5, 6, 15, 16].contains(function) ? 4 : function == 22 ? 6 : 1
        let data = function <= 4 || function == 17 || function == 23 ? Int(frame[2]) : 0
        return 2 + meta + data + 2
    }

    /// Modbus RTU's CRC-16 (polynomial 0xA001 reflected, preset 0xFFFF).
    private static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for b in bytes {
            crc ^= UInt16(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }

    /// True when `fd` has a byte to read (or an end of file or error to report) within `timeout`.
    private static func waitReadable(_ fd: Int32, within timeout: Duration) -> Bool {
        guard fd >= 0 else { return true }  // let libmodbus report it
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let (s, atto) = (deadline - ContinuousClock.now).components
            let rc = poll(&p, 1, Int32(clamping: max(0, s * 1000 + atto / 1_000_000_000_000_000)))
            if rc >= 0 || errno != EINTR { return rc != 0 }
        }
    }

    private static func lastError(_ e: Int32 = dca_errno()) -> String { String(cString: modbus_strerror(e)) }

    private static func apply(_ d: Duration, _ set: (UInt32, UInt32) -> Int32) {
        let (s, atto) = d.components
        _ = set(UInt32(clamping: s), UInt32(clamping: atto / 1_000_000_000_000))
    }
}
