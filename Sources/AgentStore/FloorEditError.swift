public import FloorModel
public import Telemetry

/// Why a floor edit (add or move a device) was refused; nothing was written. Names the device,
/// the field at fault and, when the device does not fit, every reason the one fit check gave
/// (DESIGN decision 9), so a page can show them next to the fields and the API can answer
/// `{"error": {"code", "message", "field"}}`.
public struct FloorEditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of refusal.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The fit check found problems (``FloorEditError/problems``).
        case doesNotFit = "does-not-fit"
        /// No stored floor holds the device.
        case unknownDevice = "unknown-device"
        /// No stored floor holds the rack.
        case unknownRack = "unknown-rack"
        /// The rack's site has no device type of that slug.
        case unknownType = "unknown-type"
        /// A new device's id is already a CI of a stored site.
        case idInUse = "id-in-use"
        /// A value the edit cannot take (a bad id, a rack in another site, a disposed device…).
        case invalid
    }

    /// The class of refusal.
    public let code: Code
    /// The device the edit concerns (`DC-R05-SRV1`); empty for a preview of a device type.
    public let device: String
    /// The field at fault (`rack`, `type`, `id`, `position`…); for ``Code/doesNotFit``, the
    /// first problem's field.
    public let field: String
    /// A sentence for a person.
    public let message: String
    /// Every reason the device does not fit, in the fit check's order; empty for other codes.
    public let problems: [FitProblem]

    private init(_ code: Code, device: String, field: String, message: String, problems: [FitProblem] = []) {
        self.code = code
        self.device = device
        self.field = field
        self.message = message
        self.problems = problems
    }

    /// `device DC-R05-SRV1: field rack: rack DC-R09 is not on any stored floor`.
    public var description: String {
        let who = device.isEmpty ? "" : "device \(device): "
        return "\(who)field \(field): \(message)"
    }

    // MARK: Factories

    /// The fit check refused the placement; `problems` is not empty.
    public static func doesNotFit(_ device: String, rack: CIID, _ problems: [FitProblem]) -> Self {
        Self(
            .doesNotFit, device: device, field: problems.first?.field ?? "rack",
            message: "does not fit in rack \(rack): " + problems.map(\.message).joined(separator: "; "), problems: problems)
    }

    /// No stored floor holds the device.
    public static func unknownDevice(_ device: String) -> Self {
        Self(.unknownDevice, device: device, field: "device", message: "device \(device) is not on any stored floor")
    }

    /// No stored floor holds the rack.
    public static func unknownRack(_ device: String, rack: CIID) -> Self {
        Self(.unknownRack, device: device, field: "rack", message: "rack \(rack) is not on any stored floor")
    }

    /// The site holds no device type of this slug.
    public static func unknownType(_ device: String, type: String, site: String) -> Self {
        Self(.unknownType, device: device, field: "type", message: "device type \(type) is not in the library of site \(site)")
    }

    /// The id is already a CI of a stored site (one agent keeps CI ids unique across its sites).
    public static func idInUse(_ device: String, kind: String, site: String) -> Self {
        Self(
            .idInUse, device: device, field: "id",
            message: "id \(device) is already used by a \(kind) of site \(site); one agent needs CI ids unique across its sites (readings, events and tickets name a CI by its id alone)")
    }

    /// Any other value the edit cannot take, named by its field.
    public static func invalid(_ device: String, field: String, _ message: String) -> Self {
        Self(.invalid, device: device, field: field, message: message)
    }
}
