import CModbus
import Foundation

/// One libmodbus TCP server (server mode) for one endpoint, on its own thread so it never
/// blocks the Swift cooperative pool. A poll(2) loop watches the listening socket and every
/// client; each request is answered from the mapping of its unit id, an unknown unit gets
/// exception 0x0B (gateway target failed to respond), an offline unit gets no reply.
final class ModbusTCPServer: @unchecked Sendable {
    /// Clients waiting in the listen backlog.
    static let backlog: Int32 = 32
    /// A client that stalls mid-request is dropped after this long.
    static let indicationTimeout: UInt32 = 2
    /// How often the loop looks at the stop flag, ms.
    static let pollInterval: Int32 = 200

    let endpoint: Endpoint
    let units: ModbusUnitTable
    /// Counts every request received, when a benchmark asks (`serve-bench --stats`).
    let stats: RequestStats?
    private let lock = NSLock()
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private var context: OpaquePointer?
    private var listenSocket: Int32 = -1

    /// A server for `endpoint`; call ``start()`` to listen.
    init(endpoint: Endpoint, units: ModbusUnitTable, stats: RequestStats? = nil) {
        self.endpoint = endpoint
        self.units = units
        self.stats = stats
    }

    /// Binds and listens on the calling thread (so a busy port fails here), then serves on a new thread.
    func start() throws {
        guard let ctx = modbus_new_tcp_pi(endpoint.host, String(endpoint.port)) else {
            throw SimError.server(endpoint: endpoint.description, "modbus_new_tcp_pi: \(Self.lastError())")
        }
        let s = modbus_tcp_pi_listen(ctx, Self.backlog)
        guard s >= 0 else {
            let reason = Self.lastError()
            modbus_free(ctx)
            throw SimError.server(endpoint: endpoint.description, "cannot listen: \(reason)")
        }
        modbus_set_indication_timeout(ctx, Self.indicationTimeout, 0)
        context = ctx
        listenSocket = s
        let thread = Thread { [self] in
            if let ctx = context { serve(ctx, listening: listenSocket) }
            finished.signal()
        }
        thread.name = "modbus \(endpoint)"
        thread.start()
    }

    /// Asks the loop to stop and waits until it has closed every socket.
    func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping && context != nil
        }
        guard wasRunning else { return }
        finished.wait()
    }

    private var shouldStop: Bool { lock.withLock { stopping } }

    private func serve(_ ctx: OpaquePointer, listening: Int32) {
        var fds = [pollfd(fd: listening, events: Int16(POLLIN), revents: 0)]
        var query = [UInt8](repeating: 0, count: Int(DCA_MODBUS_TCP_MAX_ADU_LENGTH))
        let headerLength = Int(modbus_get_header_length(ctx))
        while !shouldStop {
            let ready = poll(&fds, nfds_t(fds.count), Self.pollInterval)
            guard ready > 0 else { continue }
            var kept = [fds[0]]
            for client in fds.dropFirst() {
                guard client.revents != 0 else {
                    kept.append(client)
                    continue
                }
                modbus_set_socket(ctx, client.fd)
                let n = modbus_receive(ctx, &query)
                if n > 0 {
                    if let stats {
                        query.withUnsafeBufferPointer {
                            stats.record(adu: UnsafeBufferPointer(rebasing: $0[0..<Int(n)]), headerLength: headerLength)
                        }
                    }
                    answer(ctx, query: &query, length: n, unit: query[headerLength - 1])
                } else if n < 0 {
                    close(client.fd)  // hung up or broke the protocol
                    continue
                }
                // n == 0: a request to ignore; keep the connection.
                kept.append(client)
            }
            // Accept only after closed sockets left the list: accept(2) may reuse their numbers.
            if fds[0].revents & Int16(POLLIN) != 0 {
                let client = accept(listening, nil, nil)
                if client >= 0 { kept.append(pollfd(fd: client, events: Int16(POLLIN), revents: 0)) }
            }
            fds = kept
            for i in fds.indices { fds[i].revents = 0 }
        }
        for f in fds.dropFirst() { close(f.fd) }
        close(listening)
        modbus_set_socket(ctx, -1)
        modbus_free(ctx)
    }

    private func answer(_ ctx: OpaquePointer, query: inout [UInt8], length: Int32, unit: UInt8) {
        units.withAnswer(unit: unit) { answer in
            switch answer {
            case .mapping(let m): _ = modbus_reply(ctx, query, length, m)
            case .silent: break
            case .unknown: _ = modbus_reply_exception(ctx, query, UInt32(MODBUS_EXCEPTION_GATEWAY_TARGET))
            }
        }
    }

    private static func lastError() -> String { String(cString: modbus_strerror(dca_errno())) }
}
