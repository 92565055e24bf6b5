/// Where and how to reach one SNMP agent: address, version and credentials, timeout and retries.
public struct SNMPTarget: Hashable, Sendable, CustomStringConvertible {
    /// Host name or address (DCAgent's tests use 127.0.0.1 only).
    public var host: String
    /// UDP port, 161 by default.
    public var port: UInt16
    /// Protocol version and credentials.
    public var version: SNMPVersion
    /// Seconds to wait for one reply before a retry.
    public var timeout: Double
    /// Retries after the first attempt.
    public var retries: Int

    /// Creates a target.
    public init(host: String, port: UInt16 = 161, version: SNMPVersion, timeout: Double = 1.0, retries: Int = 1) {
        self.host = host
        self.port = port
        self.version = version
        self.timeout = timeout
        self.retries = retries
    }

    /// net-snmp's peer name, `udp:HOST:PORT` (IPv6 literals bracketed).
    public var peerName: String {
        host.contains(":") ? "udp6:[\(host)]:\(port)" : "udp:\(host):\(port)"
    }

    /// `udp:127.0.0.1:16101 v2c timeout 1.0 s × 2`; never a secret.
    public var description: String {
        "\(peerName) \(version) timeout \(timeout) s × \(retries + 1)"
    }
}

/// SNMP version with its credentials.
public enum SNMPVersion: Hashable, Sendable, CustomStringConvertible {
    /// SNMPv1 with a community.
    case v1(community: Secret)
    /// SNMPv2c with a community.
    case v2c(community: Secret)
    /// SNMPv3 USM.
    case v3(SNMPv3Credentials)

    /// `v1`, `v2c`, `v3 user=NAME authPriv SHA-256/AES-256`; never a secret.
    public var description: String {
        switch self {
        case .v1: "v1"
        case .v2c: "v2c"
        case .v3(let c): "v3 \(c)"
        }
    }
}

/// SNMPv3 user-based security: the user, level and protocol keys.
public struct SNMPv3Credentials: Hashable, Sendable, CustomStringConvertible {
    /// The USM user name.
    public var user: String
    /// Security level.
    public var level: SNMPSecurityLevel
    /// Authentication protocol.
    public var authProtocol: SNMPAuthProtocol?
    /// Authentication pass phrase.
    public var authKey: Secret?
    /// Privacy protocol (authPriv only).
    public var privProtocol: SNMPPrivProtocol?
    /// Privacy pass phrase.
    public var privKey: Secret?

    /// Creates credentials.
    public init(
        user: String, level: SNMPSecurityLevel, authProtocol: SNMPAuthProtocol? = nil, authKey: Secret? = nil,
        privProtocol: SNMPPrivProtocol? = nil, privKey: Secret? = nil
    ) {
        self.user = user
        self.level = level
        self.authProtocol = authProtocol
        self.authKey = authKey
        self.privProtocol = privProtocol
        self.privKey = privKey
    }

    /// `user=NAME authPriv SHA-256/AES-256`.
    public var description: String {
        var s = "user=\(user) \(level.rawValue)"
        if let a = authProtocol { s += " \(a.rawValue)" }
        if let p = privProtocol { s += "/\(p.rawValue)" }
        return s
    }
}

/// USM security level.
public enum SNMPSecurityLevel: String, Hashable, Sendable, Codable, CaseIterable {
    /// No authentication, no privacy.
    case noAuthNoPriv
    /// Authenticated, not encrypted.
    case authNoPriv
    /// Authenticated and encrypted.
    case authPriv
}

/// USM authentication protocols Debian's net-snmp 5.9.3 offers (all tested against its snmpd).
public enum SNMPAuthProtocol: String, Hashable, Sendable, Codable, CaseIterable {
    /// HMAC-MD5-96 (RFC 3414); legacy.
    case md5 = "MD5"
    /// HMAC-SHA-96 (RFC 3414).
    case sha = "SHA"
    /// HMAC-SHA-224 (RFC 7860).
    case sha224 = "SHA-224"
    /// HMAC-SHA-256 (RFC 7860).
    case sha256 = "SHA-256"
    /// HMAC-SHA-384 (RFC 7860).
    case sha384 = "SHA-384"
    /// HMAC-SHA-512 (RFC 7860).
    case sha512 = "SHA-512"
}

/// USM privacy protocols Debian's net-snmp 5.9.3 offers (all tested against its snmpd).
public enum SNMPPrivProtocol: String, Hashable, Sendable, Codable, CaseIterable {
    /// CBC-DES (RFC 3414); legacy.
    case des = "DES"
    /// CFB-AES-128 (RFC 3826).
    case aes128 = "AES"
    /// CFB-AES-192 with Blumenthal key extension (draft-blumenthal-aes-usm-04), net-snmp's `AES-192`.
    case aes192 = "AES-192"
    /// CFB-AES-256 with Blumenthal key extension (draft-blumenthal-aes-usm-04), net-snmp's `AES-256`.
    case aes256 = "AES-256"
}
