import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation
import Telemetry

/// `dcagent itsm status|tickets|ticket|retry|report`: where events went (issue 12) and how they
/// were followed up (issue 15).
struct ITSMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "itsm", abstract: "Tickets made from events: the outbox, the built-in tickets, dead letters; follow-up figures.",
        subcommands: [Status.self, Tickets.self, Ticket.self, Retry.self, Report.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The outbox: queued, oldest pending, sent, dead letters, failures by class.")
        @OptionGroup var config: ConfigOption

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                let s = try await store.itsm.status()
                print("pending\t\(s.pending)\(s.oldestPending.map { "\toldest queued \($0)" } ?? "")")
                print("sent\t\(s.sent)")
                print("dead\t\(s.dead)\(s.dead > 0 ? "\t(dcagent itsm retry puts them back)" : "")")
                for (c, n) in s.failuresByClass.sorted(by: { $0.key < $1.key }) { print("failures\t\(c)\t\(n)") }
                for e in try await store.itsm.entries(state: .dead, limit: 20) {
                    print("dead letter \(e.id)\t\(e.item.action)\t\(e.item.opening)\t\(e.errorClass ?? "")\t\(e.lastError ?? "")")
                }
            }
        }
    }

    struct Tickets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The built-in tickets, newest first.")
        @OptionGroup var config: ConfigOption
        @Flag(help: "Only open tickets.") var open = false

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                let tickets = try await store.tickets.list(openOnly: open)
                if tickets.isEmpty { print(open ? "no open tickets" : "no tickets") }
                for t in tickets {
                    print([t.number, t.state, t.priority ?? "", t.severity ?? "", t.ci ?? "", "\(t.updated)", t.subject].joined(separator: "\t"))
                }
            }
        }
    }

    struct Ticket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One built-in ticket and its history.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "Its number (INC-000001).") var number: String

        func run() async throws {
            try await config.withStore(readOnly: true) { store in
                guard let t = try await store.tickets.ticket(number) else { throw StoreError.notFound("no ticket \(number)") }
                print("\(t.number): \(t.subject)")
                print("  \(t.state), \(t.priority ?? "no priority"), \(t.severity ?? "") on \(t.ci ?? "?"); opening \(t.opening)")
                for h in t.history { print("  \(h.at)  \(h.what)  \(h.text)") }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put dead letters back in the queue (all, or the ids given).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Outbox entry ids (default: every dead letter).") var ids: [Int64] = []

        func run() async throws {
            try await config.withStore { store in
                let who = try actor.resolve(in: store, needs: .operator_, action: "retry dead letters")
                let n = try await store.itsm.retryDead(ids)
                try store.audit.append(actor: who.name, action: "itsm.retry", object: "outbox", details: ["count": "\(n)"])
                print("\(n) dead letter(s) queued again")
            }
        }
    }
}
