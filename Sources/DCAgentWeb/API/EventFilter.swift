public import AgentStore
import Foundation
import ContaminationRules
import Telemetry

/// The event filters `dcagent events list` and `GET /api/events` share, read from text (command
/// options or query parameters) into an ``EventQuery``. A bad value is refused with a message
/// naming the filter and the value, never ignored: a filter that silently matched everything
/// would hide the events someone is looking for.
public enum EventFilter {
    /// A filter refused: which one, and why.
    public struct Invalid: Error, CustomStringConvertible {
        public let field: String
        public let description: String
    }

    /// The filters as text; nil or empty means "not given".
    public static func query(
        firingOnly: Bool, severity: String?, rule: String?, ci: String?, rack: String?, room: String?, site: String? = nil, limit: Int
    ) throws(Invalid) -> EventQuery {
        var severities: [Severity] = []
        for word in (severity ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let s = Severity(rawValue: word) else {
                throw Invalid(field: "severity", description: "severity '\(word)': expected \(Severity.allCases.map(\.rawValue).joined(separator: ", ")) (or a comma-separated list)")
            }
            if !severities.contains(s) { severities.append(s) }
        }
        guard limit >= 1 else { throw Invalid(field: "limit", description: "limit \(limit): must be at least 1") }
        return EventQuery(
            firingOnly: firingOnly, severities: severities, rule: nonEmpty(rule), ci: try id("ci", ci), rack: try id("rack", rack),
            room: try id("room", room), site: try id("site", site), limit: min(limit, 5000))
    }

    private static func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }

    private static func id(_ name: String, _ text: String?) throws(Invalid) -> CIID? {
        guard let text = nonEmpty(text) else { return nil }
        guard let ci = CIID(validating: text) else { throw Invalid(field: name, description: "\(name) '\(text)': not a CI id") }
        return ci
    }
}
