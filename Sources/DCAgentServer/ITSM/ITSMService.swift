package import AgentStore
package import ContaminationRules
import Foundation
import Glibc
import Synchronization
import FloorModel
package import ITSMLink
package import Logging
package import ServiceLifecycle
import SensorDrivers
package import Telemetry

/// The ITSM part of the config (`itsm:`; issue 12): where tickets go and the incident policy.
package struct ITSMPlan: Sendable, Equatable {
    /// `builtin`: tickets in the agent's own store; `rt`: Request Tracker 5 (``rt``).
    package var tickets = "builtin"
    /// The Request Tracker to use when `tickets` is `rt`.
    package var rt: RTPlan?
    package var policy = IncidentPolicy.defaults
    /// `itsm.priority`: impact × urgency → priority (issue 15).
    package var priority = PriorityConfig.defaults
    /// `itsm.correlation`: events of one rack or room within a window share one ticket (issue 15).
    package var correlation = CorrelationPolicy.defaults
    /// How often hold-offs, silences and retries are looked at without a commit to wake on.
    package var tick: Duration = .seconds(5)
    /// Retries of a failed delivery: after `retryFirst`, doubling, at most `retryMax` apart,
    /// dead after `deadAfter` since it was queued.
    package var retryFirst: Duration = .seconds(5)
    package var retryMax: Duration = .seconds(300)
    package var deadAfter: Duration = .seconds(48 * 3600)
    /// When recurring incidents open a problem (`itsm.recurrence`; issue 15).
    package var recurrence = RecurrencePolicy.defaults
    /// The rules that declare `needs_change:`, by rule id (from the rules file).
    package var changeNeeds: [String: ChangeNeed] = [:]
    /// Where the checklist templates are (`checklists/` beside the config), for the runs of
    /// drafted changes.
    package var checklistDirectory: String?
    /// The rules whose anomaly worsens as readings fall (falling thresholds), for the trend of
    /// the priority's urgency; every other rule worsens as they rise.
    package var worseFalling: Set<String> = []
    /// How often the open tickets' state is read back from the ITSM tool (`itsm.poll_every`).
    package var pollEvery: Duration = .seconds(60)
    package init() {}
}

/// `itsm.rt`: where Request Tracker is and how to log in (the secret read at start, never logged).
package struct RTPlan: Sendable, Equatable {
    package var url: String
    package var queue: String
    /// `basic` with `user` and the password, or `token`.
    package var user: String?
    package var secret: SecretRef
    package var timeout: Duration = .seconds(15)
    /// The queues of problems and changes (issue 15).
    package var problemQueue = "Problems"
    package var changeQueue = "Changes"

    package init(url: String, queue: String, user: String?, secret: SecretRef) {
        (self.url, self.queue, self.user, self.secret) = (url, queue, user, secret)
    }

    /// The client, with the secret read now.
    package func client(logger: Logger) throws -> RTClient {
        let secret = try self.secret.resolve().reveal
        return RTClient(baseURL: url, auth: user.map { .basic(user: $0, password: secret) } ?? .token(secret), timeout: timeout, logger: logger)
    }
}

/// The seam of DESIGN decision 15 in the daemon: reads the change log after its cursor, asks
/// the incident policy (ITSMLink, pure) what each change means for the ticket of its opening,
/// and queues that in the outbox in the same transaction as it moves its cursor; ticks give the
/// policy the ends of hold-offs and silences; the dispatcher delivers the outbox — to the
/// built-in tickets here (Request Tracker comes as an adapter of ITSMLink).
package final class ITSMService<C: Clock>: ServiceLifecycle.Service where C.Duration == Duration {
    let store: SiteStore
    let plan: ITSMPlan
    let clock: C
    let logger: Logger
    /// The Request Tracker client when the target is `rt`.
    let rt: RTClient?
    /// A fault hook for the crash test (DCAGENT_TEST_FAULT=kill-after-rt-create): the process
    /// kills itself after RT took a create and before the ticket id is committed.
    let killAfterCreate = ProcessInfo.processInfo.environment["DCAGENT_TEST_FAULT"] == "kill-after-rt-create"
    /// The stored floors by their revision, for the priority's impact (read again when it moves).
    let floorCache = Mutex<(revision: String, floors: [Floor])?>(nil)
    package static var consumer: String { "itsm" }

    package init(store: SiteStore, plan: ITSMPlan, clock: C, logger: Logger) throws {
        self.store = store
        self.plan = plan
        self.clock = clock
        self.logger = logger
        self.rt = plan.tickets == "rt" ? try plan.rt?.client(logger: logger) : nil
    }

    var target: String { plan.tickets }

    package func run() async throws {
        let commits = store.changes.subscribe()
        let (wakeups, poke) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let clock = self.clock, tick = plan.tick
        poke.yield()
        try? await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                // Wake on each commit (this process's or another's) and on every tick.
                group.addTask { for await _ in commits { poke.yield() } }
                group.addTask {
                    while !Task.isCancelled {
                        try? await clock.sleep(for: tick)
                        poke.yield()
                    }
                }
                var nextPoll = Timestamp.now
                for await _ in wakeups {
                    do {
                        let now = Timestamp.now
                        if now >= nextPoll {
                            nextPoll = now.adding(seconds: self.plan.pollEvery.inSeconds)
                            try await self.pollTickets(now: now)
                        }
                        try await self.step(now: .now)
                        try await self.dispatch(now: .now)
                        // The follow-up (problems, changes) after the incidents are delivered, so
                        // it never delays a ticket; what it queued is delivered at once.
                        if try await self.followUp(now: .now) > 0 { try await self.dispatch(now: .now) }
                    } catch {
                        self.logger.error("itsm: \(error)")
                    }
                }
                group.cancelAll()
            }
        }
    }

    // MARK: Deciding

    /// Reads the change log to its end (in pages), then gives every active link a tick at `now`.
    @discardableResult
    package func step(now: Timestamp) async throws -> Int {
        var queued = 0
        let (policy, correlation, target) = (plan.policy, plan.correlation, target)
        var priority: PriorityContext?
        while true {
            let ctx = try await priorityContext()
            priority = ctx
            let page = 200
            let (handled, q) = try await store.itsm.advance(consumer: Self.consumer, target: target, limit: page, now: now) { changes, latest in
                try Self.decide(changes, latest: latest, policy: policy, correlation: correlation, priority: ctx, target: target)
            }
            queued += q
            if handled < page { break }  // the log's end: no empty page read again
        }
        // Every active link gets a tick, each seeing what the ones before it changed (a group's
        // ticket that ends takes its members' links with it).
        let rows = try await store.itsm.activeLinks(target: target)
        var links: [String: IncidentLink] = [:]
        for row in rows {
            guard let json = row.policy, let link = try? JSONDecoder().decode(IncidentLink.self, from: json) else { continue }
            links[row.opening.dedupKey] = link
        }
        for row in rows {
            guard let link = links[row.opening.dedupKey], link.opening == row.opening else { continue }
            var context = Self.context(of: link, in: links, correlation)
            // A member whose parent's link is no longer active: read it, to end with it.
            if let parent = link.parent, !context.links.contains(where: { $0.opening == parent }),
                let json = try await store.itsm.links(of: parent).first(where: { $0.target == target && $0.opening == parent })?.policy,
                let p = try? JSONDecoder().decode(IncidentLink.self, from: json)
            {
                context.links.append(p)
            }
            var d = policy.decide(.tick, link: link, correlation: context, now: now)
            if !d.actions.isEmpty, let priority { d = priority.apply(d) }
            // A tick that acts on nothing keeps the last reason a person should read.
            let moved = d.link?.phase != link.phase || d.link?.silence != link.silence || d.replaced != nil || !d.others.isEmpty
            guard !d.actions.isEmpty || moved else { continue }
            Self.keep(d, in: &links)
            let items = try d.actions.map { try Self.item($0, target: target, eventID: row.eventID) }
            var changed = try [d.link, d.replaced].compactMap { $0 }.map {
                try Self.row($0, target: target, eventID: row.eventID, reason: d.reason, at: now)
            }
            changed += try d.others.map { try Self.row($0, target: target, eventID: nil, reason: $0.reason, at: now) }
            queued += try await store.itsm.apply(items, links: changed, now: now)
        }
        return queued
    }

    /// The correlation group of a link (or of a new opening's event, `link` nil): the links that
    /// its decision may read — the open tickets of its rack or room, its parent, its parent's or
    /// its own members — from the latest links by dedup key.
    static func context(of link: IncidentLink?, event: Event? = nil, in links: [String: IncidentLink], _ policy: CorrelationPolicy)
        -> CorrelationContext
    {
        guard let e = event ?? link?.event else { return CorrelationContext(policy: policy, links: []) }
        let own = link?.opening
        let key = policy.groupKey(of: e)
        var byOpening: [OpeningKey: IncidentLink] = [:]
        for l in links.values { byOpening[l.opening] = l }
        let parent = link?.parent.flatMap { byOpening[$0] }
        let members = Set(((link?.group ?? parent?.group)?.members ?? []).map(\.opening))
        let related = links.values.filter { l in
            guard l.opening != own else { return false }
            if l.opening == link?.parent || members.contains(l.opening) { return true }
            return key != nil && l.ticketOpen && l.parent == nil && (l.group?.key ?? policy.groupKey(of: l.event)) == key
        }
        return CorrelationContext(
            policy: policy,
            links: related.sorted { ($0.opening.firstSeen, $0.opening.dedupKey) < ($1.opening.firstSeen, $1.opening.dedupKey) })
    }

    /// Keeps a decision's links as the latest of their dedup keys (another opening's only while
    /// it is still its key's latest).
    static func keep(_ d: IncidentDecision, in links: inout [String: IncidentLink]) {
        if let l = d.link { links[l.opening.dedupKey] = l }
        for o in d.others where links[o.opening.dedupKey]?.opening == o.opening { links[o.opening.dedupKey] = o }
    }

    /// The policy over a page of changes, in order, each seeing the links the ones before left:
    /// its own dedup key's and those of its correlation group (`latest` holds every active link).
    static func decide(
        _ changes: [StoredEventChange], latest: [String: TicketLink], policy: IncidentPolicy, correlation: CorrelationPolicy = .off,
        priority: PriorityContext? = nil, target: String
    ) throws
        -> (items: [OutboxItem], links: [TicketLink])
    {
        var links: [String: IncidentLink] = [:]
        for (key, row) in latest {
            if let json = row.policy { links[key] = try JSONDecoder().decode(IncidentLink.self, from: json) }
        }
        var items: [OutboxItem] = []
        var rows: [OpeningKey: TicketLink] = [:]
        var order: [OpeningKey] = []
        for c in changes {
            let key = c.change.event.dedupKey
            let link = links[key]
            let context = Self.context(of: link, event: c.change.event, in: links, correlation)
            var d = policy.decide(input(c), link: link, correlation: context, now: c.change.at)
            if let priority { d = priority.apply(d) }
            items += try d.actions.map { try item($0, target: target, eventID: c.eventID) }
            keep(d, in: &links)
            for l in [d.replaced, d.link].compactMap({ $0 }) + d.others {
                let own = l.opening == OpeningKey(c.change.event)
                let r = try row(l, target: target, eventID: own ? c.eventID : nil, reason: own ? d.reason : l.reason, at: c.change.at)
                if rows[l.opening] == nil { order.append(l.opening) }
                rows[l.opening] = r
            }
        }
        return (items, order.compactMap { rows[$0] })
    }

    /// A change as the policy's input: an operator's action with its details, else the change.
    static func input(_ c: StoredEventChange) -> IncidentInput {
        let opening = OpeningKey(c.change.event)
        guard c.change.change.isOperatorAction, let a = c.action else { return .change(c.change, seq: c.seq) }
        let kind: ITSMLink.OperatorAction.Kind =
            switch c.change.change {
            case .acknowledged: .acknowledge
            case .assigned: .assign(to: a.assignee ?? "nobody")
            case .silenced: .silence(until: a.until ?? c.change.at, reason: a.text ?? "")
            case .unsilenced: .silence(until: c.change.at, reason: "silence ended early by \(a.actor)")
            default: .note(a.text ?? "")
            }
        return .operatorAction(ITSMLink.OperatorAction(id: "\(c.seq)", opening: opening, by: a.actor, at: c.change.at, kind: kind))
    }

    static func item(_ a: OutboxAction, target: String, eventID: Int64?) throws -> OutboxItem {
        OutboxItem(
            target: target, idempotencyKey: "\(target)|\(a.key)", opening: a.ticket, eventID: eventID, action: a.action.name,
            payload: try JSONEncoder().encode(a.action))
    }

    static func row(_ l: IncidentLink, target: String, eventID: Int64?, reason: String, at: Timestamp) throws -> TicketLink {
        TicketLink(
            target: target, opening: l.opening, eventID: eventID, ticket: nil, state: phase(l.phase), reason: l.reason.isEmpty ? reason : l.reason,
            updated: at, policy: try JSONEncoder().encode(l))
    }

    /// The phase's word (the store's `state`).
    static func phase(_ p: IncidentLink.Phase) -> String {
        switch p {
        case .withheld: "withheld"
        case .open: "open"
        case .clearing: "clearing"
        case .resolved: "resolved"
        case .leftOpen: "leftOpen"
        case .cleared: "cleared"
        }
    }

    // MARK: Delivering

    /// The failure class the outbox counts (`dcagent itsm status`).
    static func errorClass(_ e: RTError) -> String {
        switch e {
        case .unreachable: "unreachable"
        case .server: "server"
        case .credentials: "credentials"
        case .notFound: "ticket_gone"
        case .rejected: "rejected"
        case .malformed: "malformed"
        }
    }

    /// Delivers what is due to the target (built-in tickets or Request Tracker); returns how many
    /// were delivered.
    @discardableResult
    package func dispatch(now: Timestamp) async throws -> Int {
        var sent = 0
        // Each pass takes the oldest due entry of each opening; the next pass the ones after
        // them, until nothing is due or a pass delivers nothing (the target is failing).
        for _ in 0..<100 {
            let before = sent
            let due = try await store.itsm.due(target: target, now: now)
            if due.isEmpty { break }
            sent += try await deliver(due, now: now)
            if sent == before { break }
        }
        return sent
    }

    /// One pass of the dispatcher over due entries; returns how many were delivered.
    private func deliver(_ due: [OutboxEntry], now: Timestamp) async throws -> Int {
        var sent = 0
        for entry in due {
            do {
                try await store.itsm.markSent(entry.id, ticket: try await deliverOne(entry), now: now)
                sent += 1
            } catch let e as UnreadablePayload {
                try await store.itsm.markFailed(entry.id, error: "unreadable payload: \(e.error)", class: "malformed", retryAt: nil, now: now)
                logger.error("itsm: outbox entry \(entry.id) is unreadable; dead letter")
            } catch let e as RTError {
                // By the class of the failure: retried (RT down, 5xx, credentials), or dead at once
                // (RT refused the request as it is, or the ticket is gone).
                let age = now.seconds(since: entry.created)
                let deadNow = e.disposition == .deadLetter || e.disposition == .ticketGone
                    || (e.disposition == .retryThenDeadLetter && entry.attempts >= 5)
                let retry = deadNow || age >= plan.deadAfter.inSeconds ? nil : now.adding(seconds: backoff(attempt: entry.attempts))
                try await store.itsm.markFailed(entry.id, error: e.description, class: Self.errorClass(e), retryAt: retry, now: now)
                let line = "itsm: \(entry.item.action) for \(entry.item.opening) failed (\(e))\(retry == nil ? "; dead letter" : "; retried")"
                if e.disposition == .retryAndAlert || retry == nil { logger.error("\(line)") } else { logger.warning("\(line)") }
                // The rest of this round would meet the same RT.
                if case .unreachable = e { break }
            } catch {
                let age = now.seconds(since: entry.created)
                let retry = age >= plan.deadAfter.inSeconds ? nil : now.adding(seconds: backoff(attempt: entry.attempts))
                try await store.itsm.markFailed(entry.id, error: "\(error)", class: "store", retryAt: retry, now: now)
                logger.warning("itsm: \(entry.item.action) for \(entry.item.opening) failed (\(error))\(retry == nil ? "; dead letter" : "; retried")")
            }
        }
        return sent
    }

    /// A payload the dispatcher cannot decode: a dead letter at once.
    struct UnreadablePayload: Error { var error: any Error }

    /// One entry to its target — an incident's action, or a problem's or change's (issue 15) —
    /// under the one failure policy of ``deliver(_:now:)``; the ticket reference it made, if any.
    private func deliverOne(_ entry: OutboxEntry) async throws -> String? {
        if entry.item.action.hasPrefix("problem.") || entry.item.action.hasPrefix("change.") {
            let action: FollowUpAction
            do { action = try JSONDecoder().decode(FollowUpAction.self, from: entry.item.payload) } catch { throw UnreadablePayload(error: error) }
            return try await deliverFollowUp(action, entry)
        }
        let action: IncidentAction
        do { action = try JSONDecoder().decode(IncidentAction.self, from: entry.item.payload) } catch { throw UnreadablePayload(error: error) }
        if let rt { return try await deliverRT(action, entry, rt) }
        return try await deliverBuiltin(action, entry)
    }

    /// The RT ticket id the store knows for an opening (its link at the `rt` target).
    func rtTicket(of opening: OpeningKey) async throws -> Int? {
        try await store.itsm.links(of: opening).first { $0.target == "rt" }?.ticket.flatMap { Int($0) }
    }

    /// Exponential back-off with jitter: `retryFirst` × 2^attempt, at most `retryMax`, ±20 %.
    func backoff(attempt: Int) -> Double {
        let base = min(plan.retryFirst.inSeconds * pow(2, Double(min(attempt, 20))), plan.retryMax.inSeconds)
        return base * Double.random(in: 0.8...1.2)
    }

    /// One action on Request Tracker; the ticket's id when it made one. Before creating, the
    /// ticket of the opening is looked for by its custom fields (dedup key, first seen), so a
    /// retry after RT took the create but the answer was lost — or a crash before the ticket id
    /// was committed — never makes a second ticket.
    func deliverRT(_ action: IncidentAction, _ entry: OutboxEntry, _ rt: RTClient) async throws -> String? {
        let opening = entry.item.opening
        let firstSeen = opening.firstSeen.date
        if case .open(let f) = action {
            if let found = try await rt.findTicket(dedupKey: opening.dedupKey, firstSeen: firstSeen) { return "\(found)" }
            let id = try await rt.createTicket(
                queue: plan.rt?.queue ?? "Incidents", subject: f.subject, body: f.body,
                customFields: [
                    RTClient.Field.dedupKey: opening.dedupKey, RTClient.Field.firstSeen: RTClient.firstSeenValue(firstSeen),
                    RTClient.Field.ci: f.ci.rawValue, RTClient.Field.severity: f.severity.rawValue,
                ])
            if killAfterCreate {
                logger.critical("test fault: SIGKILL after RT created ticket \(id), before its id is committed")
                kill(getpid(), SIGKILL)
            }
            return "\(id)"
        }
        var id = try await rtTicket(of: opening)
        if id == nil { id = try await rt.findTicket(dedupKey: opening.dedupKey, firstSeen: firstSeen) }
        guard let id else { throw RTError.notFound(status: 0, reason: "no RT ticket for \(opening)") }
        // A ticket deleted by hand in RT keeps its id with the status `deleted`, and a reply
        // would bring it back: leave it alone, as a dead letter that says why.
        if try await rt.ticket(id).status == "deleted" {
            throw RTError.notFound(status: 200, reason: "RT ticket \(id) was deleted by hand; not reopened")
        }
        switch action {
        case .update(let u): try await rt.comment(ticket: id, text: u.text)
        case .annotate(let text): try await rt.comment(ticket: id, text: text)
        case .resolve(let text):
            try await rt.correspond(ticket: id, text: text)
            try await rt.setStatus(ticket: id, "resolved")
        case .reopen(let text):
            try await rt.setStatus(ticket: id, "open")
            try await rt.comment(ticket: id, text: text)
        case .open: break
        }
        return nil
    }

    /// One action on the built-in tickets; the ticket's number when it made one.
    func deliverBuiltin(_ action: IncidentAction, _ entry: OutboxEntry) async throws -> String? {
        let opening = entry.item.opening
        if case .open(let f) = action {
            let t = try await store.tickets.open(
                opening, subject: f.subject, body: f.body, priority: "P\(f.priority)", ci: f.ci.rawValue, severity: f.severity.rawValue)
            return t.number
        }
        guard let number = try await store.tickets.find(opening)?.number else {
            throw StoreError.notFound("no built-in ticket for \(opening)")
        }
        let what: String =
            switch action {
            case .update: "updated"
            case .resolve: "resolved"
            case .reopen: "reopened"
            case .annotate: "annotated"
            case .open: "opened"
            }
        var priority: String?
        if case .update(let u) = action, let p = u.priority { priority = "P\(p)" }
        _ = try await store.tickets.record(number, what: what, text: action.text, priority: priority, now: .now)
        return nil
    }
}
