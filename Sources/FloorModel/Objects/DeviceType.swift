/// A port template of a device type (interface, patch-panel port, console, power).
public struct PortTemplate: Hashable, Sendable, Codable {
    /// Port name, unique per kind in the type.
    public var name: String
    /// Kind of port.
    public var kind: PortKind
    /// NetBox type slug (`1000base-t`, `8p8c`, `iec-60320-c14`), nil when absent.
    public var type: String?
    /// For power ports: maximum draw in watts, nil when unknown.
    public var maximumDrawW: Double?
    /// For power ports: allocated draw in watts, nil when unknown.
    public var allocatedDrawW: Double?
}

/// A device model from the device-type library (NetBox community format, normalised):
/// height in half units, weight in kg, draws in watts, unknowns as nil.
public struct DeviceType: Hashable, Sendable, Codable {
    /// Unique slug (`dell-poweredge-r640`).
    public var slug: String
    /// Manufacturer name.
    public var manufacturer: String
    /// Model name.
    public var model: String
    /// Part number, if given.
    public var partNumber: String?
    /// Height; zero for 0U devices (vertical PDUs).
    public var height: HalfU
    /// True when it takes both faces of the rack (NetBox default when absent).
    public var isFullDepth: Bool = true
    /// Airflow, nil when unknown.
    public var airflow: Airflow?
    /// Weight in kilograms, nil when unknown.
    public var weightKg: Double?
    /// Ports from the templates (interfaces, front/rear ports, console, power).
    public var ports: [PortTemplate] = []

    /// Sum of the power ports' allocated draws, nil when none is known.
    public var allocatedDrawW: Double? { sum(\.allocatedDrawW) }

    /// Sum of the power ports' maximum draws, nil when none is known.
    public var maximumDrawW: Double? { sum(\.maximumDrawW) }

    /// The draw to plan with when the device gives none: allocated, else maximum.
    public var planningDrawW: Double? { allocatedDrawW ?? maximumDrawW }

    private func sum(_ key: KeyPath<PortTemplate, Double?>) -> Double? {
        let values = ports.filter { $0.kind == .powerPort }.compactMap { $0[keyPath: key] }
        return values.isEmpty ? nil : values.reduce(0, +)
    }
}
