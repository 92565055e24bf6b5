public import FloorModel
public import Telemetry
import ContaminationRules
import Foundation
import GRDB

/// Checklist runs in the database (Lampiran II I.1.b.3–6, J.2, J.3). The model
/// (``ChecklistRun``) enforces the state machine and segregation of duties; this repository
/// loads the run and its floor, applies one transition and writes the run, its audit row and —
/// on approval — the device's lifecycle change, in ONE transaction. Model refusals are thrown
/// as the model's ``ChecklistError``.
public struct ChecklistRepository: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail
    let users: UserRepository

    /// Creates the repository.
    public init(database: AgentDatabase, audit: AuditTrail, users: UserRepository) {
        self.database = database
        self.audit = audit
        self.users = users
    }

    /// One run, or nil.
    public func run(_ id: String) throws -> ChecklistRun? {
        try database.writer.read { db in try Self.load(id, db) }
    }

    /// Runs bound to a target, oldest first.
    public func runs(target: CIID) throws -> [ChecklistRun] {
        try database.writer.read { try Self.runs(target: target, $0) }
    }

    static func runs(target: CIID, _ db: Database) throws -> [ChecklistRun] {
        try String.fetchAll(db, sql: "SELECT json FROM checklist_runs WHERE target = ? ORDER BY seq", arguments: [target.rawValue])
            .map { try FloorRows.decode(ChecklistRun.self, $0, "checklist run") }
    }

    /// Starts a run (id `CL-n`) of `template` on a stored device or rack, evaluates its automatic
    /// items from the stored floor, and writes it with a `checklist.start` audit row.
    public func start(
        template: ChecklistTemplate, target: ChecklistTarget, changeReference: String, executor: String, decommissionTo: Lifecycle? = nil
    ) throws -> ChecklistRun {
        var started: ChecklistRun?
        let details = ["template": template.id, "target": target.description, "change": changeReference]
        // The run id is only known inside the transaction; the audit object names the target.
        try audit.append(actor: executor, action: "checklist.start", object: "\(target.kind.rawValue)/\(target.id)", details: details) { db in
            guard let site = try FloorRows.site(of: target.id.rawValue, db), let floor = try FloorRows.load(site: site, db) else {
                throw StoreError.invalid("checklist target \(target): not on any stored floor (import the floor first)")
            }
            let seq = (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM checklist_runs") ?? 1)
            let now = Timestamp.now
            var run = try ChecklistRun(
                id: "CL-\(seq)", template: template, target: target, changeReference: changeReference, executor: executor,
                decommissionTo: decommissionTo, floor: floor, at: now)
            try run.evaluateAutomatic(floor: floor, at: now, live: try Self.live(db, floor: floor, target: target, now: now))
            try db.execute(
                sql: """
                    INSERT INTO checklist_runs(seq, run_id, site, template, target, change_ref, executor, state, json, started_ms, updated_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    seq, run.id, site, template.id, target.id.rawValue, changeReference, executor, run.state.rawValue, try FloorRows.json(run),
                    now.milliseconds, now.milliseconds,
                ])
            started = run
        }
        return started!
    }

    /// Records a person's answer (`checklist.answer`).
    @discardableResult
    public func answer(run id: String, item: String, _ outcome: ItemOutcome, note: String, by person: String) throws -> ChecklistRun {
        try transition(
            id, actor: person, action: "checklist.answer", details: ["item": item, "outcome": outcome.rawValue, "note": note]
        ) { run, _, _ in
            try run.answer(item, outcome, note: note, by: person, at: .now)
        }
    }

    /// Evaluates the run's automatic items again against the stored floor and the site as it is
    /// now — latest readings and firing events (`checklist.refresh`; the audit row lists each
    /// item whose outcome changed, `item: before → after`). A person's answer stands. Returns
    /// the run and the changed items.
    public func refresh(run id: String, by person: String) throws -> (run: ChecklistRun, changed: [ChecklistRun.Refreshed]) {
        var changed: [ChecklistRun.Refreshed] = []
        let run = try detailedTransition(id, actor: person, action: "checklist.refresh", details: [:]) { run, floor, db -> [String: String] in
            let now = Timestamp.now
            changed = try run.refreshAutomatic(floor: floor, at: now, live: try Self.live(db, floor: floor, target: run.target, now: now))
            func word(_ o: ItemOutcome?) -> String { o?.rawValue ?? "open" }
            return ["changed": changed.map { "\($0.item): \(word($0.before)) → \(word($0.after))" }.joined(separator: "; ")]
        }
        return (run, changed)
    }

    /// The executor submits the run for approval (`checklist.submit`).
    @discardableResult
    public func submit(run id: String, by person: String) throws -> ChecklistRun {
        try transition(id, actor: person, action: "checklist.submit", details: [:]) { run, _, _ in try run.submit(by: person, at: .now) }
    }

    /// Rejects a submitted run with a reason (`checklist.reject`).
    @discardableResult
    public func reject(run id: String, by person: String, reason: String) throws -> ChecklistRun {
        try transition(id, actor: person, action: "checklist.reject", details: ["reason": reason]) { run, _, _ in
            try run.reject(by: person, reason: reason, at: .now)
        }
    }

    /// The executor reopens a rejected run to fix its answers (`checklist.reopen`); the
    /// rejection stays in the audit trail, and the run is submitted again.
    @discardableResult
    public func reopen(run id: String, by person: String) throws -> ChecklistRun {
        try transition(id, actor: person, action: "checklist.reopen", details: [:]) { run, _, _ in try run.reopen(by: person, at: .now) }
    }

    /// Approves a submitted run (`checklist.approve`); the executor is refused (J.2). The
    /// completion's lifecycle change is applied to the stored device in the same transaction.
    @discardableResult
    public func approve(run id: String, by approver: String, note: String = "") throws -> ChecklistRun {
        try transition(id, actor: approver, action: "checklist.approve", details: ["note": note]) { run, floor, db in
            if let change = try run.approve(by: approver, note: note, at: .now) { try Self.apply(change, run: run.id, floor: floor, db) }
        }
    }

    /// Approves with a supervisor's override (J.3): `supervisor` must be a registered, enabled
    /// user with role supervisor or higher, not the executor; the audit row
    /// (`checklist.approve.override`) records supervisor, executor and reason.
    @discardableResult
    public func approveWithOverride(run id: String, by approver: String, supervisor: String, reason: String) throws -> ChecklistRun {
        guard let s = try users.find(supervisor) else {
            throw StoreError.invalid("checklist run \(id): field supervisor: \(StoreError.unknownUser(supervisor).message)")
        }
        guard !s.builtIn else {
            throw StoreError.invalid("checklist run \(id): field supervisor: '\(supervisor)' is a built-in actor of the agent, not a person")
        }
        guard !s.disabled else { throw StoreError.invalid("checklist run \(id): field supervisor: user '\(supervisor)' is disabled") }
        guard s.role >= .supervisor else {
            throw StoreError.invalid(
                "checklist run \(id): field supervisor: user '\(supervisor)' has role \(s.role.rawValue); an override needs a supervisor or admin")
        }
        guard let current = try run(id) else { throw StoreError.invalid("checklist run \(id) does not exist") }
        let details = ["supervisor": supervisor, "executor": current.executor, "reason": reason, "override": "true"]
        return try transition(id, actor: approver, action: "checklist.approve.override", details: details) { run, floor, db in
            let (change, _) = try run.approveWithOverride(by: approver, supervisor: supervisor, reason: reason, at: .now)
            if let change { try Self.apply(change, run: run.id, floor: floor, db) }
        }
    }

    // MARK: Internals

    /// Loads the run and its site's floor inside the write transaction, applies `body`, stores
    /// the run, and writes the audit row (object `checklist-run/ID`, details + template,
    /// target, change, state).
    private func transition(
        _ id: String, actor: String, action: String, details: [String: String],
        _ body: (inout ChecklistRun, Floor, Database) throws -> Void
    ) throws -> ChecklistRun {
        try detailedTransition(id, actor: actor, action: action, details: details) { run, floor, db -> [String: String] in
            try body(&run, floor, db)
            return [:]
        }
    }

    /// A transition whose body adds to the audit row's details what it found.
    private func detailedTransition(
        _ id: String, actor: String, action: String, details: [String: String],
        _ body: (inout ChecklistRun, Floor, Database) throws -> [String: String]
    ) throws -> ChecklistRun {
        guard let before = try run(id) else { throw StoreError.invalid("checklist run \(id) does not exist") }
        var all = details
        all["template"] = before.template.id
        all["target"] = before.target.description
        all["change"] = before.changeReference
        var result: ChecklistRun?
        try audit.append(actor: actor, action: action, object: "checklist-run/\(id)") { db in
            guard var run = try Self.load(id, db) else { throw StoreError.invalid("checklist run \(id) does not exist") }
            let site = try String.fetchOne(db, sql: "SELECT site FROM checklist_runs WHERE run_id = ?", arguments: [id]) ?? ""
            guard let floor = try FloorRows.load(site: site, db) else {
                throw StoreError.invalid("checklist run \(id): its site \(site) is no longer stored")
            }
            let found = try body(&run, floor, db)
            try db.execute(
                sql: "UPDATE checklist_runs SET state = ?, json = ?, updated_ms = ? WHERE run_id = ?",
                arguments: [run.state.rawValue, try FloorRows.json(run), Timestamp.now.milliseconds, id])
            result = run
            return all.merging(found) { _, new in new }
        }
        return result!
    }

    private static func apply(_ change: LifecycleChange, run: String, floor: Floor, _ db: Database) throws {
        let changed = try floor.applying(change, run: run)
        guard let device = changed.device(change.ci) else { throw StoreError.invalid("checklist run \(run): device \(change.ci) vanished") }
        try FloorRows.updateDevice(device, db)
    }

    static func load(_ id: String, _ db: Database) throws -> ChecklistRun? {
        try String.fetchOne(db, sql: "SELECT json FROM checklist_runs WHERE run_id = ?", arguments: [id])
            .map { try FloorRows.decode(ChecklistRun.self, $0, "checklist run \(id)") }
    }

    /// The running site as the `sensor-readings` item needs it: the latest readings of the
    /// sensors in the target's rack and the events firing on them, the rack or the target.
    static func live(_ db: Database, floor: Floor, target: ChecklistTarget, now: Timestamp) throws -> LiveSite {
        guard let rack = LiveSite.rack(of: target, floor: floor) else { return LiveSite(latest: [], firing: [], now: now) }
        let sensors = LiveSite.sensors(inRack: rack, floor: floor)
        var latest: [Reading] = []
        for s in sensors { latest += try SampleStore.latest(db, ci: s) }
        let scopes = sensors + [rack, target.id]
        let firing = try String.fetchAll(
            db, sql: "SELECT json FROM events WHERE state = 'firing' AND scope IN (\(scopes.map { _ in "?" }.joined(separator: ",")))",
            arguments: StatementArguments(scopes.map(\.rawValue))
        ).map { try EventJSON.decode($0) }.map { LiveSite.FiringEvent(scope: $0.scope, severity: $0.severity.rawValue, message: $0.message) }
        // The measured side of the fit check: the rack's and its PDUs' power_total (DESIGN decision 18).
        return LiveSite(latest: latest, firing: firing, now: now, power: try MeasuredPower.readings(db, floor: floor, rack: rack))
    }
}
