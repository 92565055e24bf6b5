import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation
import Telemetry

/// `dcagent problem list|show|known-error`: problems opened for recurring incidents and the
/// known-error database (issue 15, Lampiran II H.2 with F.3.b.1).
struct ProblemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "problem", abstract: "Problems for recurring incidents and their known errors (root cause, workaround).",
        subcommands: [List.self, Show.self, KnownError.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Problems, newest first.")
        @OptionGroup var config: ConfigOption

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                let all = try await store.followUps.problems()
                if all.isEmpty { print("no problems") }
                for p in all {
                    print([p.number, p.state, "\(p.incidents.count) incidents", p.conditionKey, p.subject].joined(separator: "\t"))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One problem: its incidents, trend, known error and history.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "Its number (PRB-000003).") var number: String

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                guard let p = try await store.followUps.problem(number) else {
                    throw StoreError.notFound("no problem \(number) (see `dcagent problem list`)")
                }
                print("\(p.number): \(p.subject)")
                print("  \(p.state); condition \(p.conditionKey)")
                print("  trend: \(p.trend)")
                for i in p.incidents { print("  incident \(i.ticket ?? "(no ticket yet)")\t\(i.opening)") }
                if let cause = p.rootCause { print("  root cause: \(cause)") }
                if let work = p.workaround { print("  workaround: \(work)\(p.knownErrorBy.map { " (recorded by \($0))" } ?? "")") }
                for h in try await store.tickets.ticket(number)?.history ?? [] { print("  \(h.at)  \(h.what)  \(h.text)") }
            }
        }
    }

    struct KnownError: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "known-error",
            abstract: "Record a problem's root cause and workaround; later incidents of its condition carry the workaround (engineer or higher).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The problem's number (PRB-000003).") var number: String
        @Option(name: .customLong("root-cause"), help: "What causes it.") var rootCause: String
        @Option(help: "What to do until it is fixed.") var workaround: String

        func run() async throws {
            try await config.withStore { store in
                let who = try actor.resolve(in: store, needs: .engineer, action: "record a known error")
                let p = try store.followUps.recordKnownError(number, rootCause: rootCause, workaround: workaround, by: who.name)
                print("\(p.number) is a known error: later incidents of \(p.conditionKey) carry its workaround")
            }
        }
    }
}

/// `dcagent change list|show|approve|reject`: requests for change drafted for anomalies that
/// need one, and their approval by another person (issue 15, E.1 and J.2).
struct ChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change", abstract: "Requests for change drafted from anomalies; approve or reject them (approver, never the requester).",
        subcommands: [List.self, Show.self, Approve.self, Reject.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Changes, newest first.")
        @OptionGroup var config: ConfigOption

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                let all = try await store.followUps.changes()
                if all.isEmpty { print("no changes") }
                for c in all {
                    print([c.number, c.state, c.category, c.checklistRun ?? "-", c.problem ?? "-", c.subject].joined(separator: "\t"))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One change: category, CIs, evidence, checklist run, approval, history.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "Its number (CHG-000004).") var number: String

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                guard let c = try await store.followUps.change(number) else {
                    throw StoreError.notFound("no change \(number) (see `dcagent change list`)")
                }
                print("\(c.number): \(c.subject)")
                print("  \(c.state), \(c.category); requested by \(c.requester); CIs \(c.cis.joined(separator: ", "))")
                print("  incident \(c.incident)\(c.problem.map { "; problem \($0)" } ?? "")")
                if let run = c.checklistRun { print("  checklist run \(run) (\(c.checklist ?? "?") on \(c.rack ?? "?"))") }
                if let by = c.decidedBy { print("  \(c.state) by \(by)\(c.decisionNote.map { $0.isEmpty ? "" : ": \($0)" } ?? "")") }
                for h in try await store.tickets.ticket(number)?.history ?? [] { print("  \(h.at)  \(h.what)  \(h.text)") }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a drafted change (approver or higher; never its requester).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The change's number.") var number: String
        @Option(help: "A note for the record.") var note = ""

        func run() async throws {
            try await config.withStore { store in
                let who = try actor.resolve(in: store, needs: .approver, action: "approve a change")
                let c = try store.followUps.decideChange(number, approve: true, by: who.name, note: note)
                print("\(c.number) approved by \(who.name)")
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a drafted change, saying why (approver or higher; never its requester).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The change's number.") var number: String
        @Option(help: "Why it is rejected.") var note: String

        func run() async throws {
            try await config.withStore { store in
                let who = try actor.resolve(in: store, needs: .approver, action: "reject a change")
                let c = try store.followUps.decideChange(number, approve: false, by: who.name, note: note)
                print("\(c.number) rejected by \(who.name)")
            }
        }
    }
}
