import AgentStore
import ArgumentParser
import DCAgentServer
import DCAgentWeb
import ContaminationRules
import FloorModel
import Foundation
import Telemetry

/// `dcagent events list|show`: the events the daemon's rules raised (Lampiran II H.1).
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "List the events the rules raised, their history, and act on them.",
        subcommands: [List.self, Show.self, Ack.self, Note.self, Assign.self, Silence.self, Unsilence.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Events, newest first (firing ones only unless --all).")
        @OptionGroup var config: ConfigOption
        @Flag(help: "Include resolved events.") var all = false
        @Flag(help: "Print JSON (the shape of GET /api/events).") var json = false
        @Option(help: "At most this many events.") var limit = 100
        @Option(help: "Only these severities: info, warning, critical (comma-separated).") var severity: String?
        @Option(help: "Only this rule's events.") var rule: String?
        @Option(help: "Only events of this CI (a sensor, device, rack or room) or of its points.") var ci: String?
        @Option(help: "Only events of this rack and of the sensors, PDUs and devices mounted in it.") var rack: String?
        @Option(help: "Only events in this room.") var room: String?

        func validate() throws { _ = try query() }

        func query() throws -> EventQuery {
            do {
                return try EventFilter.query(firingOnly: !all, severity: severity, rule: rule, ci: ci, rack: rack, room: room, limit: limit)
            } catch {
                throw ValidationError(error.description)
            }
        }

        func run() throws {
            let query = try query()
            try config.withStore(readOnly: true) { store in
                let events = try store.events.events(query)
                if json {
                    print(String(decoding: try WebJSON.prettyEncoder.encode(EventList(events: events.map(EventView.init))), as: UTF8.self))
                    return
                }
                if events.isEmpty {
                    let filtered = query != EventQuery(firingOnly: !all, limit: query.limit)
                    print((all ? "no events" : "no firing events") + (filtered ? " match" : ""))
                    return
                }
                for s in events {
                    let e = s.event
                    var flags: [String] = []
                    if e.flapping { flags.append("flapping") }
                    if e.suppressed { flags.append("maintenance") }
                    if e.dataMissing != nil { flags.append("data missing") }
                    if e.count > 1 { flags.append("×\(e.count)") }
                    let tail = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
                    let when = s.resolvedAt.map { "resolved \($0)" } ?? "since \(e.firstSeen)"
                    print("\(s.id)\t\(e.state.rawValue)\t\(e.severity.rawValue)\t\(e.scope)\t\(when)\t\(e.message)\(tail)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One event: what, where, evidence readings, every change and action, and the ticket it became (or why none).")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The event id (first column of `events list`).") var id: Int64

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                guard let (s, changes) = try await store.events.event(id: id)
                else { throw StoreError.notFound("no event \(id)") }
                let links = try await store.itsm.links(of: OpeningKey(s.event))
                let e = s.event
                print("event \(s.id): \(e.severity.rawValue), \(e.state.rawValue)\(e.flapping ? ", flapping" : "")\(e.suppressed ? ", under maintenance" : "")\(e.dataMissing != nil ? ", data missing" : "")")
                print("  \(e.message)")
                if let missing = e.dataMissing {
                    print("  data missing: \(missing.joined(separator: ", ")) — no fresh good reading shows whether it cleared; it stays firing until one does")
                }
                print("  rule \(e.ruleID) (\(e.kind.rawValue)); scope \(e.scope)\(e.rack.map { ", rack \($0)" } ?? "")\(e.room.map { ", room \($0)" } ?? "")\(e.point.map { "; point \($0)" } ?? "")")
                print("  first seen \(e.firstSeen); last seen \(e.lastSeen)\(s.resolvedAt.map { "; resolved \($0)" } ?? ""); fired \(e.count)×")
                print("  dedup key \(e.dedupKey)")
                let o = s.operatorState
                if let by = o.acknowledgedBy { print("  acknowledged by \(by) at \(o.acknowledgedAt.map { "\($0)" } ?? "?")") }
                if let a = o.assignee { print("  assigned to \(a)") }
                if let until = o.silencedUntil, o.isSilenced(at: .now) { print("  silenced until \(until): no ticket, no notification meanwhile") }
                for l in links {
                    print("  ticket (\(l.target)): \(l.ticket ?? "none") — \(l.state): \(l.reason)")
                }
                if !e.evidence.isEmpty {
                    print("evidence:")
                    for r in e.evidence { print("  \(r.time)  \(r.point)  \(r.value.isFinite ? String(r.value) : "—")  \(r.quality)") }
                }
                print("changes:")
                for c in changes {
                    if let a = c.action {
                        var what = "by \(a.actor)"
                        if c.change.change == .assigned { what += a.assignee.map { " to \($0)" } ?? " to nobody" }
                        if let until = a.until { what += " until \(until)" }
                        if let text = a.text { what += ": \(text)" }
                        print("  #\(c.seq)  \(c.change.at)  \(c.change.change.rawValue)  \(what)")
                    } else {
                        print("  #\(c.seq)  \(c.change.at)  \(c.change.change.rawValue)  \(c.change.event.severity.rawValue)\(c.change.notify ? "" : "  (not notified)")")
                    }
                }
            }
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge a firing event (someone is on it).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The event id.") var id: Int64
        @Option(help: "A note with the acknowledgement.") var note: String?

        func run() throws {
            try EventsCommand.act(config, actor, "acknowledge events") { store, who in
                try store.eventActions.acknowledge(id, note: note, actor: who)
            }
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a note on an event.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The event id.") var id: Int64
        @Argument(help: "The note.") var text: String

        func run() throws {
            try EventsCommand.act(config, actor, "write notes on events") { store, who in
                try store.eventActions.annotate(id, text: text, actor: who)
            }
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign an event to a registered person (or --nobody).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The event id.") var id: Int64
        @Argument(help: "Who takes it.") var assignee: String?
        @Flag(help: "Take the assignment away.") var nobody = false

        func validate() throws {
            if (assignee == nil) == !nobody { throw ValidationError("name who takes it, or pass --nobody") }
        }

        func run() throws {
            try EventsCommand.act(config, actor, "assign events") { store, who in
                try store.eventActions.assign(id, to: nobody ? nil : assignee, actor: who)
            }
        }
    }

    struct Silence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Silence a firing event for a time: it keeps firing, but opens no ticket and sends no notification meanwhile.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The event id.") var id: Int64
        @Option(name: .customLong("for"), help: "How long: 30m, 2h, 1d (at most 30d).") var duration: String
        @Option(help: "Why.") var note: String?

        func run() throws {
            guard let d = DurationText.parse(duration), d > .zero else {
                throw ValidationError("--for '\(duration)': a duration such as 30m, 2h or 1d")
            }
            try EventsCommand.act(config, actor, "silence events") { store, who in
                try store.eventActions.silence(id, until: Timestamp.now.adding(seconds: d.inSeconds), note: note, actor: who)
            }
        }
    }

    struct Unsilence: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a silence early.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The event id.") var id: Int64

        func run() throws {
            try EventsCommand.act(config, actor, "end silences") { store, who in try store.eventActions.unsilence(id, actor: who) }
        }
    }

    /// An operator's action from the CLI: the actor resolved (operator or higher), the action
    /// taken and audited, the change it logged printed.
    static func act(
        _ config: ConfigOption, _ actor: ActorOption, _ what: String, _ body: (SiteStore, String) throws -> StoredEventChange
    ) throws {
        try config.withStore { store in
            let who = try actor.resolve(in: store, needs: .operator_, action: what)
            let c = try body(store, who.name)
            var line = "event \(c.eventID): \(c.change.change.rawValue) by \(who.name) (change #\(c.seq))"
            if let a = c.action?.assignee { line += ", assigned to \(a)" }
            if let until = c.action?.until { line += ", until \(until)" }
            print(line)
        }
    }
}


/// The compiled rules for commands that need the room policies or obligation schedules: the
/// configured rule file against the stored floor, or nil when the config has no `rules:`.
func configuredRules(_ plan: ConfigPlan, store: SiteStore) throws -> CompiledRuleSet? {
    guard let r = plan.rules else { return nil }
    return try RuleFiles.load(r.file, topology: try RuleFiles.topology(store: store)).compiled
}

/// `dcagent obligations record|status|list`: the yearly duties of each room (Lampiran II
/// I.2.b.1 measurements, I.2.b.4 cleaning, B.2.f.h CI audit) and their records.
struct ObligationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "obligations", abstract: "Record yearly measurements, cleaning and CI audits; show what is due.",
        subcommands: [Record.self, Import.self, Status.self, List.self])

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that an obligation was done in a room (audited).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The room id.") var room: String
        @Argument(help: "particle_measurement, corrosion_measurement, cleaning or ci_audit.") var kind: String
        @Option(help: "When it was done: YYYY-MM-DD (UTC midnight) or ISO 8601 date-time.") var doneAt: String
        @Option(help: "Who did it (person or team).") var by: String
        @Option(help: "The third party that did it (contractor, laboratory).") var thirdParty: String?
        @Option(help: "The DC/DRC operator who escorted the third party (I.2.b.4.b).") var escort: String?
        @Option(help: "Lab report or work-order number.") var document: String?
        @Option(help: "Free note (sample locations, results, cabling area checked).") var note = ""

        func run() throws {
            guard let k = ObligationKind(rawValue: kind) else {
                throw ValidationError("'\(kind)' is not one of \(ObligationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let at = parseDay(doneAt) else { throw ValidationError("--done-at '\(doneAt)' is not YYYY-MM-DD or an ISO 8601 time") }
            try config.withStore { store, plan in
                let who = try actor.resolve(in: store, needs: .engineer, action: "record obligations")
                guard let roomID = CIID(validating: room), try store.floor.floors().contains(where: { $0.rooms.contains { $0.id == roomID } }) else {
                    throw StoreError.invalid("no room '\(room)' on any stored floor")
                }
                let sensitive = try configuredRules(plan, store: store)?.rooms[roomID]?.sensitive ?? RoomPolicy.standard.sensitive
                let record = ObligationRecord(
                    room: roomID, kind: k, doneAt: at, doneBy: by, thirdParty: thirdParty, escort: escort, note: note, documentReference: document)
                let id = try store.records.add(record, roomIsSensitive: sensitive, actor: who.name)
                print("record \(id): \(k.title) in \(roomID) on \(at) by \(by)\(thirdParty.map { " (\($0))" } ?? ""), recorded by \(who.name)")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enter past records from a CSV file, all or none (audited once).",
            discussion: """
                The file has a header line and the columns room, kind, done_at, by, and optionally \
                third_party, escort, document, note (RFC 4180 CSV). done_at is YYYY-MM-DD or an ISO 8601 time. \
                Records are append-only: importing the same file twice enters its records twice.
                """)
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The CSV file.") var file: String

        func run() throws {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("\(file): cannot be read as UTF-8 text") }
            let rows: [[String]]
            do { rows = try CSV.parse(text) } catch { throw ValidationError("\(file): \(error)") }
            guard let header = rows.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else { throw ValidationError("\(file): empty") }
            let known = ["room", "kind", "done_at", "by", "third_party", "escort", "document", "note"]
            for h in header where !known.contains(h) { throw ValidationError("\(file):1: unknown column '\(h)' (known: \(known.joined(separator: ", ")))") }
            for required in known.prefix(4) where !header.contains(required) { throw ValidationError("\(file):1: missing column '\(required)'") }
            try config.withStore { store, plan in
                let who = try actor.resolve(in: store, needs: .engineer, action: "record obligations")
                let rooms = Set(try store.floor.floors().flatMap { $0.rooms.map(\.id) })
                let policies = try configuredRules(plan, store: store)?.rooms ?? [:]
                var records: [(line: Int, record: ObligationRecord, roomIsSensitive: Bool)] = []
                for (i, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
                    let line = i + 2
                    func col(_ name: String) -> String? {
                        guard let k = header.firstIndex(of: name), k < row.count else { return nil }
                        let v = row[k].trimmingCharacters(in: .whitespaces)
                        return v.isEmpty ? nil : v
                    }
                    guard let roomText = col("room"), let room = CIID(validating: roomText), rooms.contains(room) else {
                        throw StoreError.invalid("\(file):\(line): no room '\(col("room") ?? "")' on any stored floor")
                    }
                    guard let kind = col("kind").flatMap(ObligationKind.init(rawValue:)) else {
                        throw StoreError.invalid(
                            "\(file):\(line): kind '\(col("kind") ?? "")' is not one of \(ObligationKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    guard let at = col("done_at").flatMap(parseDay) else {
                        throw StoreError.invalid("\(file):\(line): done_at '\(col("done_at") ?? "")' is not YYYY-MM-DD or an ISO 8601 time")
                    }
                    let record = ObligationRecord(
                        room: room, kind: kind, doneAt: at, doneBy: col("by") ?? "", thirdParty: col("third_party"), escort: col("escort"),
                        note: col("note") ?? "", documentReference: col("document"))
                    records.append((line, record, policies[room]?.sensitive ?? RoomPolicy.standard.sensitive))
                }
                let n = try store.records.importRecords(records, source: file, actor: who.name)
                print("imported \(n) record(s) from \(file), recorded by \(who.name)")
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each room's obligations: last done, next due, ok / due soon / overdue.")
        @OptionGroup var config: ConfigOption
        @Flag(help: "Exit 1 when any obligation is overdue (for scripts).") var failOverdue = false

        func run() throws {
            let overdue: Int = try config.withStore(readOnly: true) { store, plan in
                let records = try store.records.records()
                let duties = ObligationCalendar.duties(
                    configured: ObligationCalendar.duties(try configuredRules(plan, store: store)?.rules ?? []),
                    allRooms: try store.floor.floors().flatMap { $0.rooms.map(\.id) })
                var count = 0
                var never: [(CIID, ObligationKind)] = []
                for s in ObligationCalendar.statuses(duties, records: records, now: .now) {
                    if s.standing == .overdue { count += 1 }
                    if s.lastDone == nil { never.append((s.room, s.kind)) }
                    let last = s.lastDone.map { "last \($0.doneAt) by \($0.doneBy)" } ?? "never recorded"
                    let due = s.due.map { "due \($0)" } ?? "due now"
                    print("\(s.room)\t\(s.kind.rawValue)\t\(s.standing.rawValue)\t\(last)\t\(due)\t(\(s.kind.citation))")
                }
                if let (room, kind) = never.first {
                    // A site that has done the work before DCAgent came has only to say when it last did it.
                    print("# \(never.count) never recorded: enter when each was last done, for example")
                    print("#   dcagent obligations record \(room) \(kind.rawValue) --done-at YYYY-MM-DD --by WHO [--third-party LAB --document REPORT] --config \(config.config)")
                    print("# or several at once from a CSV file: dcagent obligations import FILE.csv --config \(config.config)")
                }
                return count
            }
            if failOverdue && overdue > 0 { throw ExitCode(1) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every obligation record, oldest first.")
        @OptionGroup var config: ConfigOption

        func run() throws {
            try config.withStore(readOnly: true) { store in
                for r in try store.records.records() {
                    var parts = ["\(r.doneAt)", "\(r.room)", r.kind.rawValue, "by \(r.doneBy)"]
                    if let p = r.thirdParty { parts.append("third party \(p)") }
                    if let e = r.escort { parts.append("escort \(e)") }
                    if let d = r.documentReference { parts.append("doc \(d)") }
                    if !r.note.isEmpty { parts.append(r.note) }
                    print(parts.joined(separator: "\t"))
                }
            }
        }
    }
}

/// `dcagent maintenance open|end|list`: windows during which events of a CI or room are recorded
/// but not notified.
struct MaintenanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance", abstract: "Maintenance windows: events recorded, not notified.", subcommands: [Open.self, End.self, List.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a window on a CI or a room (audited).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The CI (sensor, device, rack) or room id.") var ci: String
        @Option(help: "How long (e.g. 2h), from --start.") var duration: String
        @Option(help: "Start (ISO 8601; default now).") var start: String?
        @Option(help: "Why (change number, work order).") var reason: String

        func run() throws {
            guard let length = DurationText.parse(duration) else { throw ValidationError("--duration '\(duration)' is not a duration (e.g. 30m, 2h)") }
            guard let from = start.map({ parseDay($0) }) ?? Timestamp.now else { throw ValidationError("--start '\(start ?? "")' is not an ISO 8601 time") }
            try config.withStore { store in
                let who = try actor.resolve(in: store, needs: .operator_, action: "open maintenance windows")
                guard let id = CIID(validating: ci), try store.floor.floors().contains(where: { $0.configurationItems().contains { $0.id == id } }) else {
                    throw StoreError.invalid("no CI '\(ci)' on any stored floor")
                }
                let end = from.adding(seconds: Double(length.components.seconds))
                let row = try store.records.addWindow(
                    MaintenanceWindow(ci: id, start: from, end: end, reason: reason), actor: who.name)
                print("maintenance window \(row): \(id) from \(from) to \(end) (\(reason)), opened by \(who.name)")
            }
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a window now (audited).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The window id.") var id: Int64

        func run() throws {
            try config.withStore { store in
                let who = try actor.resolve(in: store, needs: .operator_, action: "end maintenance windows")
                try store.records.endWindow(id: id, actor: who.name)
                print("maintenance window \(id) ended by \(who.name)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Windows open now or later (every window with --all).")
        @OptionGroup var config: ConfigOption
        @Flag(help: "Include ended windows.") var all = false

        func run() throws {
            try config.withStore(readOnly: true) { store in
                let rows = try store.records
                    .windows(endingAfter: all ? Timestamp(milliseconds: 0) : .now)
                if rows.isEmpty { print("no maintenance windows") }
                for r in rows {
                    print("\(r.id)\t\(r.window.ci)\t\(r.window.start)\t\(r.window.end)\t\(r.createdBy)\t\(r.window.reason)")
                }
            }
        }
    }
}

/// `YYYY-MM-DD` (UTC midnight) or an ISO 8601 time or epoch milliseconds.
func parseDay(_ text: String) -> Timestamp? {
    if let t = Timestamp(parsing: text) { return t }
    return Timestamp(parsing: text + "T00:00:00Z")
}
