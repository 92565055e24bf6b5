import Telemetry

/// The profile-level rule for power roles (DESIGN decision 18), shared by Modbus and SNMP
/// profiles: a device's power is counted once, so as soon as a profile can give a device more
/// than one active-power point, every one of them must say where it sits (total, inlet, phase,
/// outlet). A single scalar power point needs no role: it is the device's total.
enum PowerRoleCheck {
    /// The first problem among a profile's active-power points, given as (name, role, is a table
    /// column that may yield many points); nil when the roles are complete.
    static func problem(_ points: [(name: String, role: PowerRole?, table: Bool)]) -> (point: String, detail: String)? {
        let several = points.count > 1 || points.contains { $0.table }
        guard several, let first = points.first(where: { $0.role == nil }) else { return nil }
        let what = points.contains { $0.table } ? "a table of active_power points" : "\(points.count) active_power points"
        return (
            first.name,
            "the profile has \(what), so each needs power_role (\(PowerRole.allCases.map(\.rawValue).joined(separator: ", "))): otherwise a device's power would be counted more than once"
        )
    }
}
