import AgentStore
import ArgumentParser
import DCAgentServer

/// `dcagent audit verify|log` (DESIGN decision 6, Lampiran II J.3).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Inspect and verify the audit trail.", subcommands: [Verify.self, Log.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the HMAC chain and compare it with the anchor file; exit 1 on tampering.")
        @OptionGroup var config: ConfigOption

        func run() throws {
            try config.withStore(readOnly: true) { store in
                let v = try store.audit.verify()
                print("audit chain: \(v.rows) rows, last MAC \(v.lastMAC)")
                if let a = v.anchor { print("anchor \(store.audit.anchorFile): \(a.count) rows, MAC \(a.mac)") }
                for w in v.warnings { print("warning: \(w)") }
                if v.intact {
                    print("OK: the audit trail is intact")
                } else {
                    for p in v.problems { print("TAMPERED: \(p)") }
                    throw ExitCode(1)
                }
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the latest audit rows.")
        @OptionGroup var config: ConfigOption
        @Option(help: "How many rows.") var limit: Int = 50

        func run() throws {
            try config.withStore(readOnly: true) { store in
                for e in try store.audit.entries(limit: limit) {
                    let details = e.details.keys.sorted().map { "\($0)=\(e.details[$0]!)" }.joined(separator: " ")
                    print("\(e.seq)\t\(e.time)\t\(e.actor)\t\(e.action)\t\(e.object)\t\(details)")
                }
            }
        }
    }
}
