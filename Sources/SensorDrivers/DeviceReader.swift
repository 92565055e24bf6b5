public import Telemetry

/// Reads every point of one device once. The polling service owns time (interval, jitter,
/// back-off); a reader only reads (STYLE.md habit 4).
///
/// A point that fails comes back as a reading with bad quality (or `.absent` for the vendor's
/// "not present" sentinel); the call throws only when the device cannot be read at all
/// (connection refused, whole-device timeout), which the polling service counts as a failure.
public protocol DeviceReader: Sendable {
    /// The CI id of the device (sensor, PDU) this reader polls.
    var device: CIID { get }
    /// The points this reader produces, with quantity, unit and state names.
    var points: [PointDescriptor] { get }
    /// Reads all points once; readings are stamped with `now` unless the device reports its own time.
    func readOnce(now: Timestamp) async throws -> [Reading]
}
