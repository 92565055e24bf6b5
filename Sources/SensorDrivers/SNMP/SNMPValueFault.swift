/// Why one varbind gave no usable engineering value: the error classes of the value decoder.
///
/// Each class becomes `Quality.bad(reason:)` for that point only; the rest of the device is unaffected.
public enum SNMPValueFault: String, Error, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The ASN.1 type tag is not one SNMP defines.
    case unknownType
    /// The payload length does not fit the type (a 3-byte IpAddress, a 5-byte integer).
    case badLength
    /// A number outside its type's range (a "Counter32" above 2³² − 1).
    case outOfRange
    /// A well-formed value of a type the point cannot use (text where a number belongs).
    case wrongType
    /// Text that should hold a decimal number but does not.
    case notANumber
    /// The agent has no such object (SNMPv2 exception; v1 noSuchName).
    case noSuchObject
    /// The object exists but not this instance (SNMPv2 exception).
    case noSuchInstance
    /// The walk or GETNEXT ran past the end of the agent's view (SNMPv2 exception).
    case endOfMibView

    /// The class name, used as the prefix of the bad-quality reason.
    public var description: String { rawValue }
}
