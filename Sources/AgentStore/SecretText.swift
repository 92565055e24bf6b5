import Crypto
import Foundation

/// The random secrets and their digests of logins: API tokens, session CSRF tokens, the keys
/// that session rows are stored under. One place, so every secret is made and hashed alike.
public enum SecretText {
    static func randomBytes(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// `n` random bytes as lower-case hex.
    static func randomHex(bytes n: Int) -> String { hex(randomBytes(n)) }

    /// Bytes as lower-case hex, two digits each. By hand: `String(format:)` goes through
    /// CoreFoundation's locale-aware formatting (and ICU) for every byte.
    package static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `n` random bytes as unpadded base64url (safe in URLs, headers and cookies).
    public static func randomBase64URL(bytes n: Int) -> String {
        Data(randomBytes(n)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The hex SHA-256 of a text: what is stored instead of a secret.
    static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Data(text.utf8)))
    }
}
