extension SNMPTarget {
    /// Creates a target from a config endpoint: `udp://HOST:PORT`, `udp://HOST` (port 161),
    /// `HOST:PORT`, or `udp://[IPv6]:PORT`; nil when the text is not one of those.
    public init?(endpoint: String, version: SNMPVersion, timeout: Double = 1.0, retries: Int = 1) {
        var rest = Substring(endpoint)
        if rest.hasPrefix("udp://") {
            rest = rest.dropFirst(6)
        } else if rest.contains("://") {
            return nil
        }
        var host: Substring
        var portText: Substring?
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
        } else {
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            portText = parts.count > 1 ? parts[1] : nil
        }
        if host.last == "/" { host = host.dropLast() }
        if portText?.last == "/" { portText = portText?.dropLast() }
        guard !host.isEmpty, !host.contains("/") else { return nil }
        var port: UInt16 = 161
        if let portText {
            guard let p = UInt16(portText), p > 0 else { return nil }
            port = p
        }
        self.init(host: String(host), port: port, version: version, timeout: timeout, retries: retries)
    }
}
