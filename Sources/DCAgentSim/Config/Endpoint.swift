import Foundation

/// Where a simulated device listens: `tcp://HOST:PORT` (Modbus) or `udp://HOST:PORT` (SNMP).
struct Endpoint: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `tcp` or `udp`.
    let scheme: String
    /// Host or IPv4 address.
    let host: String
    /// Port.
    let port: Int

    /// Parses `scheme://host:port`; nil when it is not of that form.
    init?(_ text: String) {
        guard let sep = text.range(of: "://") else { return nil }
        let scheme = String(text[..<sep.lowerBound])
        let rest = text[sep.upperBound...]
        guard scheme == "tcp" || scheme == "udp", let colon = rest.lastIndex(of: ":"),
            let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        let host = String(rest[..<colon])
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    var description: String { "\(scheme)://\(host):\(port)" }
}
