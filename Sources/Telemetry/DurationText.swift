/// Durations as operators write them in config, rule and simulator files: `500ms`, `10s`, `2m`,
/// `1h`, `30d`, `1w`, `1y` (365 days), or combinations (`1h30m`). One parser for every module.
public enum DurationText {
    private static let units: [String: Double] = [
        "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800, "y": 31_536_000,
    ]

    /// Seconds of a duration, or nil when the text is not one (malformed, negative, empty).
    /// With `bareSeconds`, a plain number (`90`) means seconds; otherwise a unit is required.
    public static func seconds(_ text: String, bareSeconds: Bool = false) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        if let plain = Double(s) { return bareSeconds && plain >= 0 && plain.isFinite ? plain : nil }
        var total = 0.0
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let v = Double(number), v >= 0, v.isFinite, let factor = units[unit] else { return false }
            total += v * factor
            number = ""
            unit = ""
            return true
        }
        for ch in s {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty && !flush() { return nil }
                number.append(ch)
            } else if ch.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(ch)
            } else {
                return nil
            }
        }
        return flush() ? total : nil
    }

    /// A duration, or nil when the text is not one (see ``seconds(_:bareSeconds:)``) or is too
    /// long to hold in milliseconds (`99999999999999999999d` trapped here).
    public static func parse(_ text: String, bareSeconds: Bool = false) -> Duration? {
        guard let ms = seconds(text, bareSeconds: bareSeconds).map({ ($0 * 1000).rounded() }), ms < Double(Int64.max) else { return nil }
        return .milliseconds(Int64(ms))
    }

    /// Formats a duration the way config writes it (`90s` → `1m30s`).
    public static func format(_ d: Duration) -> String {
        var ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms == 0 { return "0s" }
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where ms >= size {
            out += "\(ms / size)\(unit)"
            ms %= size
        }
        return out
    }
}

import Foundation

extension Duration {
    /// The duration in seconds, as a `Double` (timeouts handed to C libraries, benchmark figures).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
