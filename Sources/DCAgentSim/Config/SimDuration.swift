/// Parses durations written as `90s`, `10m`, `1h30m`, `2d` (a bare number is seconds).
enum SimDuration {
    /// Seconds, or nil when `text` is not a duration.
    static func seconds(_ text: String) -> Double? {
        if let plain = Double(text), plain >= 0 { return plain }
        var total = 0.0
        var number = ""
        for ch in text {
            if ch.isNumber || ch == "." {
                number.append(ch)
                continue
            }
            guard let n = Double(number) else { return nil }
            switch ch {
            case "s": total += n
            case "m": total += n * 60
            case "h": total += n * 3600
            case "d": total += n * 86400
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? total : nil
    }
}
