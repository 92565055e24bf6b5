public import AgentStore
import Foundation

/// What the ticket page needs for problems and changes (issue 15): read a problem or a change,
/// record a known error, approve or reject a change. A site agent's ``ITSMFollowUps``; without
/// it the forms are not offered.
public protocol FollowUpActing: Sendable {
    func problem(_ number: String) async throws -> ProblemRecord?
    func change(_ number: String) async throws -> ChangeRecord?
    func recordKnownError(_ number: String, rootCause: String, workaround: String, actor: String) async throws -> ProblemRecord
    func decideChange(_ number: String, approve: Bool, note: String, actor: String) async throws -> ChangeRecord
}

extension ITSMFollowUps: FollowUpActing {
    public func recordKnownError(_ number: String, rootCause: String, workaround: String, actor: String) async throws -> ProblemRecord {
        try await offPool { try self.recordKnownError(number, rootCause: rootCause, workaround: workaround, by: actor) }
    }
    public func decideChange(_ number: String, approve: Bool, note: String, actor: String) async throws -> ChangeRecord {
        try await offPool { try self.decideChange(number, approve: approve, by: actor, note: note) }
    }
}
