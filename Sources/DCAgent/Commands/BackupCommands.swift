import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation

/// `dcagent backup --to FILE`: a consistent online copy while the daemon writes.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the live database consistently to a new file.")
    @OptionGroup var config: ConfigOption
    @Option(help: "The new file to write.") var to: String

    func run() throws {
        try config.withStore { store in
            var lastPercent = -1
            try Backup.backup(store.database, to: to) { done, total in
                let pct = total == 0 ? 100 : done * 100 / total
                if pct / 10 != lastPercent / 10 {
                    lastPercent = pct
                    printErr("backup: \(pct)% (\(done)/\(total) pages)")
                }
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: to)[.size] as? Int) ?? 0
            print("backup written to \(to) (\(size) bytes, integrity ok)")
        }
    }
}

/// `dcagent restore --from FILE`: puts a backup back; refuses while a daemon holds the database.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Replace the database with a backup (the daemon must be stopped).")
    @OptionGroup var config: ConfigOption
    @OptionGroup var actor: ActorOption
    @Option(help: "The backup file.") var from: String

    func run() throws {
        let plan = try config.plan()
        try reportingErrors {
            // The acting admin must exist now; the restore is then recorded in the restored trail.
            let before = try SiteStore(plan: plan)
            let by = try before.users.resolveActor(explicit: actor.actor, osLogin: osLoginName(), needs: .admin, action: "restore the database")
            let previous = try before.audit.verify()
            try Backup.restore(from: from, to: plan.storage.path)
            let after = try SiteStore(plan: plan)
            try after.audit.append(
                actor: by.name, action: "store.restore", object: "database",
                details: ["from": from, "previous_rows": "\(previous.rows)", "previous_mac": previous.lastMAC])
            print("restored \(plan.storage.path) from \(from); the previous database is kept as \(plan.storage.path).before-restore")
        }
    }
}
