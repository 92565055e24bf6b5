#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Free loopback ports for test peers: bind port 0 on 127.0.0.1, read the port the kernel
/// chose, close. (A peer that can report its own port is better still; this is the fallback.)
public enum FreePort {
    /// A TCP port that was free a moment ago.
    public static func tcp() -> Int { pick(type: Int32(SOCK_STREAM.rawValue)) }
    /// A UDP port that was free a moment ago.
    public static func udp() -> Int { pick(type: Int32(SOCK_DGRAM.rawValue)) }

    private static func pick(type: Int32) -> Int {
        guard let (fd, port) = bound(type: type) else { preconditionFailure("cannot bind a loopback socket: errno \(errno)") }
        close(fd)
        return port
    }

    /// A socket of `type` bound to 127.0.0.1 on a port the kernel chose (and listening, for a
    /// TCP socket when `listen` is true), with that port; nil (errno set) when it cannot be made.
    /// The caller owns the descriptor.
    public static func bound(type: Int32, listen backlog: Bool = false) -> (fd: Int32, port: Int)? {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { return nil }
        var addr = loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && (!backlog || listen(fd, 16) == 0) && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else {
            let saved = errno
            close(fd)
            errno = saved
            return nil
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    /// A `sockaddr_in` for 127.0.0.1:port.
    static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return addr
    }

    /// True when something accepts TCP connections on 127.0.0.1:port.
    public static func acceptsTCP(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Sends `probe` to 127.0.0.1:port over UDP and reports whether any reply came within `timeoutMs`.
    public static func answersUDP(_ port: Int, probe: [UInt8], timeoutMs: Int = 200) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        let sent = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, probe, probe.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == probe.count else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeoutMs)) == 1 else { return false }
        var buffer = [UInt8](repeating: 0, count: 2048)
        return recv(fd, &buffer, buffer.count, 0) > 0
    }
}
