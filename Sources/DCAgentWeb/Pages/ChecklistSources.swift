public import AgentStore
public import ContaminationRules
public import FloorModel
import HTTPTypes
public import Telemetry

// What the checklist and obligations pages act on and read, beside ``ChecklistReading``.

/// Checklist runs moved by a person (Lampiran II I.1.b.3–6, J.2, J.3): the same
/// ``ChecklistRepository`` calls as `dcagent checklist …`, so the run's state machine and
/// segregation of duties are the model's (``ChecklistRun``), never the page's.
public protocol ChecklistActing: Sendable {
    /// Runs newest first, at most `limit`; `state` nil for every state.
    func recentRuns(state: ChecklistRun.State?, limit: Int) async throws -> [ChecklistRunSummary]
    /// Starts a run of `template` on a stored device or rack (``ChecklistRepository/start``).
    func startRun(template: ChecklistTemplate, target: ChecklistTarget, changeReference: String, executor: String, decommissionTo: Lifecycle?)
        async throws -> ChecklistRun
    /// A person's answer to an item.
    func answerItem(run: String, item: String, _ outcome: ItemOutcome, note: String, by person: String) async throws -> ChecklistRun
    /// The executor submits the run.
    func submitRun(_ run: String, by person: String) async throws -> ChecklistRun
    /// Approves a submitted run; the executor is refused (J.2).
    func approveRun(_ run: String, by approver: String, note: String) async throws -> ChecklistRun
    /// Approves with a named supervisor's override and a reason (J.3).
    func approveRunWithOverride(_ run: String, by approver: String, supervisor: String, reason: String) async throws -> ChecklistRun
    /// Rejects a submitted run with a reason.
    func rejectRun(_ run: String, by person: String, reason: String) async throws -> ChecklistRun
    /// The executor reopens a rejected run.
    func reopenRun(_ run: String, by person: String) async throws -> ChecklistRun
}

extension ChecklistRepository: ChecklistActing {
    public func startRun(template: ChecklistTemplate, target: ChecklistTarget, changeReference: String, executor: String, decommissionTo: Lifecycle?)
        async throws -> ChecklistRun
    {
        try await offPool {
            try self.start(template: template, target: target, changeReference: changeReference, executor: executor, decommissionTo: decommissionTo)
        }
    }
    public func answerItem(run: String, item: String, _ outcome: ItemOutcome, note: String, by person: String) async throws -> ChecklistRun {
        try await offPool { try self.answer(run: run, item: item, outcome, note: note, by: person) }
    }
    public func submitRun(_ run: String, by person: String) async throws -> ChecklistRun {
        try await offPool { try self.submit(run: run, by: person) }
    }
    public func approveRun(_ run: String, by approver: String, note: String) async throws -> ChecklistRun {
        try await offPool { try self.approve(run: run, by: approver, note: note) }
    }
    public func approveRunWithOverride(_ run: String, by approver: String, supervisor: String, reason: String) async throws -> ChecklistRun {
        try await offPool { try self.approveWithOverride(run: run, by: approver, supervisor: supervisor, reason: reason) }
    }
    public func rejectRun(_ run: String, by person: String, reason: String) async throws -> ChecklistRun {
        try await offPool { try self.reject(run: run, by: person, reason: reason) }
    }
    public func reopenRun(_ run: String, by person: String) async throws -> ChecklistRun {
        try await offPool { try self.reopen(run: run, by: person) }
    }
}

/// No checklists to act on: the list is empty and every action answers 503.
public struct NoChecklistActions: ChecklistActing {
    public init() {}
    static var unavailable: APIError { APIError(.serviceUnavailable, code: "checklists_unavailable", message: "this server cannot run checklists") }
    public func recentRuns(state: ChecklistRun.State?, limit: Int) async throws -> [ChecklistRunSummary] { [] }
    public func startRun(template: ChecklistTemplate, target: ChecklistTarget, changeReference: String, executor: String, decommissionTo: Lifecycle?)
        async throws -> ChecklistRun
    { throw Self.unavailable }
    public func answerItem(run: String, item: String, _ outcome: ItemOutcome, note: String, by person: String) async throws -> ChecklistRun {
        throw Self.unavailable
    }
    public func submitRun(_ run: String, by person: String) async throws -> ChecklistRun { throw Self.unavailable }
    public func approveRun(_ run: String, by approver: String, note: String) async throws -> ChecklistRun { throw Self.unavailable }
    public func approveRunWithOverride(_ run: String, by approver: String, supervisor: String, reason: String) async throws -> ChecklistRun {
        throw Self.unavailable
    }
    public func rejectRun(_ run: String, by person: String, reason: String) async throws -> ChecklistRun { throw Self.unavailable }
    public func reopenRun(_ run: String, by person: String) async throws -> ChecklistRun { throw Self.unavailable }
}

/// No obligation records.
public struct NoRecords: RecordReading {
    public init() {}
    public func records() async throws -> [ObligationRecord] { [] }
    public func windows(endingAfter since: Timestamp) async throws -> [StoredMaintenanceWindow] { [] }
}
