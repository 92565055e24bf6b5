public import Logging
import Foundation

/// A log handler that keeps messages in memory so tests can count them.
public final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    /// Creates an empty capture.
    public init() {}

    /// A logger whose lines land here.
    public var logger: Logger {
        Logger(label: "test.capture") { _ in Handler(capture: self) }
    }

    /// The messages logged at `level`, oldest first.
    public func messages(at level: Logger.Level) -> [String] { lock.withLock { lines.filter { $0.0 == level }.map(\.1) } }

    fileprivate func add(_ level: Logger.Level, _ message: String) { lock.withLock { lines.append((level, message)) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { capture.add(event.level, "\(event.message)") }
    }
}
