#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the handshake from the
/// backlog) but never answers a byte: requests to it run into their response timeout.
public final class SilentListener: @unchecked Sendable {
    /// The port.
    public let port: Int
    private var fd: Int32

    /// Binds and listens on a free loopback port.
    public init() {
        guard let (fd, port) = FreePort.bound(type: Int32(SOCK_STREAM.rawValue), listen: true) else {
            preconditionFailure("bind/listen failed: errno \(errno)")
        }
        self.fd = fd
        self.port = port
    }

    /// Stops listening.
    public func close() {
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    deinit { close() }
}
