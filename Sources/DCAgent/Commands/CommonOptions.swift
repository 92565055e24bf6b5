import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation
import Glibc
import Synchronization

/// `--config FILE`, shared by every command (DESIGN decision 4).
struct ConfigOption: ParsableArguments {
    static let defaultPath = "/etc/dcagent/dcagent.yaml"

    @Option(name: .long, help: "The config file that names the database.")
    var config: String = ConfigOption.defaultPath

    /// Loads and validates the config, or prints every problem and exits 2.
    func plan() throws -> ConfigPlan {
        switch ConfigLoader.load(path: config) {
        case .success(let p): return p
        case .failure(let e):
            printErr(e.description)
            throw ExitCode(2)
        }
    }
}

extension ConfigOption {
    /// The prelude of every command that reads or writes the store: loads the config (exit 2 on
    /// problems), opens the database it names, and runs `body`; store errors become a message
    /// and exit code 1 (75 when busy), and with `floorErrors` floor, checklist and file errors too.
    func withStore<T>(readOnly: Bool = false, floorErrors: Bool = false, _ body: (SiteStore) throws -> T) throws -> T {
        try withStore(readOnly: readOnly, floorErrors: floorErrors) { store, _ in try body(store) }
    }

    /// The same for a command whose store calls are async (the ITSM outbox, the tickets).
    func withStore<T>(readOnly: Bool = false, _ body: (SiteStore) async throws -> T) async throws -> T {
        let plan = try plan()
        do {
            return try await body(try SiteStore(plan: plan, readOnly: readOnly))
        } catch {
            // The same messages and exit codes as the synchronous commands.
            return try reportingErrors { throw error }
        }
    }

    /// The same, for commands that also read the config (the rule file, the sites).
    func withStore<T>(readOnly: Bool = false, floorErrors: Bool = false, _ body: (SiteStore, ConfigPlan) throws -> T) throws -> T {
        let plan = try plan()
        let run = { try body(try SiteStore(plan: plan, readOnly: readOnly), plan) }
        return floorErrors ? try reportingFloorErrors(run) : try reportingErrors(run)
    }
}

/// `--as USER`, for commands that change data.
struct ActorOption: ParsableArguments {
    @Option(name: .customLong("as"), help: "The registered user acting (default: the OS login name, if registered).")
    var actor: String?

    /// The registered user acting (`--as`, else the OS login name), refused unless they hold
    /// `needs` (DESIGN decisions 4 and 5).
    func resolve(in store: SiteStore, needs: Role, action: String) throws -> User {
        try store.users.resolveActor(explicit: actor, osLogin: osLoginName(), needs: needs, action: action)
    }
}

func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// The OS login name of the process, for DESIGN decision 4's actor fallback.
func osLoginName() -> String? {
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"]
}

/// Exit code of a command whose database stayed locked past `storage.busy_timeout`
/// (EX_TEMPFAIL: trying again may succeed).
let busyExitCode: Int32 = 75

/// Runs a body, turning store errors into a message and exit code 1 (75 when the database stayed
/// busy past its timeout: another process held the write lock).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as StoreError {
        printErr("dcagent: \(e.message)")
        throw ExitCode(e.isBusy ? busyExitCode : 1)
    } catch let e as RuleFileError {
        printErr(e.description)
        throw ExitCode(2)
    } catch {
        // SQLITE_BUSY from a write after the open: name the database and the timeout, not only
        // SQLite's "database is locked".
        if let busy = commandDatabase.withLock({ $0 })?.busyError(error) {
            printErr("dcagent: \(busy.message)")
            throw ExitCode(busyExitCode)
        }
        throw error
    }
}
