import ContaminationRules
import Foundation
import ITSMLink
import Testing

@Suite("itsm.policy: decoding and validation")
struct RawIncidentPolicyTests {
    func decode(_ json: String) throws -> RawIncidentPolicy { try JSONDecoder().decode(RawIncidentPolicy.self, from: Data(json.utf8)) }

    @Test("no keys: the defaults")
    func defaults() throws {
        let p = try decode("{}").policy()
        #expect(p == .defaults)
        #expect(p.minimumSeverity == .warning)
        #expect(p.resolveAfter == 600)
        #expect(p.onClear == .resolve)
        #expect(p.updateOnSeverityChange && p.updateOnFlapping)
        #expect(p.reopenWithin == 0)
        #expect(p.priorities == [.critical: 2, .warning: 3, .info: 4])
    }

    @Test("every key, snake_case")
    func everyKey() throws {
        let p = try decode(
            """
            {"minimum_severity": "critical", "resolve_after": "15m", "on_clear": "annotate_only",
             "update_on_severity_change": false, "update_on_flapping": false, "priorities": {"critical": 1}}
            """
        ).policy()
        #expect(p.minimumSeverity == .critical)
        #expect(p.resolveAfter == 900)
        #expect(p.onClear == .annotateOnly)
        #expect(!p.updateOnSeverityChange && !p.updateOnFlapping)
        #expect(p.priorities == [.critical: 1, .warning: 3, .info: 4])
        #expect(try decode(#"{"resolve_after": "0s", "reopen_within": "1h"}"#).policy().reopenWithin == 3600)
        #expect(try decode(#"{"on_closed_by_hand": "new"}"#).policy().onClosedByHand == .new)
        #expect(try decode("{}").policy().onClosedByHand == .reopen)
    }

    @Test(
        "a bad value names its key and the reason",
        arguments: [
            (
                #"{"minimum_severity": "urgent"}"#, "itsm.policy.minimum_severity",
                "'urgent' is not a severity (use info, warning, critical)"
            ),
            (#"{"resolve_after": "soon"}"#, "itsm.policy.resolve_after", "'soon' is not a duration"),
            (#"{"resolve_after": "-5m"}"#, "itsm.policy.resolve_after", "'-5m' is not a duration"),
            (#"{"reopen_within": "x"}"#, "itsm.policy.reopen_within", "'x' is not a duration"),
            (#"{"on_clear": "close"}"#, "itsm.policy.on_clear", "'close' is not one of resolve, annotate_only"),
            (#"{"on_closed_by_hand": "ignore"}"#, "itsm.policy.on_closed_by_hand", "'ignore' is not one of reopen, new"),
            (#"{"priorities": {"urgent": 1}}"#, "itsm.policy.priorities.urgent", "'urgent' is not a severity"),
            (#"{"priorities": {"critical": 0}}"#, "itsm.policy.priorities.critical", "0 is not a priority from 1 (highest) to 5 (lowest)"),
            (
                #"{"on_clear": "annotate_only", "reopen_within": "1h"}"#, "itsm.policy.reopen_within",
                "has no effect with on_clear: annotate_only"
            ),
        ])
    func refused(_ json: String, _ key: String, _ reason: String) throws {
        let raw = try decode(json)
        #expect {
            try raw.policy()
        } throws: { error in
            guard let e = error as? IncidentPolicyErrors, let p = e.problems.first else { return false }
            return e.problems.count == 1 && p.key == key && p.reason.hasPrefix(reason)
        }
    }

    @Test("every problem at once, under the path given")
    func allProblems() throws {
        let raw = try decode(#"{"minimum_severity": "x", "on_clear": "y", "resolve_after": "z"}"#)
        do {
            _ = try raw.policy(at: "itsm.policy")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.key) == ["itsm.policy.minimum_severity", "itsm.policy.resolve_after", "itsm.policy.on_clear"])
            #expect(error.description.contains("itsm.policy.on_clear: 'y' is not one of resolve, annotate_only"))
        }
    }

    @Test("the raw shape encodes with its snake_case keys")
    func roundTrip() throws {
        let raw = RawIncidentPolicy(minimumSeverity: "critical", resolveAfter: "10m", onClear: "resolve", updateOnFlapping: true)
        let json = String(decoding: try JSONEncoder().encode(raw), as: UTF8.self)
        #expect(json.contains("\"minimum_severity\":\"critical\""))
        #expect(json.contains("\"resolve_after\":\"10m\""))
        #expect(try decode(json) == raw)
    }
}
