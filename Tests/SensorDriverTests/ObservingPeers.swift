import Foundation
import Telemetry
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

// Peers that observe what a client does, so that tests assert what happened (how many requests
// were in flight at once, how many datagrams were sent) rather than how long it took.

/// A Modbus TCP peer on one or more loopback ports that holds every request until `quorum`
/// requests are outstanding at once, across all its ports and connections, and then answers them
/// all (function 3 and 4: every register 42) — or, with `dwell`, answers a request alone once it
/// has held it that long. A request whose connection the client closes while it is held no longer
/// counts. The peer records the most requests it ever held at once, so a test sees concurrency
/// where it happens: clients that overlap are answered together (without `dwell`, only then);
/// a client that sends one request at a time never has two held, however slow the machine.
final class RendezvousModbusPeer: @unchecked Sendable {
    /// The listening ports, one per `ports` asked for.
    let ports: [Int]
    private let quorum: Int
    private let dwell: Double?

    /// One accepted connection. Its reader thread reads requests as they come (a client that
    /// pipelines requests on one connection has them all held); each request is held on a thread
    /// of its own. `closed` and `holders` are guarded by the peer's `cond`.
    private final class Connection: @unchecked Sendable {
        let fd: Int32
        let sendLock = NSLock()
        var closed = false
        var holders = 0
        init(_ fd: Int32) { self.fd = fd }
    }

    // Everything below is guarded by `cond`.
    private let cond = NSCondition()
    private var held: [Int: Connection] = [:]  // request id → its connection
    private var generation = 0
    private var nextID = 0
    private var mostHeld = 0
    private var requestCount = 0
    private var connections: [Connection] = []
    private var stopped = false

    /// The most requests held at the same moment.
    var maxOutstanding: Int { cond.withLock { mostHeld } }
    /// Requests received so far.
    var requests: Int { cond.withLock { requestCount } }

    init(ports count: Int, quorum: Int, dwell: Duration? = nil) throws {
        self.quorum = quorum
        self.dwell = dwell?.inSeconds
        var fds: [Int32] = []
        var ports: [Int] = []
        for _ in 0..<count {
            guard let (fd, port) = FreePort.bound(type: Int32(SOCK_STREAM.rawValue), listen: true) else {
                throw PeerError(text: "bind/listen failed: \(errno)")
            }
            fds.append(fd)
            ports.append(port)
        }
        self.ports = ports
        for fd in fds {
            Thread { [self] in acceptLoop(fd) }.start()
        }
    }

    deinit { stop() }

    /// Stops listening and drops every connection; held requests are never answered.
    func stop() {
        let open: [Connection] = cond.withLock {
            if stopped { return [] }
            stopped = true
            cond.broadcast()
            return connections
        }
        for c in open { shutdown(c.fd, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { cond.withLock { stopped } }

    private func acceptLoop(_ listener: Int32) {
        defer { close(listener) }
        while !isStopped {
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) == 1 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            let connection = Connection(fd)
            let admitted = cond.withLock {
                if stopped { return false }
                connections.append(connection)
                return true
            }
            guard admitted else {
                close(fd)
                return
            }
            Thread { [self] in readRequests(connection) }.start()
        }
    }

    /// Reads requests until the client closes; hands each to a thread that holds and answers it.
    private func readRequests(_ c: Connection) {
        while let header = Self.read(c.fd, 7) {
            let length = Int(header[4]) << 8 | Int(header[5])
            guard length >= 2, let pdu = Self.read(c.fd, length - 1) else { break }
            cond.withLock { c.holders += 1 }
            Thread { [self] in
                if hold(c) {
                    let reply = Self.reply(header: header, pdu: pdu)
                    c.sendLock.withLock {
                        _ = reply.withUnsafeBytes { send(c.fd, $0.baseAddress, reply.count, Int32(MSG_NOSIGNAL)) }
                    }
                }
                cond.withLock {
                    c.holders -= 1
                    cond.broadcast()
                }
            }.start()
        }
        // The client closed (or the peer stopped): its held requests no longer count; the socket
        // is closed once no thread answers on it any more.
        cond.withLock {
            c.closed = true
            cond.broadcast()
            while c.holders > 0 { cond.wait() }
            connections.removeAll { $0 === c }
        }
        close(c.fd)
    }

    /// Holds one request of `c` until a quorum is outstanding (or for `dwell`); false when the
    /// client closed the connection meanwhile or the peer stopped.
    private func hold(_ c: Connection) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        requestCount += 1
        // Requests whose client gave up and closed the connection are no longer outstanding
        // (checked on the socket too: the reader thread may not have seen the end yet).
        held = held.filter { !$0.value.closed && !Self.closedByPeer($0.value.fd) }
        let id = nextID
        nextID += 1
        held[id] = c
        mostHeld = max(mostHeld, held.count)
        if held.count >= quorum {
            held.removeAll()
            generation += 1
            cond.broadcast()
            return true
        }
        let mine = generation
        let until = dwell.map { Date().addingTimeInterval($0) }
        while generation == mine {
            if stopped || held[id] == nil || c.closed {
                held[id] = nil
                return false
            }
            if let until, Date() >= until {
                held[id] = nil
                return true
            }
            _ = cond.wait(until: Date().addingTimeInterval(0.02))
        }
        return true
    }

    /// True when the other end has closed the connection (an orderly EOF is queued next).
    private static func closedByPeer(_ fd: Int32) -> Bool {
        var b: UInt8 = 0
        let n = recv(fd, &b, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    private static func read(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return out
    }

    /// The answer to one request: registers of 42 for reads of holding or input registers,
    /// ILLEGAL FUNCTION for anything else.
    private static func reply(header: [UInt8], pdu: [UInt8]) -> [UInt8] {
        let function = pdu[0]
        var body: [UInt8]
        if (function == 3 || function == 4) && pdu.count >= 5 {
            let count = Int(pdu[3]) << 8 | Int(pdu[4])
            body = [function, UInt8(truncatingIfNeeded: 2 * count)]
            for _ in 0..<count { body += [0, 42] }
        } else {
            body = [function | 0x80, 1]
        }
        let length = body.count + 1
        return Array(header[0..<4]) + [UInt8(length >> 8), UInt8(length & 0xFF), header[6]] + body
    }
}

/// A UDP port on 127.0.0.1 that never answers and counts the datagrams sent to it. Loopback
/// delivery happens inside `sendto`, so a client's datagrams are all queued here by the time
/// the client has returned: `drain()` counts them without waiting.
final class CountingUDPListener: @unchecked Sendable {
    let port: UInt16
    private var fd: Int32

    init() throws {
        guard let (fd, port) = FreePort.bound(type: Int32(SOCK_DGRAM.rawValue)) else { throw PeerError(text: "bind failed: \(errno)") }
        self.fd = fd
        self.port = UInt16(port)
    }

    /// Reads every datagram queued now, without waiting; returns how many there were.
    func drain() -> Int {
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) >= 0 { count += 1 }
        return count
    }

    func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}
