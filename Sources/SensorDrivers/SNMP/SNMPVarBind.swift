/// One varbind of a reply: the OID and its decoded value, or the decoder's error class.
public struct SNMPVarBind: Hashable, Sendable, CustomStringConvertible {
    /// The object instance.
    public var oid: SNMPOID
    /// The decoded value, or why it could not be decoded.
    public var result: Result<SNMPValue, SNMPValueFault>

    /// Creates a varbind.
    public init(oid: SNMPOID, result: Result<SNMPValue, SNMPValueFault>) {
        self.oid = oid
        self.result = result
    }

    /// Creates a varbind holding a value.
    public init(oid: SNMPOID, value: SNMPValue) { self.init(oid: oid, result: .success(value)) }

    /// The value, nil when it did not decode.
    public var value: SNMPValue? { try? result.get() }

    /// `OID = TYPE: value` or `OID = <fault>`.
    public var description: String {
        switch result {
        case .success(let v): "\(oid) = \(v.typeName): \(v)"
        case .failure(let f): "\(oid) = <\(f)>"
        }
    }
}
