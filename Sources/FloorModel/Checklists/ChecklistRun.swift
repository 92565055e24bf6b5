public import Telemetry

/// The device or rack a run checks.
public struct ChecklistTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Device or rack.
    public var kind: ChecklistTargetKind
    /// Its CI id.
    public var id: CIID

    /// Creates a target.
    public init(_ kind: ChecklistTargetKind, _ id: CIID) {
        self.kind = kind
        self.id = id
    }

    /// `device DC-R05-SRV01`.
    public var description: String { "\(kind.rawValue) \(id)" }
}

/// The answer to one item.
public enum ItemOutcome: String, Hashable, Sendable, Codable, CaseIterable {
    case pass, fail
    case notApplicable = "n/a"
}

/// One recorded answer: outcome, note, who answered and when; `automatic` when the agent did.
public struct ItemAnswer: Hashable, Sendable, Codable {
    /// Pass, fail or not applicable.
    public var outcome: ItemOutcome
    /// Free text (required on fail); for automatic items, the evaluation ("fits in U12–U13: yes").
    public var note: String
    /// The person (or `dcagent` for automatic answers).
    public var person: String
    /// When.
    public var at: Timestamp
    /// True when the agent evaluated it from the model.
    public var automatic: Bool = false
}

/// A fact for the audit trail (J.3) that the caller persists (AgentStore signs it).
public struct AuditFact: Hashable, Sendable, Codable {
    /// What happened (`checklist.approve.override`).
    public var action: String
    /// Who did it.
    public var actor: String
    /// The object (`checklist-run:R-1`).
    public var subject: String
    /// When.
    public var at: Timestamp
    /// Details, sorted by key when serialised.
    public var details: [String: String] = [:]
}

/// A lifecycle change a completed run asks the floor to make.
public struct LifecycleChange: Hashable, Sendable, Codable {
    /// The CI.
    public var ci: CIID
    /// States it may be in now.
    public var from: Set<Lifecycle>
    /// The state it moves to.
    public var to: Lifecycle
}

/// One run of a checklist: a pure state machine. start → answer items (the agent answers
/// automatic ones from the floor) → submit → approve or reject (→ reopen). Whoever executes
/// a run cannot approve it (J.2); an override needs a named supervisor and yields an
/// ``AuditFact`` (J.3). Approval returns the ``LifecycleChange`` to apply.
public struct ChecklistRun: Hashable, Sendable, Codable {
    /// Where the run is.
    public enum State: String, Hashable, Sendable, Codable, CaseIterable {
        case inProgress = "in-progress"
        case submitted, approved, rejected
    }

    /// Run id, chosen by the caller.
    public var id: String
    /// The template as it was when the run started.
    public var template: ChecklistTemplate
    /// What is checked.
    public var target: ChecklistTarget
    /// The change request this work belongs to (E.1).
    public var changeReference: String
    /// The person executing the run.
    public var executor: String
    /// Where a decommissioning run leaves the device: offline or disposed.
    public var decommissionTo: Lifecycle?
    /// Current state.
    public private(set) var state: State
    /// Answers by item id.
    public private(set) var answers: [String: ItemAnswer]
    /// Who approved or rejected, and why.
    public private(set) var decidedBy: String?
    /// The approver's or rejecter's note.
    public private(set) var decisionNote: String?
    /// The supervisor who authorised an override, if any.
    public private(set) var overrideSupervisor: String?
    /// When it was started.
    public var startedAt: Timestamp

    /// Starts a run; throws when the template is invalid, the target kind does not match the
    /// template, the target is not on the floor, or a person or change reference is missing.
    public init(
        id: String, template: ChecklistTemplate, target: ChecklistTarget, changeReference: String, executor: String,
        decommissionTo: Lifecycle? = nil, floor: Floor, at: Timestamp
    ) throws(ChecklistError) {
        if let p = template.problems().first { throw .invalidTemplate(id, p.message) }
        guard template.kind.targetKind == target.kind else {
            throw .wrongTarget(id, "a \(template.kind.rawValue) checklist is bound to a \(template.kind.targetKind.rawValue), not a \(target.kind.rawValue)")
        }
        let exists = target.kind == .device ? floor.device(target.id) != nil : floor.rack(target.id) != nil
        guard exists else { throw .unknownTarget(id, target.description) }
        guard !executor.isEmpty else { throw .missingPerson(id, "executor") }
        guard !changeReference.isEmpty else { throw .reasonRequired(id, "a run (change reference)") }
        if template.kind == .decommissioning {
            guard let to = decommissionTo, to == .offline || to == .disposed else {
                throw .wrongTarget(id, "a decommissioning run must say whether the device ends offline or disposed")
            }
        }
        self.id = id
        self.template = template
        self.target = target
        self.changeReference = changeReference
        self.executor = executor
        self.decommissionTo = template.kind == .decommissioning ? decommissionTo : nil
        self.state = .inProgress
        self.answers = [:]
        self.startedAt = at
    }

    // MARK: Answering

    /// Records a person's answer; a fail needs a note. Only while in progress, and not for
    /// items the floor model decides (a person cannot overrule the fit check).
    public mutating func answer(_ item: String, _ outcome: ItemOutcome, note: String = "", by person: String, at: Timestamp) throws(ChecklistError) {
        guard state == .inProgress else { throw .wrongState(id, state, "answer") }
        guard let entry = template.items.first(where: { $0.id == item }) else { throw .unknownItem(id, item) }
        if let check = entry.automatic, check.decidedByModel { throw .automaticItem(id, item) }
        guard !person.isEmpty else { throw .missingPerson(id, "person answering") }
        if outcome == .fail && note.isEmpty { throw .noteRequired(id, item) }
        answers[item] = ItemAnswer(outcome: outcome, note: note, person: person, at: at)
    }

    /// Answers every automatic item from the floor. Items the model cannot decide (live
    /// readings) are left for a person; returns the ids left open.
    @discardableResult
    public mutating func evaluateAutomatic(floor: Floor, at: Timestamp, live: LiveSite? = nil) throws(ChecklistError) -> [String] {
        guard state == .inProgress else { throw .wrongState(id, state, "evaluate") }
        try refreshAutomatic(floor: floor, at: at, live: live)
        return template.items.filter { $0.automatic != nil && answers[$0.id] == nil }.map(\.id)
    }

    /// An automatic item whose outcome a refresh changed (nil: open, for a person).
    public struct Refreshed: Hashable, Sendable {
        public let item: String
        public let before: ItemOutcome?
        public let after: ItemOutcome?
        public let note: String
    }

    /// Evaluates the automatic items again, from the floor and the site as they are now: the
    /// answer to "readings normal" that failed on a firing event passes once it has resolved.
    /// A person's answer stands (the agent never overwrites one); an automatic answer is
    /// replaced, or removed when the item can no longer be decided (no recent reading), so a
    /// stale pass is never submitted. Returns the items whose outcome changed.
    @discardableResult
    public mutating func refreshAutomatic(floor: Floor, at: Timestamp, live: LiveSite? = nil) throws(ChecklistError) -> [Refreshed] {
        guard state == .inProgress else { throw .wrongState(id, state, "refresh") }
        var changed: [Refreshed] = []
        for item in template.items {
            guard let check = item.automatic else { continue }
            let current = answers[item.id]
            if let current, !current.automatic { continue }
            let result = check.evaluate(target, floor: floor, live: live)
            answers[item.id] = result.outcome.map { ItemAnswer(outcome: $0, note: result.note, person: "dcagent", at: at, automatic: true) }
            if current?.outcome != result.outcome {
                changed.append(Refreshed(item: item.id, before: current?.outcome, after: result.outcome, note: result.note))
            }
        }
        return changed
    }

    /// Items without an answer, in template order.
    public var unanswered: [String] { template.items.map(\.id).filter { answers[$0] == nil } }

    /// Items answered fail, in template order.
    public var failed: [String] { template.items.map(\.id).filter { answers[$0]?.outcome == .fail } }

    // MARK: Transitions

    /// The executor hands the run over for approval; every item must be answered.
    public mutating func submit(by person: String, at: Timestamp) throws(ChecklistError) {
        guard state == .inProgress else { throw .wrongState(id, state, "submit") }
        guard person == executor else { throw .notSubmitter(id, person) }
        let open = unanswered
        guard open.isEmpty else { throw .unanswered(id, open) }
        state = .submitted
    }

    /// Approves a submitted run. The executor cannot approve (J.2); failed items cannot be
    /// approved. Returns the lifecycle change to apply to the floor, if the kind has one.
    public mutating func approve(by approver: String, note: String = "", at: Timestamp) throws(ChecklistError) -> LifecycleChange? {
        guard state == .submitted else { throw .wrongState(id, state, "approve") }
        guard !approver.isEmpty else { throw .missingPerson(id, "approver") }
        guard approver != executor else { throw .executorCannotApprove(id, approver) }
        let bad = failed
        guard bad.isEmpty else { throw .failed(id, bad) }
        state = .approved
        decidedBy = approver
        decisionNote = note
        return completion
    }

    /// Approves when segregation of duties cannot be kept (the approver is the executor): a
    /// named supervisor, not the executor, authorises it with a reason. Returns the lifecycle
    /// change and the audit fact the caller must write (J.3).
    public mutating func approveWithOverride(by approver: String, supervisor: String, reason: String, at: Timestamp) throws(ChecklistError) -> (LifecycleChange?, AuditFact) {
        guard state == .submitted else { throw .wrongState(id, state, "approve") }
        guard !approver.isEmpty else { throw .missingPerson(id, "approver") }
        guard !supervisor.isEmpty else { throw .supervisorRequired(id, "an override needs a named supervisor") }
        guard supervisor != executor else { throw .supervisorRequired(id, "the supervisor authorising an override cannot be the executor (\(executor))") }
        guard !reason.isEmpty else { throw .reasonRequired(id, "an override") }
        let bad = failed
        guard bad.isEmpty else { throw .failed(id, bad) }
        state = .approved
        decidedBy = approver
        decisionNote = reason
        overrideSupervisor = supervisor
        let fact = AuditFact(
            action: "checklist.approve.override", actor: approver, subject: "checklist-run:\(id)", at: at,
            details: [
                "supervisor": supervisor, "executor": executor, "reason": reason, "template": template.id,
                "target": target.description, "change": changeReference,
            ])
        return (completion, fact)
    }

    /// Rejects a submitted run with a reason; the executor may reopen it. The executor may not
    /// reject their own run either.
    public mutating func reject(by person: String, reason: String, at: Timestamp) throws(ChecklistError) {
        guard state == .submitted else { throw .wrongState(id, state, "reject") }
        guard !person.isEmpty else { throw .missingPerson(id, "rejecter") }
        guard person != executor else { throw .executorCannotApprove(id, person) }
        guard !reason.isEmpty else { throw .reasonRequired(id, "a rejection") }
        state = .rejected
        decidedBy = person
        decisionNote = reason
    }

    /// The executor reopens a rejected run to fix answers.
    public mutating func reopen(by person: String, at: Timestamp) throws(ChecklistError) {
        guard state == .rejected else { throw .wrongState(id, state, "reopen") }
        guard person == executor else { throw .notSubmitter(id, person) }
        state = .inProgress
        decidedBy = nil
        decisionNote = nil
    }

    /// The lifecycle change approval brings: pre-installation → staged, post-installation →
    /// active, decommissioning → offline or disposed; cable checks change nothing.
    public var completion: LifecycleChange? {
        switch template.kind {
        case .preInstallation: LifecycleChange(ci: target.id, from: [.planned], to: .staged)
        case .postInstallation: LifecycleChange(ci: target.id, from: [.staged], to: .active)
        case .decommissioning: LifecycleChange(ci: target.id, from: [.active, .decommissioning, .offline], to: decommissionTo ?? .offline)
        case .cableCheck: nil
        }
    }
}

extension Floor {
    /// The floor with a completed run's lifecycle change applied; throws when the CI is not a
    /// device on the floor or is not in a state the change starts from.
    public func applying(_ change: LifecycleChange, run: String) throws(ChecklistError) -> Floor {
        guard let i = devices.firstIndex(where: { $0.id == change.ci }) else { throw .unknownTarget(run, "device \(change.ci)") }
        let now = devices[i].lifecycle
        guard change.from.contains(now) else {
            throw .lifecycleNotAllowed(run, "\(change.ci) is \(now.rawValue); this run moves a device from \(change.from.map(\.rawValue).sorted().joined(separator: " or ")) to \(change.to.rawValue)")
        }
        var copy = self
        copy.devices[i].lifecycle = change.to
        return copy
    }
}
