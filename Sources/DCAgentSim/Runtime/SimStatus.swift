import Foundation

/// What the running simulator reports in `status.json`, rewritten each tick.
struct SimStatus: Sendable, Codable {
    /// One sensor's state.
    struct Sensor: Sendable, Codable {
        let id: String
        let profile: DeviceProfile
        let endpoint: String
        let unit: Int?
        let rack: String?
        var frozen: Bool
        var offline: Bool
        var values: [SummaryValue]
    }

    /// The simulator's PID.
    let pid: Int32
    /// When it started.
    let started: Date
    /// When this status was written.
    var updated: Date
    /// False once it has stopped.
    var running: Bool
    /// Tick length, seconds.
    let tick: Double
    var sensors: [Sensor]
    var injections: [Injection]
}
