import Foundation

/// The simulator's log: one line per event on standard error, with a UTC time stamp.
/// (The simulator is an executable; it has no swift-log dependency.)
struct SimLog: Sendable {
    /// Severity.
    enum Level: String, Sendable { case info, warning, error }

    /// Writes one informational line.
    func callAsFunction(_ message: String) { callAsFunction(.info, message) }

    /// Writes one line.
    func callAsFunction(_ level: Level, _ message: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        FileHandle.standardError.write(Data("\(stamp) \(level.rawValue) \(message)\n".utf8))
    }
}
