public import Telemetry

/// A device's health as the drivers report it (input of the `offline` rule).
public struct DeviceHealth: Hashable, Sendable, Codable {
    /// The device.
    public var device: CIID
    /// True when its last poll worked.
    public var online: Bool
    /// Why it is offline (timeout, refused), empty when online.
    public var reason: String
    /// Creates a health report.
    public init(device: CIID, online: Bool, reason: String = "") {
        self.device = device
        self.online = online
        self.reason = reason
    }
}
