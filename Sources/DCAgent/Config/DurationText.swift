/// Durations as written in config: `500ms`, `10s`, `2m`, `1h`, `30d`, or combinations (`1h30m`).
enum DurationText {
    /// Parses a duration; nil when the text is not one.
    static func parse(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        var total: Duration = .zero
        var number = ""
        var i = s.startIndex
        var sawUnit = false
        while i < s.endIndex {
            let c = s[i]
            if c.isNumber || c == "." {
                number.append(c)
                i = s.index(after: i)
                continue
            }
            var unit = String(c)
            let next = s.index(after: i)
            if c == "m", next < s.endIndex, s[next] == "s" {
                unit = "ms"
                i = s.index(after: next)
            } else {
                i = next
            }
            guard let v = Double(number), v >= 0 else { return nil }
            let seconds: Double
            switch unit {
            case "ms": seconds = v / 1000
            case "s": seconds = v
            case "m": seconds = v * 60
            case "h": seconds = v * 3600
            case "d": seconds = v * 86_400
            default: return nil
            }
            total += .milliseconds(Int64((seconds * 1000).rounded()))
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }

    /// Formats a duration the way config writes it (`90s` → `1m30s`).
    static func format(_ d: Duration) -> String {
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
