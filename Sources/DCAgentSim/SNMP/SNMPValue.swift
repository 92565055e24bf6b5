import Foundation

/// A typed SNMP value, named by the types snmpd's pass_persist understands.
enum SNMPValue: Sendable, Equatable {
    case integer(Int)
    case gauge(UInt32)
    case counter(UInt32)
    case string(String)

    /// The pass_persist type keyword.
    var typeName: String {
        switch self {
        case .integer: "integer"
        case .gauge: "gauge"
        case .counter: "counter"
        case .string: "string"
        }
    }

    /// The pass_persist value line.
    var text: String {
        switch self {
        case .integer(let v): String(v)
        case .gauge(let v), .counter(let v): String(v)
        case .string(let s): s.replacingOccurrences(of: "\n", with: " ")
        }
    }

    /// An INTEGER from an engineering value divided by `scale` (so `scale: 0.1` gives tenths).
    static func scaled(_ value: Double, _ scale: Double = 1) -> SNMPValue {
        let raw = (value / scale).rounded()
        return .integer(Int(min(max(raw, Double(Int32.min)), Double(Int32.max))))
    }

    /// A Gauge32 / Unsigned32 from an engineering value divided by `scale`.
    static func unsignedScaled(_ value: Double, _ scale: Double = 1) -> SNMPValue {
        .gauge(UInt32(min(max((value / scale).rounded(), 0), Double(UInt32.max))))
    }
}
