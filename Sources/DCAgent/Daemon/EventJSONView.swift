import AgentStore
import ContaminationRules
import Foundation
import Telemetry

/// Events as JSON objects for `/api/events` and `dcagent events list --json`: ids as the
/// operator writes them (DESIGN decision 1), times in ISO 8601 UTC, NaN values as null.
enum EventJSONView {
    static func event(_ s: StoredEvent) -> [String: Any] {
        let e = s.event
        return [
            "id": s.id, "dedup_key": e.dedupKey, "rule": e.ruleID, "kind": e.kind.rawValue, "severity": e.severity.rawValue,
            "state": e.state.rawValue, "scope": e.scope.rawValue, "room": e.room?.rawValue ?? NSNull(),
            "rack": e.rack?.rawValue ?? NSNull(),
            "point": e.point?.description ?? NSNull(), "first_seen": "\(e.firstSeen)", "last_seen": "\(e.lastSeen)",
            "resolved_at": s.resolvedAt.map { "\($0)" } ?? NSNull(), "count": e.count, "message": e.message,
            "suppressed": e.suppressed, "flapping": e.flapping, "data_missing": e.dataMissing ?? NSNull(),
            "evidence": e.evidence.map { r -> [String: Any] in
                ["point": r.point.description, "time": "\(r.time)", "value": r.value.isFinite ? r.value : NSNull(), "quality": "\(r.quality)"]
            },
        ]
    }

    static func change(_ c: StoredEventChange) -> [String: Any] {
        [
            "seq": c.seq, "event_id": c.eventID, "at": "\(c.change.at)", "change": c.change.change.rawValue, "notify": c.change.notify,
            "event": event(StoredEvent(id: c.eventID, event: c.change.event, resolvedAt: c.change.event.state == .resolved ? c.change.at : nil)),
        ]
    }

    /// One line of JSON (an SSE `data:` field must not span lines).
    static func compact(_ object: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    }
}
