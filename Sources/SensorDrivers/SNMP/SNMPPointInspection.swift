public import Telemetry

/// One point of one read as `dcagent probe snmp` shows it: OID, raw value, engineering value, unit, quality.
public struct SNMPPointInspection: Hashable, Sendable, CustomStringConvertible {
    /// The point.
    public var point: PointID
    /// The instance OID read.
    public var oid: SNMPOID
    /// The raw varbind value, or nil when it did not decode.
    public var raw: SNMPValue?
    /// The decimal digits applied (Raritan), 0 when none.
    public var decimals: Int
    /// The engineering value (NaN unless the quality has a value).
    public var value: Double
    /// The unit of `value`.
    public var unit: Telemetry.Unit
    /// The state name, for discrete points with a known state.
    public var stateName: String?
    /// The quality.
    public var quality: Quality
    /// The decoder's error class when the point is bad because of its value.
    public var fault: SNMPValueFault?

    /// The row as a reading.
    public func reading(at time: Timestamp) -> Reading {
        Reading(point: point, time: time, value: value, quality: quality)
    }

    /// `outlet.1.current  1.3.6…6.1  raw 9 → 0.9 A  good`.
    public var description: String {
        let rawText = raw.map { "\($0.typeName) \($0)" } ?? "-"
        let valueText = quality.hasValue ? "\(value) \(unit.rawValue)" + (stateName.map { " (\($0))" } ?? "") : "-"
        return "\(point.name)  \(oid)  raw \(rawText) → \(valueText)  \(quality)"
    }
}
