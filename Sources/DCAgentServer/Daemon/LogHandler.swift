package import Foundation
package import Logging
package import Synchronization
import Telemetry

/// Log level and format shared by every logger of the process, changeable on SIGHUP.
package final class LogSettings: Sendable {
    private let state: Mutex<LoggingPlan>
    package init(_ plan: LoggingPlan) { state = Mutex(plan) }
    package var current: LoggingPlan { state.withLock { $0 } }
    package func update(_ plan: LoggingPlan) { state.withLock { $0 = plan } }
}

/// Writes one line per record to standard error, as logfmt or JSON (config `logging.format`).
package struct DCAgentLogHandler: LogHandler {
    package let label: String
    package let settings: LogSettings
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?

    /// Level follows the shared settings; setting it on one logger is ignored on purpose.
    package var logLevel: Logger.Level {
        get { settings.current.level }
        set {}
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var all = metadata
        if let p = metadataProvider { all.merge(p.get()) { a, _ in a } }
        if let m = event.metadata { all.merge(m) { _, b in b } }
        let time = Self.timestamp()
        let line: String
        switch settings.current.format {
        case .logfmt:
            var parts = ["time=\(time)", "level=\(event.level.rawValue)", "msg=\(Self.logfmtValue(event.message.description))"]
            if label != "dcagent" { parts.append("logger=\(Self.logfmtValue(label))") }
            for key in all.keys.sorted() { parts.append("\(key)=\(Self.logfmtValue(all[key]!.description))") }
            line = parts.joined(separator: " ")
        case .json:
            var obj: [String: String] = ["time": time, "level": event.level.rawValue, "msg": event.message.description, "logger": label]
            for (k, v) in all { obj[k] = v.description }
            let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    package static func logfmtValue(_ s: String) -> String {
        if !s.isEmpty && !s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }) { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Now in ISO 8601 UTC with milliseconds. Formatted by `Timestamp`, not by a new
    /// `ISO8601DateFormatter` per line: that one opens ICU's calendar and date formatter (and
    /// keeps megabytes of ICU data resident) for every log line.
    package static func timestamp() -> String { Timestamp.now.description }
}
