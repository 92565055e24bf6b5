import Foundation
import Telemetry
import Testing

/// Timestamps are written and parsed by hand (no ICU in the daemon); Foundation's
/// `ISO8601DateFormatter` is the peer they are checked against.
@Suite("Timestamp text: RFC 3339 written and parsed as Foundation's formatter does", .timeLimit(.minutes(1)))
struct TimestampTextTests {
    static func formatter(fraction: Bool) -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = fraction ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f
    }

    @Test("known instants", arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-29T08:53:40.123Z", Int64(1_795_942_420_123)),
        ("2026-11-29T15:53:40.123+07:00", Int64(1_795_942_420_123)),
        ("2026-11-29T03:23:40.1-05:30", Int64(1_795_942_420_100)),
        ("2024-02-29T23:59:59.9999Z", Int64(1_709_251_199_999)),
        ("1969-12-31T23:59:59.5Z", Int64(-500)),
        ("2000-03-01t00:00:00z", Int64(951_868_800_000)),
    ])
    func known(_ text: String, _ ms: Int64) {
        #expect(Timestamp(parsing: text)?.milliseconds == ms)
    }

    @Test("malformed or impossible text is refused", arguments: [
        "", "2026-11-29", "2026-11-29T08:53:40", "2026-11-29 08:53:40Z", "2026-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T08:60:00Z",
        "2026-11-29T08:53:40.Z", "2026-11-29T08:53:40+0700", "2026-11-29T08:53:40Zjunk", "26-11-29T08:53:40Z",
    ])
    func refused(_ text: String) {
        #expect(Timestamp(parsing: text) == nil)
    }

    @Test("agrees with ISO8601DateFormatter both ways over 1900–2100")
    func agreesWithFoundation() {
        var rng = SystemRandomNumberGenerator()
        let withFraction = Self.formatter(fraction: true)
        let whole = Self.formatter(fraction: false)
        // 1900-01-01 … 2100-01-01 in milliseconds.
        let range: ClosedRange<Int64> = -2_208_988_800_000...4_102_444_800_000
        for _ in 0..<5_000 {
            let ms = Int64.random(in: range, using: &rng)
            let t = Timestamp(milliseconds: ms)
            let ours = t.description
            #expect(ours == withFraction.string(from: t.date), "\(ms)")
            #expect(Timestamp(parsing: ours) == t)
            let seconds = Timestamp(milliseconds: ms - ((ms % 1000) + 1000) % 1000)
            let text = whole.string(from: seconds.date)
            #expect(Timestamp(parsing: text) == seconds, "\(text)")
        }
    }
}
