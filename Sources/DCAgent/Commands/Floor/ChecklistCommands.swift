import AgentStore
import ArgumentParser
import DCAgentServer
import FloorModel
import Foundation
import Telemetry
import Yams

/// `dcagent checklist start|answer|refresh|submit|approve|reject|reopen|show` (Lampiran II I.1.b.3–6, J.2, J.3).
struct ChecklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checklist", abstract: "Run installation, decommissioning and cable checklists.",
        subcommands: [Start.self, Answer.self, Refresh.self, Submit.self, Approve.self, Reject.self, Reopen.self, Show.self])

    /// What the commands that move a run share: the plan, the store, and the acting person, who
    /// must hold `role`; `body` gets the checklists and the person's name.
    static func acting(
        _ config: ConfigOption, _ actor: ActorOption, needs role: Role, to action: String, _ body: (ChecklistRepository, String) throws -> Void
    ) throws {
        try config.withStore(floorErrors: true) { store in
            let by = try actor.resolve(in: store, needs: role, action: action)
            try body(store.checklists, by.name)
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a run of a template on a device or rack; automatic items are answered from the floor.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Template id (a file TEMPLATE.yaml in --templates).") var template: String
        @Option(help: "The device or rack CI id.") var target: String
        @Option(help: "The change reference (RFC) the work belongs to.") var change: String
        @Option(help: "Decommissioning only: offline or disposed.") var to: String?
        @Option(help: "Directory of checklist templates.") var templates: String = "config/checklists"

        func run() throws {
            let plan = try config.plan()
            try reportingFloorErrors {
                let t = try ChecklistTemplates.load(template, from: templates)
                var end: Lifecycle? = nil
                if let to {
                    guard let l = Lifecycle(rawValue: to) else { throw StoreError.invalid("--to: '\(to)' is not a lifecycle state") }
                    end = l
                }
                let store = try SiteStore(plan: plan)
                let by = try actor.resolve(in: store, needs: .engineer, action: "run checklists")
                let run = try store.checklists.start(
                    template: t, target: ChecklistTarget(t.kind.targetKind, CIID(unchecked: target)), changeReference: change, executor: by.name,
                    decommissionTo: end)
                print("started \(run.id): \(t.id) on \(run.target) for \(run.changeReference)")
                print(ChecklistText.render(run), terminator: "")
            }
        }
    }

    struct Answer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer an item: pass, fail or na (a fail needs --note).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Run id (CL-n).") var runID: String
        @Argument(help: "Item id.") var item: String
        @Argument(help: "pass, fail or na.") var outcome: String
        @Option(help: "A note (required on fail).") var note: String = ""

        func run() throws {
            let plan = try config.plan()
            try reportingFloorErrors {
                let o: ItemOutcome
                switch outcome {
                case "pass": o = .pass
                case "fail": o = .fail
                case "na", "n/a": o = .notApplicable
                default: throw StoreError.invalid("checklist run \(runID): item \(item): outcome '\(outcome)' is not one of pass, fail, na")
                }
                let store = try SiteStore(plan: plan)
                let by = try actor.resolve(in: store, needs: .engineer, action: "answer checklists")
                let r = try store.checklists.answer(run: runID, item: item, o, note: note, by: by.name)
                print("\(r.id): \(item) = \(o.rawValue) by \(by.name); unanswered: \(r.unanswered.isEmpty ? "none" : r.unanswered.joined(separator: ", "))")
            }
        }
    }

    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the automatic items again from the floor and the live site (a person's answers stand).",
            discussion: """
                Use it when the site has changed since the run started: an event that failed the \
                "readings normal" item has resolved, a sensor has started reporting, the floor was \
                corrected. The audit row lists each item whose outcome changed.
                """)
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Run id (CL-n).") var runID: String

        func run() throws {
            try ChecklistCommand.acting(config, actor, needs: .engineer, to: "refresh checklists") { checklists, by in
                let (r, changed) = try checklists.refresh(run: runID, by: by)
                if changed.isEmpty {
                    print("\(r.id): automatic items re-evaluated, no outcome changed")
                } else {
                    for c in changed {
                        print("\(r.id): \(c.item): \(c.before?.rawValue ?? "open") → \(c.after?.rawValue ?? "open (for a person)")\(c.note.isEmpty ? "" : " — \(c.note)")")
                    }
                }
                print("unanswered: \(r.unanswered.isEmpty ? "none" : r.unanswered.joined(separator: ", "))")
            }
        }
    }

    struct Submit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The executor submits a fully answered run for approval.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Run id.") var runID: String

        func run() throws {
            try ChecklistCommand.acting(config, actor, needs: .engineer, to: "submit checklists") { checklists, by in
                let r = try checklists.submit(run: runID, by: by)
                print("\(r.id) submitted by \(by)")
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a submitted run (not by its executor); --override with a named supervisor and a reason when that cannot be kept.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Run id.") var runID: String
        @Flag(help: "Approve although segregation of duties cannot be kept.") var override = false
        @Option(help: "The supervisor authorising the override (a registered supervisor or admin).") var supervisor: String?
        @Option(help: "Why (required with --override).") var reason: String?
        @Option(help: "Approval note.") var note: String = ""

        func run() throws {
            try ChecklistCommand.acting(config, actor, needs: .approver, to: "approve checklists") { checklists, by in
                let r: ChecklistRun
                if override {
                    guard let supervisor else { throw StoreError.invalid("checklist run \(runID): field supervisor: --override needs --supervisor NAME") }
                    r = try checklists.approveWithOverride(run: runID, by: by, supervisor: supervisor, reason: reason ?? "")
                } else {
                    r = try checklists.approve(run: runID, by: by, note: note)
                }
                print("\(r.id) approved by \(by)" + (r.overrideSupervisor.map { " (override by supervisor \($0))" } ?? ""))
                if let c = r.completion { print("\(c.ci) is now \(c.to.rawValue)") }
            }
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a submitted run with a reason.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Run id.") var runID: String
        @Option(help: "Why.") var reason: String

        func run() throws {
            try ChecklistCommand.acting(config, actor, needs: .approver, to: "reject checklists") { checklists, by in
                let r = try checklists.reject(run: runID, by: by, reason: reason)
                print("\(r.id) rejected by \(by)")
            }
        }
    }

    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The executor reopens a rejected run to fix answers, then submits it again.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Run id.") var runID: String

        func run() throws {
            try ChecklistCommand.acting(config, actor, needs: .engineer, to: "reopen checklists") { checklists, by in
                let r = try checklists.reopen(run: runID, by: by)
                print("\(r.id) reopened by \(by): answer again what the rejection named, then submit")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a run with every item and answer.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "Run id.") var runID: String

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                guard let r = try store.checklists.run(runID) else { throw StoreError.invalid("checklist run \(runID) does not exist") }
                print(ChecklistText.render(r), terminator: "")
            }
        }
    }
}

/// The text of `checklist show`.
enum ChecklistText {
    static func render(_ r: ChecklistRun) -> String {
        var out = "run \(r.id): \(r.template.id) on \(r.target), change \(r.changeReference), executor \(r.executor), state \(r.state.rawValue)\n"
        if let d = r.decidedBy { out += "decided by \(d)" + (r.overrideSupervisor.map { ", override by supervisor \($0)" } ?? "") + (r.decisionNote.map { ": \($0)" } ?? "") + "\n" }
        for item in r.template.items {
            if let a = r.answers[item.id] {
                out += "  [\(a.outcome.rawValue)] \(item.id): \(item.text) — \(a.person)\(a.automatic ? " (automatic)" : "")\(a.note.isEmpty ? "" : ": \(a.note)")\n"
            } else {
                out += "  [ ] \(item.id): \(item.text)\n"
            }
        }
        return out
    }
}
