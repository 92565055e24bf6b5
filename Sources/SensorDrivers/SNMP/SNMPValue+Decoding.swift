import CNetSNMP

/// The one path from what net-snmp hands over (an ASN.1 type tag and the bytes of `var->val`)
/// to an ``SNMPValue``. Net-snmp keeps integers as a host `long`, the 32-bit unsigned types as a
/// host `u_long`, Counter64 as two `u_long` halves (high, low), and an OID as an array of `oid`
/// (`u_long`); the decoder checks each of those shapes and never traps on malformed input.
extension SNMPValue {
    /// ASN.1 / SMI type tags as net-snmp reports them.
    public enum Tag {
        /// INTEGER.
        public static let integer = UInt8(DCA_ASN_INTEGER)
        /// OCTET STRING.
        public static let octetString = UInt8(DCA_ASN_OCTET_STR)
        /// NULL.
        public static let null = UInt8(DCA_ASN_NULL)
        /// OBJECT IDENTIFIER.
        public static let objectID = UInt8(DCA_ASN_OBJECT_ID)
        /// IpAddress.
        public static let ipAddress = UInt8(DCA_ASN_IPADDRESS)
        /// Counter32.
        public static let counter32 = UInt8(DCA_ASN_COUNTER)
        /// Gauge32 / Unsigned32.
        public static let gauge32 = UInt8(DCA_ASN_GAUGE)
        /// TimeTicks.
        public static let timeticks = UInt8(DCA_ASN_TIMETICKS)
        /// Opaque.
        public static let opaque = UInt8(DCA_ASN_OPAQUE)
        /// Counter64.
        public static let counter64 = UInt8(DCA_ASN_COUNTER64)
        /// UInteger32 (obsolete, decoded as Gauge32).
        public static let uinteger = UInt8(DCA_ASN_UINTEGER)
        /// noSuchObject exception.
        public static let noSuchObject = UInt8(DCA_SNMP_NOSUCHOBJECT)
        /// noSuchInstance exception.
        public static let noSuchInstance = UInt8(DCA_SNMP_NOSUCHINSTANCE)
        /// endOfMibView exception.
        public static let endOfMibView = UInt8(DCA_SNMP_ENDOFMIBVIEW)
        /// Every tag the decoder accepts.
        public static let all: [UInt8] = [
            integer, octetString, null, objectID, ipAddress, counter32, gauge32, timeticks, opaque, counter64,
            uinteger, noSuchObject, noSuchInstance, endOfMibView,
        ]
    }

    /// Size of a C `long` / `u_long` / `oid`, the unit net-snmp stores numbers in.
    public static let wordSize = MemoryLayout<Int>.size

    /// Decodes a value from its ASN.1 tag and net-snmp's host representation of it.
    public static func decode(tag: UInt8, payload: [UInt8]) throws(SNMPValueFault) -> SNMPValue {
        switch tag {
        case Tag.integer:
            return .integer(Int64(try word(payload)))
        case Tag.counter32, Tag.gauge32, Tag.uinteger, Tag.timeticks:
            let raw = UInt64(UInt(bitPattern: try word(payload)))
            guard let v = UInt32(exactly: raw) else { throw .outOfRange }
            switch tag {
            case Tag.counter32: return .counter32(v)
            case Tag.timeticks: return .timeticks(v)
            default: return .unsigned(v)
            }
        case Tag.counter64:
            guard payload.count == 2 * wordSize else { throw .badLength }
            let high = UInt64(UInt(bitPattern: load(payload, at: 0)))
            let low = UInt64(UInt(bitPattern: load(payload, at: wordSize)))
            guard high <= UInt64(UInt32.max), low <= UInt64(UInt32.max) else { throw .outOfRange }
            return .counter64(high << 32 | low)
        case Tag.octetString:
            return .octets(payload)
        case Tag.opaque:
            return .opaque(payload)
        case Tag.objectID:
            guard payload.count % wordSize == 0 else { throw .badLength }
            var arcs: [UInt32] = []
            for i in 0..<(payload.count / wordSize) {
                guard let arc = UInt32(exactly: UInt64(UInt(bitPattern: load(payload, at: i * wordSize)))) else {
                    throw .outOfRange
                }
                arcs.append(arc)
            }
            guard let oid = SNMPOID(components: arcs) else { throw .badLength }
            return .oid(oid)
        case Tag.ipAddress:
            guard payload.count == 4 else { throw .badLength }
            return .ipAddress(payload)
        case Tag.null:
            guard payload.isEmpty else { throw .badLength }
            return .null
        case Tag.noSuchObject: return .noSuchObject
        case Tag.noSuchInstance: return .noSuchInstance
        case Tag.endOfMibView: return .endOfMibView
        default:
            throw .unknownType
        }
    }

    /// The host representation net-snmp would hold for this value (the inverse of ``decode(tag:payload:)``).
    public var encoded: (tag: UInt8, payload: [UInt8]) {
        func words(_ ws: [UInt]) -> [UInt8] {
            ws.flatMap { w in withUnsafeBytes(of: w) { Array($0) } }
        }
        switch self {
        case .integer(let v): return (Tag.integer, words([UInt(bitPattern: Int(v))]))
        case .unsigned(let v): return (Tag.gauge32, words([UInt(v)]))
        case .counter32(let v): return (Tag.counter32, words([UInt(v)]))
        case .timeticks(let v): return (Tag.timeticks, words([UInt(v)]))
        case .counter64(let v): return (Tag.counter64, words([UInt(v >> 32), UInt(v & 0xFFFF_FFFF)]))
        case .octets(let b): return (Tag.octetString, b)
        case .opaque(let b): return (Tag.opaque, b)
        case .oid(let o): return (Tag.objectID, words(o.components.map { UInt($0) }))
        case .ipAddress(let b): return (Tag.ipAddress, b)
        case .null: return (Tag.null, [])
        case .noSuchObject: return (Tag.noSuchObject, [])
        case .noSuchInstance: return (Tag.noSuchInstance, [])
        case .endOfMibView: return (Tag.endOfMibView, [])
        }
    }

    private static func word(_ payload: [UInt8]) throws(SNMPValueFault) -> Int {
        guard payload.count == wordSize else { throw .badLength }
        return load(payload, at: 0)
    }

    private static func load(_ payload: [UInt8], at offset: Int) -> Int {
        payload.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int.self) }
    }
}
