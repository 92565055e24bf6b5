public import ContaminationRules
public import Foundation
import GRDB
public import Telemetry

/// A problem opened for a recurring condition (issue 15, F.3.b.1), with its known error once
/// an engineer recorded it.
public struct ProblemRecord: Hashable, Sendable {
    /// `PRB-000007` (its built-in ticket's number).
    public var number: String
    /// The condition that recurs (the incidents' dedup key).
    public var conditionKey: String
    /// The problem's opening (`problem|<key>` at its first incident's first-seen time).
    public var opening: OpeningKey
    /// `open`, `known_error`, `closed`.
    public var state: String
    public var subject: String
    public var trend: String
    public var rootCause: String?
    public var workaround: String?
    public var knownErrorBy: String?
    public var knownErrorAt: Timestamp?
    /// Its incidents: opening and ticket reference, oldest first.
    public var incidents: [(opening: OpeningKey, ticket: String?)]
    public var created: Timestamp

    public static func == (a: Self, b: Self) -> Bool { a.number == b.number && a.state == b.state && a.incidents.count == b.incidents.count }
    public func hash(into h: inout Hasher) { h.combine(number) }
}

/// A request for change the agent drafted (issue 15, E.1), and its approval (J.2).
public struct ChangeRecord: Hashable, Sendable {
    /// `CHG-000009` (its built-in ticket's number).
    public var number: String
    /// The change's opening (`change|<key>` at its incident's first-seen time).
    public var opening: OpeningKey
    /// The incident that asked for it.
    public var incident: OpeningKey
    /// The problem it belongs to, when there is one (`PRB-…`).
    public var problem: String?
    /// `emergency` or `normal`.
    public var category: String
    /// `draft`, `approved`, `rejected`, `closed`.
    public var state: String
    public var subject: String
    public var body: String
    /// Who asked for it (`system` when the agent drafted it).
    public var requester: String
    public var cis: [String]
    public var checklist: String?
    public var rack: String?
    /// The checklist run started with it (`CL-12`).
    public var checklistRun: String?
    public var decidedBy: String?
    public var decidedAt: Timestamp?
    public var decisionNote: String?
    public var created: Timestamp
}

/// The follow-up of incidents in the store (issue 15): which incidents were followed up, the
/// problems and known errors, the drafted changes and their approval. A problem or a change is
/// a built-in ticket of its kind (`PRB-`, `CHG-`) whatever the target, so the agent keeps the
/// known-error database and the approvals itself; the target (Request Tracker) gets its own
/// ticket through the outbox.
public struct ITSMFollowUps: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail
    let users: UserRepository

    public init(database: AgentDatabase, audit: AuditTrail, users: UserRepository) {
        self.database = database
        self.audit = audit
        self.users = users
    }

    /// Incidents at `target` whose ticket exists and that were not followed up yet, oldest first.
    /// A member of a correlation group counts too, with its group's ticket: its condition
    /// recurs, or needs a change, whatever else fired with it.
    public func pending(target: String, limit: Int = 100) async throws -> [TicketLink] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.* FROM itsm_links l
                    WHERE l.target = ? AND l.ticket IS NOT NULL AND l.state IN ('open', 'clearing', 'resolved', 'leftOpen')
                      AND NOT EXISTS (SELECT 1 FROM itsm_followups f
                                      WHERE f.target = l.target AND f.dedup_key = l.dedup_key AND f.first_seen_ms = l.first_seen_ms)
                    ORDER BY l.first_seen_ms LIMIT ?
                    """, arguments: [target, limit]
            ).map(ITSMStore.link)
        }
    }

    /// The incidents of a condition at `target` that had a ticket, first seen at or after `since`.
    public func incidents(target: String, dedupKey: String, since: Timestamp) async throws -> [TicketLink] {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM itsm_links WHERE target = ? AND dedup_key = ? AND first_seen_ms >= ?
                      AND state IN ('open', 'clearing', 'resolved', 'leftOpen') ORDER BY first_seen_ms
                    """, arguments: [target, dedupKey, since.milliseconds]
            ).map(ITSMStore.link)
        }
    }

    /// The problem of a condition that is not closed, if any.
    public func openProblem(condition key: String) async throws -> ProblemRecord? {
        try await database.writer.read { db in
            guard let id = try Int64.fetchOne(
                db, sql: "SELECT ticket_id FROM itsm_problems WHERE condition_key = ? AND state != 'closed' ORDER BY ticket_id DESC LIMIT 1",
                arguments: [key])
            else { return nil }
            return try Self.problem(id: id, db)
        }
    }

    /// The change of a condition that is drafted or approved (not rejected or closed), if any.
    public func openChange(condition key: String) async throws -> ChangeRecord? {
        try await database.writer.read { db in
            guard let id = try Int64.fetchOne(
                db, sql: "SELECT ticket_id FROM itsm_changes WHERE condition_key = ? AND state IN ('draft', 'approved') ORDER BY ticket_id DESC LIMIT 1",
                arguments: [key])
            else { return nil }
            return try Self.change(id: id, db)
        }
    }

    /// The known errors by condition: problems with a workaround that are not closed.
    public func knownErrors() async throws -> [String: ProblemRecord] {
        try await database.writer.read { db in
            var out: [String: ProblemRecord] = [:]
            for id in try Int64.fetchAll(db, sql: "SELECT ticket_id FROM itsm_problems WHERE state = 'known_error' ORDER BY ticket_id") {
                if let p = try Self.problem(id: id, db) { out[p.conditionKey] = p }
            }
            return out
        }
    }

    /// What one incident's follow-up writes, in ONE transaction with its outbox entries and the
    /// mark that it was followed up — a crash neither loses nor repeats a follow-up.
    public struct Write: Sendable {
        public var target: String
        public var incident: OpeningKey
        public var incidentTicket: String?
        public var reason: String
        /// A problem to open: its opening, condition, subject, body, trend, CI and incidents.
        public var newProblem: (opening: OpeningKey, key: String, subject: String, body: String, trend: String, ci: String, incidents: [(OpeningKey, String?)])?
        /// The open problem (its opening) the incident joins.
        public var joinProblem: OpeningKey?
        /// A change to draft.
        public var newChange: (opening: OpeningKey, subject: String, body: String, category: String, cis: [String], checklist: String?, rack: String?)?
        /// The outbox entries (built by the caller from the same decision).
        public var items: [OutboxItem]

        public init(target: String, incident: OpeningKey, incidentTicket: String?, reason: String, items: [OutboxItem] = []) {
            self.target = target
            self.incident = incident
            self.incidentTicket = incidentTicket
            self.reason = reason
            self.items = items
        }
    }

    /// Writes one follow-up; returns the numbers of the problem and change it made or joined.
    @discardableResult
    public func record(_ w: Write, now: Timestamp = .now) async throws -> (problem: String?, change: String?) {
        try await database.writer.write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM itsm_followups WHERE target = ? AND dedup_key = ? AND first_seen_ms = ?",
                arguments: [w.target, w.incident.dedupKey, w.incident.firstSeen.milliseconds]) == true
            {
                return (nil, nil)
            }
            var problemID: Int64?
            var problemNumber: String?
            if let p = w.newProblem {
                let t = try BuiltinTickets.insert(
                    kind: "problem", opening: p.opening, subject: p.subject, body: p.body, priority: nil, ci: p.ci, severity: nil, now: now, db)
                try db.execute(
                    sql: "INSERT INTO itsm_problems(ticket_id, condition_key, state, trend) VALUES (?, ?, 'open', ?)",
                    arguments: [t.id, p.key, p.trend])
                for (o, ticket) in p.incidents {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO itsm_problem_incidents(problem_id, dedup_key, first_seen_ms, ticket, added_ms) VALUES (?, ?, ?, ?, ?)",
                        arguments: [t.id, o.dedupKey, o.firstSeen.milliseconds, ticket, now.milliseconds])
                }
                try ITSMStore.upsert(
                    TicketLink(target: w.target, opening: p.opening, eventID: nil, ticket: w.target == "builtin" ? t.number : nil, state: "problem",
                        reason: "problem \(t.number) for \(p.key)", updated: now), db)
                (problemID, problemNumber) = (t.id, t.number)
                // A change drafted for the condition before the problem existed belongs to it.
                for changeID in try Int64.fetchAll(
                    db, sql: "SELECT ticket_id FROM itsm_changes WHERE condition_key = ? AND state IN ('draft', 'approved') AND problem_id IS NULL",
                    arguments: [p.key])
                {
                    try db.execute(sql: "UPDATE itsm_changes SET problem_id = ? WHERE ticket_id = ?", arguments: [t.id, changeID])
                    try BuiltinTickets.append(changeID, "linked", "problem \(t.number) opened for this condition: linked", now, db)
                }
            } else if let o = w.joinProblem, let id = try Int64.fetchOne(
                db, sql: "SELECT id FROM itsm_tickets WHERE kind = 'problem' AND dedup_key = ? AND first_seen_ms = ?",
                arguments: [o.dedupKey, o.firstSeen.milliseconds])
            {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO itsm_problem_incidents(problem_id, dedup_key, first_seen_ms, ticket, added_ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, w.incident.dedupKey, w.incident.firstSeen.milliseconds, w.incidentTicket, now.milliseconds])
                try BuiltinTickets.append(id, "linked", "incident \(w.incidentTicket ?? w.incident.description) recurs: linked", now, db)
                try db.execute(sql: "UPDATE itsm_tickets SET updated_ms = ? WHERE id = ?", arguments: [now.milliseconds, id])
                problemID = id
                problemNumber = try String.fetchOne(db, sql: "SELECT number FROM itsm_tickets WHERE id = ?", arguments: [id])
            }
            var changeNumber: String?
            if let c = w.newChange {
                let t = try BuiltinTickets.insert(
                    kind: "change", opening: c.opening, subject: c.subject, body: c.body, priority: nil, ci: c.cis.first, severity: nil, now: now, db)
                let cis = String(decoding: try JSONEncoder().encode(c.cis), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO itsm_changes(ticket_id, condition_key, incident_first_seen_ms, problem_id, category, state, requester, cis, checklist, rack)
                        VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)
                        """,
                    arguments: [
                        t.id, w.incident.dedupKey, w.incident.firstSeen.milliseconds, problemID, c.category, UserRepository.systemActor, cis,
                        c.checklist, c.rack,
                    ])
                try ITSMStore.upsert(
                    TicketLink(target: w.target, opening: c.opening, eventID: nil, ticket: w.target == "builtin" ? t.number : nil, state: "change",
                        reason: "change \(t.number) drafted for \(w.incident.dedupKey)", updated: now), db)
                changeNumber = t.number
            }
            _ = try ITSMStore.store(w.items, [], now: now, db)
            try db.execute(
                sql: "INSERT INTO itsm_followups(target, dedup_key, first_seen_ms, done_ms, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [w.target, w.incident.dedupKey, w.incident.firstSeen.milliseconds, now.milliseconds, w.reason])
            return (problemNumber, changeNumber)
        }
    }

    /// Why an incident was (or was not) followed up, once it was.
    public func followUpReason(target: String, incident: OpeningKey) async throws -> String? {
        try await database.writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT reason FROM itsm_followups WHERE target = ? AND dedup_key = ? AND first_seen_ms = ?",
                arguments: [target, incident.dedupKey, incident.firstSeen.milliseconds])
        }
    }

    /// The payload of the `open` action queued for an incident at `target`, if any.
    public func openPayload(target: String, opening: OpeningKey) async throws -> Data? {
        try await database.writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT payload FROM itsm_outbox WHERE target = ? AND dedup_key = ? AND first_seen_ms = ? AND action = 'open' ORDER BY id LIMIT 1",
                arguments: [target, opening.dedupKey, opening.firstSeen.milliseconds]
            ).map { Data($0.utf8) }
        }
    }

    // MARK: Reading

    /// Problems, newest first.
    public func problems(limit: Int = 200) async throws -> [ProblemRecord] {
        try await database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT ticket_id FROM itsm_problems ORDER BY ticket_id DESC LIMIT ?", arguments: [limit])
                .compactMap { try Self.problem(id: $0, db) }
        }
    }

    /// One problem by number.
    public func problem(_ number: String) async throws -> ProblemRecord? {
        try await database.writer.read { db in
            guard let id = try Self.ticketID(number, kind: "problem", db) else { return nil }
            return try Self.problem(id: id, db)
        }
    }

    /// Changes, newest first.
    public func changes(limit: Int = 200) async throws -> [ChangeRecord] {
        try await database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT ticket_id FROM itsm_changes ORDER BY ticket_id DESC LIMIT ?", arguments: [limit])
                .compactMap { try Self.change(id: $0, db) }
        }
    }

    /// One change by number.
    public func change(_ number: String) async throws -> ChangeRecord? {
        try await database.writer.read { db in
            guard let id = try Self.ticketID(number, kind: "change", db) else { return nil }
            return try Self.change(id: id, db)
        }
    }

    /// Changes with a checklist to start and no run yet (the run is started after the change is
    /// committed; a crash in between is caught up here).
    public func changesAwaitingChecklist() async throws -> [ChangeRecord] {
        try await database.writer.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT ticket_id FROM itsm_changes WHERE checklist IS NOT NULL AND rack IS NOT NULL AND checklist_run IS NULL ORDER BY ticket_id"
            ).compactMap { try Self.change(id: $0, db) }
        }
    }

    /// Records the checklist run started for a change, on the change and in its history.
    public func setChecklistRun(_ number: String, run: String, now: Timestamp = .now) async throws {
        try await database.writer.write { db in
            guard let id = try Self.ticketID(number, kind: "change", db) else { throw StoreError.notFound("no change \(number)") }
            try db.execute(sql: "UPDATE itsm_changes SET checklist_run = ? WHERE ticket_id = ? AND checklist_run IS NULL", arguments: [run, id])
            if db.changesCount > 0 {
                try BuiltinTickets.append(id, "checklist", "checklist run \(run) started for this change", now, db)
            }
        }
    }

    /// A change's checklist that cannot be started: the change keeps no checklist, and its
    /// history says why (it is not tried again).
    public func abandonChecklist(_ number: String, reason: String, now: Timestamp = .now) async throws {
        try await database.writer.write { db in
            guard let id = try Self.ticketID(number, kind: "change", db) else { throw StoreError.notFound("no change \(number)") }
            try db.execute(sql: "UPDATE itsm_changes SET checklist = NULL WHERE ticket_id = ? AND checklist_run IS NULL", arguments: [id])
            if db.changesCount > 0 { try BuiltinTickets.append(id, "checklist", reason, now, db) }
        }
    }

    // MARK: Operators

    /// Records the root cause and workaround of a problem (`problem.known_error`, audited): it
    /// becomes a known error, and later incidents of its condition carry the workaround. Needs
    /// an engineer or higher.
    @discardableResult
    public func recordKnownError(_ number: String, rootCause: String, workaround: String, by actor: String, now: Timestamp = .now) throws -> ProblemRecord {
        guard let user = try users.find(actor) else { throw StoreError.unknownUser(actor) }
        try UserRepository.authorize(user, needs: .engineer, action: "record a known error")
        let cause = rootCause.trimmingCharacters(in: .whitespacesAndNewlines)
        let work = workaround.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cause.isEmpty else { throw StoreError.invalid("problem \(number): field root_cause: say what the root cause is") }
        guard !work.isEmpty else { throw StoreError.invalid("problem \(number): field workaround: say what to do until it is fixed") }
        var out: ProblemRecord?
        try audit.append(actor: actor, action: "problem.known_error", object: "problem/\(number)", details: ["root_cause": cause, "workaround": work]) { db in
            guard let id = try Self.ticketID(number, kind: "problem", db), let p = try Self.problem(id: id, db) else {
                throw StoreError.notFound("no problem \(number) (see `dcagent problem list`)")
            }
            guard p.state != "closed" else { throw StoreError.conflict("problem \(number) is closed") }
            try db.execute(
                sql: "UPDATE itsm_problems SET state = 'known_error', root_cause = ?, workaround = ?, known_error_by = ?, known_error_ms = ? WHERE ticket_id = ?",
                arguments: [cause, work, actor, now.milliseconds, id])
            try db.execute(sql: "UPDATE itsm_tickets SET updated_ms = ? WHERE id = ?", arguments: [now.milliseconds, id])
            try BuiltinTickets.append(id, "known_error", "known error recorded by \(actor): root cause: \(cause); workaround: \(work)", now, db)
            out = try Self.problem(id: id, db)
        }
        return out!
    }

    /// Approves or rejects a drafted change (`change.approve` / `change.reject`, audited). The
    /// approver needs the approver role or higher and may never be the change's requester
    /// (Lampiran II J.2).
    @discardableResult
    public func decideChange(_ number: String, approve: Bool, by actor: String, note: String, now: Timestamp = .now) throws -> ChangeRecord {
        guard let user = try users.find(actor) else { throw StoreError.unknownUser(actor) }
        try UserRepository.authorize(user, needs: .approver, action: approve ? "approve a change" : "reject a change")
        var out: ChangeRecord?
        let action = approve ? "change.approve" : "change.reject"
        try audit.append(actor: actor, action: action, object: "change/\(number)", details: ["note": note]) { db in
            guard let id = try Self.ticketID(number, kind: "change", db), let c = try Self.change(id: id, db) else {
                throw StoreError.notFound("no change \(number) (see `dcagent change list`)")
            }
            guard c.requester != actor else {
                throw StoreError(.notAllowed,
                    "change \(number): '\(actor)' requested it and may not \(approve ? "approve" : "reject") it; another approver must (Lampiran II J.2)")
            }
            guard c.state == "draft" else { throw StoreError.conflict("change \(number) is \(c.state), not a draft") }
            if !approve, note.trimmingCharacters(in: .whitespaces).isEmpty {
                throw StoreError.invalid("change \(number): field note: say why it is rejected")
            }
            try db.execute(
                sql: "UPDATE itsm_changes SET state = ?, decided_by = ?, decided_ms = ?, decision_note = ? WHERE ticket_id = ?",
                arguments: [approve ? "approved" : "rejected", actor, now.milliseconds, note, id])
            try db.execute(
                sql: "UPDATE itsm_tickets SET updated_ms = ?\(approve ? "" : ", state = 'resolved'") WHERE id = ?", arguments: [now.milliseconds, id])
            try BuiltinTickets.append(id, approve ? "approved" : "rejected", "\(approve ? "approved" : "rejected") by \(actor)\(note.isEmpty ? "" : ": \(note)")", now, db)
            out = try Self.change(id: id, db)
        }
        return out!
    }

    // MARK: Rows

    static func ticketID(_ number: String, kind: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM itsm_tickets WHERE number = ? AND kind = ?", arguments: [number, kind])
    }

    static func problem(id: Int64, _ db: Database) throws -> ProblemRecord? {
        guard let r = try Row.fetchOne(
            db, sql: "SELECT p.*, t.number, t.subject, t.dedup_key, t.first_seen_ms, t.created_ms FROM itsm_problems p JOIN itsm_tickets t ON t.id = p.ticket_id WHERE p.ticket_id = ?",
            arguments: [id])
        else { return nil }
        let incidents = try Row.fetchAll(
            db, sql: "SELECT dedup_key, first_seen_ms, ticket FROM itsm_problem_incidents WHERE problem_id = ? ORDER BY first_seen_ms", arguments: [id]
        ).map { (opening: OpeningKey(dedupKey: $0[0], firstSeen: Timestamp(milliseconds: $0[1])), ticket: $0[2] as String?) }
        return ProblemRecord(
            number: r["number"], conditionKey: r["condition_key"],
            opening: OpeningKey(dedupKey: r["dedup_key"], firstSeen: Timestamp(milliseconds: r["first_seen_ms"])), state: r["state"],
            subject: r["subject"], trend: r["trend"], rootCause: r["root_cause"], workaround: r["workaround"], knownErrorBy: r["known_error_by"],
            knownErrorAt: (r["known_error_ms"] as Int64?).map(Timestamp.init(milliseconds:)), incidents: incidents,
            created: Timestamp(milliseconds: r["created_ms"]))
    }

    static func change(id: Int64, _ db: Database) throws -> ChangeRecord? {
        guard let r = try Row.fetchOne(
            db,
            sql: """
                SELECT c.*, t.number, t.subject, t.dedup_key, t.first_seen_ms, t.created_ms, p.number AS problem_number
                FROM itsm_changes c JOIN itsm_tickets t ON t.id = c.ticket_id LEFT JOIN itsm_tickets p ON p.id = c.problem_id
                WHERE c.ticket_id = ?
                """, arguments: [id])
        else { return nil }
        let body = try String.fetchOne(
            db, sql: "SELECT text FROM itsm_ticket_history WHERE ticket_id = ? AND what = 'opened' ORDER BY id LIMIT 1", arguments: [id]) ?? ""
        let cis = (try? JSONDecoder().decode([String].self, from: Data((r["cis"] as String).utf8))) ?? []
        return ChangeRecord(
            number: r["number"], opening: OpeningKey(dedupKey: r["dedup_key"], firstSeen: Timestamp(milliseconds: r["first_seen_ms"])),
            incident: OpeningKey(dedupKey: r["condition_key"], firstSeen: Timestamp(milliseconds: r["incident_first_seen_ms"])),
            problem: r["problem_number"], category: r["category"], state: r["state"], subject: r["subject"], body: body, requester: r["requester"],
            cis: cis, checklist: r["checklist"], rack: r["rack"], checklistRun: r["checklist_run"], decidedBy: r["decided_by"],
            decidedAt: (r["decided_ms"] as Int64?).map(Timestamp.init(milliseconds:)), decisionNote: r["decision_note"],
            created: Timestamp(milliseconds: r["created_ms"]))
    }
}
