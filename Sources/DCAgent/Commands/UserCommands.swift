import AgentStore
import ArgumentParser
import DCAgentServer
import Telemetry

/// `dcagent user add|list|passwd|contact|disable|enable` (DESIGN decision 5).
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users and roles.", subcommands: [Add.self, List.self, Passwd.self, Contact.self, Disable.self, Enable.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user. The very first user must be an admin and needs no --as.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Login name.") var name: String
        @Option(help: "Role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @Option(name: .customLong("full-name"), help: "Full name for pages and reports.") var fullName: String?
        @Option(help: "E-mail address (for notifications).") var email: String?
        @Option(name: .customLong("group"), help: "An on-call group (repeatable).") var groups: [String] = []

        func validate() throws {
            if Role(rawValue: role) == nil {
                throw ValidationError("unknown role '\(role)' (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }

        func run() throws {
            try config.withStore { store in
                var by: String? = nil
                if try !store.users.isEmpty() {
                    by = try actor.resolve(in: store, needs: .admin, action: "add users").name
                }
                let u = try store.users.add(
                    name: name, role: Role(rawValue: role)!, fullName: fullName, email: email, groups: groups, actor: by)
                print("added user \(u.name) (\(u.role.rawValue))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var config: ConfigOption

        func run() throws {
            try config.withStore { store in
                let users = try store.users.list()
                if !users.contains(where: { !$0.builtIn }) { print("no users; add the first admin with: dcagent user add NAME --role admin") }
                for u in users {
                    var state = u.builtIn ? "built-in" : u.disabled ? "disabled" : "active"
                    if let until = u.lockedUntil, until > .now { state += ",locked-until-\(until)" }
                    if !u.builtIn && !u.hasPassword { state += ",no-password" }
                    print(
                        [u.name, u.role.rawValue, state, u.fullName ?? "", u.email ?? "", u.groups.joined(separator: ",")].joined(separator: "\t"))
                }
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password for logins over HTTP (never on the command line).",
            discussion: """
                The password is read from --password-file, else from standard input (one line; at a terminal it is \
                asked twice without echo). An admin sets anyone's; a user sets their own. Setting a password clears a \
                lockout and ends the user's web sessions.
                """)
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Login name.") var name: String
        @Option(name: .customLong("password-file"), help: "Read the password from this file (its first line).") var passwordFile: String?

        func run() throws {
            try config.withStore { store, plan in
                let by = try actor.resolve(in: store, needs: .viewer, action: "set passwords")
                if by.name != name { _ = try actor.resolve(in: store, needs: .admin, action: "set another user's password") }
                let password = try PasswordInput.read(file: passwordFile)
                try store.users.setPassword(name, to: password, actor: by.name, policy: plan.http.login)
                print("password set for \(name)")
            }
        }
    }

    struct Contact: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's e-mail and on-call groups (replacing the ones they had).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "Login name.") var name: String
        @Option(help: "E-mail address; leave out to clear it.") var email: String?
        @Option(name: .customLong("group"), help: "An on-call group (repeatable); none clears them.") var groups: [String] = []

        func run() throws {
            try config.withStore { store in
                let by = try actor.resolve(in: store, needs: .admin, action: "change users' contact details")
                try store.users.setContact(name, email: email, groups: groups, actor: by.name)
                print("\(name): e-mail \(email ?? "none"), groups \(groups.isEmpty ? "none" : groups.sorted().joined(separator: ","))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument var name: String

        func run() throws { try UserCommand.setDisabled(true, name, config: config, actor: actor) }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument var name: String

        func run() throws { try UserCommand.setDisabled(false, name, config: config, actor: actor) }
    }

    /// `user disable` and `user enable`: an admin's audited change; nobody disables themself.
    static func setDisabled(_ disabled: Bool, _ name: String, config: ConfigOption, actor: ActorOption) throws {
        let verb = disabled ? "disable" : "enable"
        try config.withStore { store in
            let by = try actor.resolve(in: store, needs: .admin, action: "\(verb) users")
            if disabled && by.name == name { throw StoreError.invalid("a user cannot disable themself") }
            try store.users.setDisabled(name, disabled, actor: by.name)
            print("\(verb)d user \(name)")
        }
    }
}
