/// Why a checklist action was refused. Printed for a person with the run and the detail.
public struct ChecklistError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        case wrongState = "wrong-state"
        case unknownItem = "unknown-item"
        case unknownTarget = "unknown-target"
        case wrongTarget = "wrong-target"
        case missingPerson = "missing-person"
        case noteRequired = "note-required"
        case unansweredItems = "unanswered-items"
        case failedItems = "failed-items"
        case executorCannotApprove = "executor-cannot-approve"
        case supervisorRequired = "supervisor-required"
        case reasonRequired = "reason-required"
        case notSubmitter = "not-submitter"
        case lifecycleNotAllowed = "lifecycle-not-allowed"
        case invalidTemplate = "invalid-template"
        case automaticItem = "automatic-item"
    }

    /// What went wrong.
    public let code: Code
    /// The run it concerns.
    public let run: String
    /// The detail for a person.
    public let detail: String

    private init(_ code: Code, _ run: String, _ detail: String) {
        self.code = code
        self.run = run
        self.detail = detail
    }

    static func wrongState(_ run: String, _ state: ChecklistRun.State, _ action: String) -> Self {
        .init(.wrongState, run, "cannot \(action) a run that is \(state.rawValue)")
    }
    static func unknownItem(_ run: String, _ item: String) -> Self { .init(.unknownItem, run, "no item '\(item)' in this checklist") }
    static func unknownTarget(_ run: String, _ target: String) -> Self { .init(.unknownTarget, run, "\(target) is not on the floor") }
    static func wrongTarget(_ run: String, _ detail: String) -> Self { .init(.wrongTarget, run, detail) }
    static func missingPerson(_ run: String, _ role: String) -> Self { .init(.missingPerson, run, "the \(role) must be named") }
    static func noteRequired(_ run: String, _ item: String) -> Self { .init(.noteRequired, run, "item '\(item)' failed: a note saying why is required") }
    static func unanswered(_ run: String, _ items: [String]) -> Self { .init(.unansweredItems, run, "unanswered: \(items.joined(separator: ", "))") }
    static func failed(_ run: String, _ items: [String]) -> Self { .init(.failedItems, run, "failed items cannot be approved (reject the run instead): \(items.joined(separator: ", "))") }
    static func executorCannotApprove(_ run: String, _ person: String) -> Self {
        .init(.executorCannotApprove, run, "\(person) executed this run and cannot approve it (J.2); another approver, or an override by a named supervisor, is needed")
    }
    static func supervisorRequired(_ run: String, _ detail: String) -> Self { .init(.supervisorRequired, run, detail) }
    static func reasonRequired(_ run: String, _ action: String) -> Self { .init(.reasonRequired, run, "\(action) needs a reason") }
    static func notSubmitter(_ run: String, _ person: String) -> Self { .init(.notSubmitter, run, "only the executor may submit or reopen; \(person) is not the executor") }
    static func lifecycleNotAllowed(_ run: String, _ detail: String) -> Self { .init(.lifecycleNotAllowed, run, detail) }
    static func automaticItem(_ run: String, _ item: String) -> Self {
        .init(.automaticItem, run, "item '\(item)' is answered by dcagent from the floor model; change the floor and evaluate again")
    }
    static func invalidTemplate(_ run: String, _ detail: String) -> Self { .init(.invalidTemplate, run, detail) }

    /// `checklist run R-1: [executor-cannot-approve] …`.
    public var description: String { "checklist run \(run): [\(code.rawValue)] \(detail)" }
}
