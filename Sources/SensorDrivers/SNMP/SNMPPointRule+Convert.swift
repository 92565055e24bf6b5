import Telemetry

extension SNMPPointRule {
    /// The raw number of a value for this point, or the class of why there is none.
    public func rawNumber(_ value: SNMPValue) throws(SNMPValueFault) -> Double {
        switch value {
        case .integer(let v): return Double(v)
        case .unsigned(let v), .counter32(let v), .timeticks(let v): return Double(v)
        case .counter64(let v): return Double(v)
        case .noSuchObject: throw .noSuchObject
        case .noSuchInstance: throw .noSuchInstance
        case .endOfMibView: throw .endOfMibView
        case .octets(let bytes) where encoding == .decimalText:
            let text = Self.trimmed(String(decoding: bytes, as: UTF8.self))
            guard Self.isDecimal(text), let v = Double(text), v.isFinite else { throw .notANumber }
            return v
        case .octets, .opaque, .oid, .ipAddress, .null:
            throw .wrongType
        }
    }

    /// Converts a value (and the decimal digits read beside it, if the point has some) to an outcome.
    public func convert(_ value: SNMPValue, decimals: Int = 0) -> SNMPPointOutcome {
        let raw: Double
        do { raw = try rawNumber(value) } catch {
            return .failed(error, "\(value.typeName) \(value) for point \(name)")
        }
        if rate, !Self.isCounter(value) {
            return .failed(.wrongType, "\(value.typeName) for rate point \(name), which needs a Counter32 or Counter64")
        }
        if let exact = Int64(exactly: raw), absentWhen.contains(exact) {
            return SNMPPointOutcome(raw: raw, value: .nan, quality: .absent, fault: nil)
        }
        if let exact = Int64(exactly: raw), let meaning = badWhen[exact] {
            return SNMPPointOutcome(raw: raw, value: .nan, quality: .bad(reason: NumberText.sentinel(raw: raw, meaning: meaning)), fault: nil)
        }
        let engineering = scale.apply(raw, extraDecimals: decimals) + offset
        if !rate, let outside = range?.violation(engineering) {
            return SNMPPointOutcome(raw: raw, value: .nan, quality: outside, fault: nil)
        }
        var quality = Quality.good
        if !states.isEmpty, Int(exactly: raw).flatMap({ states[$0] }) == nil { quality = .uncertain }
        return SNMPPointOutcome(raw: raw, value: engineering, quality: quality, fault: nil)
    }

    /// A rate point's outcome checked against the range (the range is about the rate, which only
    /// the reader knows).
    func ranged(_ outcome: SNMPPointOutcome) -> SNMPPointOutcome {
        guard outcome.quality.hasValue, let outside = range?.violation(outcome.value) else { return outcome }
        return SNMPPointOutcome(raw: outcome.raw, value: .nan, quality: outside, fault: nil)
    }

    /// The number of decimal digits a decimals varbind gives (Raritan's `…DecimalDigits`), 0…9.
    public static func decimalDigits(_ value: SNMPValue) throws(SNMPValueFault) -> Int {
        switch value {
        case .integer(let v) where (0...9).contains(v): return Int(v)
        case .unsigned(let v) where v <= 9: return Int(v)
        case .integer, .unsigned: throw .outOfRange
        case .noSuchObject: throw .noSuchObject
        case .noSuchInstance: throw .noSuchInstance
        case .endOfMibView: throw .endOfMibView
        default: throw .wrongType
        }
    }

    static func trimmed(_ s: String) -> String {
        let blank: Set<Character> = [" ", "\t", "\r", "\n", "\0"]
        return String(s.drop(while: { blank.contains($0) }).reversed().drop(while: { blank.contains($0) }).reversed())
    }

    static func isCounter(_ value: SNMPValue) -> Bool {
        switch value {
        case .counter32, .counter64: true
        default: false
        }
    }

    /// `-12`, `23.5`, `+0.25`: optional sign, digits, optional fraction; no exponent, no inf/nan.
    static func isDecimal(_ text: String) -> Bool {
        var s = Substring(text)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = { (p: Substring) in p.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard let whole = parts.first, !whole.isEmpty, digits(whole) else { return false }
        return parts.count == 1 || (!parts[1].isEmpty && digits(parts[1]))
    }
}
