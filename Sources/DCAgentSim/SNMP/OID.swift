/// A numeric SNMP object identifier, ordered as SNMP orders them (component by component).
struct OID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The arcs.
    let arcs: [UInt32]

    init(_ arcs: [UInt32]) { self.arcs = arcs }

    /// Parses `.1.3.6…` or `1.3.6…`; nil when it is not numeric.
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: true)
        var arcs: [UInt32] = []
        for p in parts {
            guard let n = UInt32(p) else { return nil }
            arcs.append(n)
        }
        guard !arcs.isEmpty else { return nil }
        self.arcs = arcs
    }

    /// This OID extended by `more` arcs.
    func appending(_ more: UInt32...) -> OID { OID(arcs + more) }

    /// Dotted form with a leading dot, as snmpd writes it to pass_persist.
    var description: String { "." + arcs.map(String.init).joined(separator: ".") }

    static func < (a: OID, b: OID) -> Bool { a.arcs.lexicographicallyPrecedes(b.arcs) }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let oid = OID(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "bad OID \(text)"))
        }
        self = oid
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
