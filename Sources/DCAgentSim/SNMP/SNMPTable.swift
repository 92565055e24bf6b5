/// The values one SNMP device serves, sorted by OID.
struct SNMPTable: Sendable, Equatable, Codable {
    /// The device's variables.
    private(set) var entries: [Entry]

    /// One variable; stored as `{"oid", "type", "value"}`, the shape pass_persist answers in.
    struct Entry: Sendable, Equatable, Codable {
        let oid: OID
        let value: SNMPValue

        init(oid: OID, value: SNMPValue) {
            self.oid = oid
            self.value = value
        }

        private enum Keys: String, CodingKey { case oid, type, value }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            oid = try c.decode(OID.self, forKey: .oid)
            let type = try c.decode(String.self, forKey: .type)
            let text = try c.decode(String.self, forKey: .value)
            let bad = DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "bad \(type) \(text)")
            switch type {
            case "integer": value = .integer(try Int(text).orThrow(bad))
            case "gauge": value = .gauge(try UInt32(text).orThrow(bad))
            case "counter": value = .counter(try UInt32(text).orThrow(bad))
            case "string": value = .string(text)
            default: throw bad
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(oid, forKey: .oid)
            try c.encode(value.typeName, forKey: .type)
            try c.encode(value.text, forKey: .value)
        }
    }

    init(_ pairs: [(OID, SNMPValue)] = []) {
        entries = pairs.map { Entry(oid: $0.0, value: $0.1) }.sorted { $0.oid < $1.oid }
    }

    /// The variable at exactly `oid`.
    func get(_ oid: OID) -> Entry? {
        let i = lowerBound(oid)
        return i < entries.count && entries[i].oid == oid ? entries[i] : nil
    }

    /// The first variable after `oid` in SNMP order.
    func next(after oid: OID) -> Entry? {
        var i = lowerBound(oid)
        if i < entries.count && entries[i].oid == oid { i += 1 }
        return i < entries.count ? entries[i] : nil
    }

    private func lowerBound(_ oid: OID) -> Int {
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].oid < oid { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension Optional {
    /// The wrapped value, or `error` thrown.
    func orThrow(_ error: some Error) throws -> Wrapped {
        guard let self else { throw error }
        return self
    }
}
