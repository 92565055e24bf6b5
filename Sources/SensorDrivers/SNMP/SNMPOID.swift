/// An SNMP object identifier (`1.3.6.1.4.1.318.1.1.26.4.3.1.5.1`), numeric only: DCAgent loads no MIBs.
public struct SNMPOID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The arcs of the identifier.
    public let components: [UInt32]

    /// The most arcs an OID may have (RFC 2578 §3.5, and net-snmp's `MAX_OID_LEN`).
    public static let maxComponents = 128

    /// Creates an OID from arcs; nil when there are fewer than two or more than ``maxComponents``.
    public init?(components: [UInt32]) {
        guard (2...Self.maxComponents).contains(components.count), components[0] <= 2 else { return nil }
        self.components = components
    }

    /// Parses dotted decimal text, with or without a leading dot; nil on anything else.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.first == "." { body = body.dropFirst() }
        var arcs: [UInt32] = []
        for part in body.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let arc = UInt32(part) else {
                return nil
            }
            arcs.append(arc)
        }
        self.init(components: arcs)
    }

    /// True when `self` lies strictly inside the subtree rooted at `root`.
    public func isInside(_ root: SNMPOID) -> Bool {
        components.count > root.components.count && components.starts(with: root.components)
    }

    /// The arcs after `root` (the table index), or nil when `self` is not inside `root`.
    public func index(under root: SNMPOID) -> [UInt32]? {
        isInside(root) ? Array(components[root.components.count...]) : nil
    }

    /// This OID with `arcs` appended.
    public func appending(_ arcs: [UInt32]) -> SNMPOID {
        SNMPOID(unchecked: components + arcs)
    }

    init(unchecked components: [UInt32]) { self.components = components }

    /// Dotted decimal without a leading dot.
    public var description: String { components.map(String.init).joined(separator: ".") }

    /// Lexicographic order of the arcs, as an agent walks them.
    public static func < (a: SNMPOID, b: SNMPOID) -> Bool {
        a.components.lexicographicallyPrecedes(b.components)
    }
}
