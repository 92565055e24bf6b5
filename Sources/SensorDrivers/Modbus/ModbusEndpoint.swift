/// Where a Modbus bus is: a TCP server or gateway, or a serial line for RTU.
/// Several unit ids may sit behind one endpoint; requests to one endpoint are serialised.
public enum ModbusEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// Modbus TCP to a host name or address and port (resolved by `modbus_new_tcp_pi`).
    case tcp(host: String, port: Int)
    /// Modbus RTU over a serial line.
    case rtu(SerialSettings)

    /// Parses `tcp://HOST:PORT` (port 502 when omitted) or
    /// `rtu:///dev/ttyUSB0?baud=9600&parity=even&data=8&stop=1` (defaults 19200, even, 8, 1).
    public init(parsing text: String) throws(ProfileError) {
        func bad(_ why: String) -> ProfileError { ProfileError(.badEndpoint, key: "endpoint", "'\(text)': \(why)") }
        if text.hasPrefix("tcp://") {
            let rest = String(text.dropFirst(6))
            let host: String, port: Int
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {  // [::1]:502
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let tail = rest[rest.index(after: close)...]
                port = tail.isEmpty ? 502 : (tail.first == ":" ? Int(tail.dropFirst()) ?? -1 : -1)
            } else if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                port = Int(rest[rest.index(after: colon)...]) ?? -1
            } else {
                host = rest
                port = 502
            }
            guard !host.isEmpty else { throw bad("no host") }
            guard (1...65_535).contains(port) else { throw bad("port must be 1…65535") }
            self = .tcp(host: host, port: port)
        } else if text.hasPrefix("rtu://") {
            let rest = text.dropFirst(6)
            let parts = rest.split(separator: "?", maxSplits: 1)
            guard let device = parts.first.map(String.init), device.hasPrefix("/") else { throw bad("no serial device path") }
            var s = SerialSettings(device: device)
            for pair in (parts.count > 1 ? parts[1].split(separator: "&") : []) {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw bad("'\(pair)' is not key=value") }
                switch kv[0] {
                case "baud":
                    guard let b = Int(kv[1]), SerialSettings.baudRates.contains(b) else {
                        throw bad("baud '\(kv[1])' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)")
                    }
                    s.baud = b
                case "parity":
                    guard let p = Parity(spelling: kv[1]) else { throw bad("parity '\(kv[1])' (none, even, odd)") }
                    s.parity = p
                case "data":
                    // Modbus RTU sends 8 data bits per character (Modbus over Serial Line §2.5.1.1); 7 is ASCII mode.
                    guard let d = Int(kv[1]), d == 8 else { throw bad("data bits '\(kv[1])': Modbus RTU uses 8") }
                    s.dataBits = d
                case "stop":
                    guard let d = Int(kv[1]), (1...2).contains(d) else { throw bad("stop bits '\(kv[1])' (1 or 2)") }
                    s.stopBits = d
                default: throw bad("unknown option '\(kv[0])'")
                }
            }
            self = .rtu(s)
        } else {
            throw bad("expected tcp://HOST:PORT or rtu:///dev/DEVICE?baud=…")
        }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        case .rtu(let s): "rtu://\(s.device)?baud=\(s.baud)&parity=\(s.parity.rawValue)&data=\(s.dataBits)&stop=\(s.stopBits)"
        }
    }
}

/// Serial line settings of an RTU bus.
public struct SerialSettings: Hashable, Sendable {
    /// The device path (`/dev/ttyUSB0`).
    public var device: String
    /// Bits per second.
    public var baud: Int
    /// Parity; the Modbus spec's default is even.
    public var parity: Parity
    /// Data bits (8 for RTU).
    public var dataBits: Int
    /// Stop bits (1 or 2).
    public var stopBits: Int

    /// The rates libmodbus can set on Linux. It sets 9600 for any other, silently, so the
    /// endpoint parser refuses them.
    public static let baudRates: Set<Int> = [
        110, 300, 600, 1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 500_000, 576_000, 921_600,
        1_000_000, 1_152_000, 1_500_000, 2_500_000, 3_000_000, 3_500_000, 4_000_000,
    ]

    /// Creates settings; defaults are the Modbus-over-serial spec's 19200 8E1.
    public init(device: String, baud: Int = 19_200, parity: Parity = .even, dataBits: Int = 8, stopBits: Int = 1) {
        self.device = device
        self.baud = baud
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
    }
}

/// Serial parity.
public enum Parity: String, Hashable, Sendable, CaseIterable {
    case none, even, odd

    /// Parses `none`/`N`, `even`/`E`, `odd`/`O`.
    public init?(spelling: String) {
        switch spelling.lowercased() {
        case "none", "n", "no": self = .none
        case "even", "e": self = .even
        case "odd", "o": self = .odd
        default: return nil
        }
    }

    /// The character `modbus_new_rtu` takes: `N`, `E` or `O`.
    public var libmodbusCode: CChar {
        switch self {
        case .none: CChar(UInt8(ascii: "N"))
        case .even: CChar(UInt8(ascii: "E"))
        case .odd: CChar(UInt8(ascii: "O"))
        }
    }
}

/// Timeouts of one bus.
public struct ModbusTimeouts: Hashable, Sendable {
    /// How long to wait for the first byte of a reply.
    public var response: Duration
    /// How long to wait between two bytes of one reply.
    public var byte: Duration

    /// Creates timeouts (defaults: 1 s response, 500 ms between bytes).
    public init(response: Duration = .seconds(1), byte: Duration = .milliseconds(500)) {
        self.response = response
        self.byte = byte
    }
}
