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
        let raw = [UInt8(unit)] + request.pdu
        guard modbus_send_raw_request(c, raw, Int32(raw.count)) != -1 else {
            return .failure(Self.failure(sending: true))
        }
        var reply = [UInt8](repeating: 0, count: Int(DCA_MODBUS_TCP_MAX_ADU_LENGTH))
        let length = Int(modbus_receive_confirmation(c, &reply))
        guard length > 0 else { return .failure(Self.failure(sending: false)) }
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

    private static func failure(sending: Bool) -> RequestFailure {
        let e = dca_errno()
        let what = sending ? "send" : "receive"
        switch e {
        case ETIMEDOUT: return RequestFailure(.timeout, "no reply within the response timeout")
        case Int32(DCA_EMBBADCRC), Int32(DCA_EMBBADDATA), Int32(DCA_EMBMDATA):
            return RequestFailure(.corrupted, "\(what): \(lastError(e))")
        default: return RequestFailure(.connection, "\(what): \(lastError(e))")
        }
    }

    private static func lastError(_ e: Int32 = dca_errno()) -> String { String(cString: modbus_strerror(e)) }

    private static func apply(_ d: Duration, _ set: (UInt32, UInt32) -> Int32) {
        let (s, atto) = d.components
        _ = set(UInt32(clamping: s), UInt32(clamping: atto / 1_000_000_000_000))
    }
}
