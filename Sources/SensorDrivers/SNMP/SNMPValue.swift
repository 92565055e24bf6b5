/// A decoded SNMP value: what one varbind carries, before any profile scaling.
public enum SNMPValue: Hashable, Sendable, CustomStringConvertible {
    /// INTEGER / Integer32.
    case integer(Int64)
    /// Gauge32 / Unsigned32.
    case unsigned(UInt32)
    /// Counter32 (wraps at 2³²).
    case counter32(UInt32)
    /// Counter64 (wraps at 2⁶⁴).
    case counter64(UInt64)
    /// TimeTicks, hundredths of a second.
    case timeticks(UInt32)
    /// OCTET STRING (DisplayString and friends).
    case octets([UInt8])
    /// Opaque, kept as bytes.
    case opaque([UInt8])
    /// OBJECT IDENTIFIER.
    case oid(SNMPOID)
    /// IpAddress, four bytes.
    case ipAddress([UInt8])
    /// NULL (what a request carries).
    case null
    /// SNMPv2 exception: the object does not exist on the agent.
    case noSuchObject
    /// SNMPv2 exception: the object exists but not this instance.
    case noSuchInstance
    /// SNMPv2 exception: a walk ran past the end of the agent's view.
    case endOfMibView

    /// The SMI name of the value's type, for messages (`Counter32`, `OCTET STRING`).
    public var typeName: String {
        switch self {
        case .integer: "INTEGER"
        case .unsigned: "Gauge32"
        case .counter32: "Counter32"
        case .counter64: "Counter64"
        case .timeticks: "TimeTicks"
        case .octets: "OCTET STRING"
        case .opaque: "Opaque"
        case .oid: "OBJECT IDENTIFIER"
        case .ipAddress: "IpAddress"
        case .null: "NULL"
        case .noSuchObject: "noSuchObject"
        case .noSuchInstance: "noSuchInstance"
        case .endOfMibView: "endOfMibView"
        }
    }

    /// True for the three SNMPv2 exceptions.
    public var isException: Bool {
        switch self {
        case .noSuchObject, .noSuchInstance, .endOfMibView: true
        default: false
        }
    }

    /// The value as text, as `snmpget -Oqv` would print it (octets as text when printable, else hex).
    public var description: String {
        switch self {
        case .integer(let v): String(v)
        case .unsigned(let v), .counter32(let v), .timeticks(let v): String(v)
        case .counter64(let v): String(v)
        case .octets(let b), .opaque(let b):
            if b.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                "\"" + String(decoding: b, as: UTF8.self) + "\""
            } else {
                b.map { hex($0) }.joined(separator: " ")
            }
        case .oid(let o): o.description
        case .ipAddress(let b): b.map(String.init).joined(separator: ".")
        case .null, .noSuchObject, .noSuchInstance, .endOfMibView: typeName
        }
    }
}

private func hex(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}
