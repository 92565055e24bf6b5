import AgentStore
import ArgumentParser
import DCAgentServer
import Foundation
import Telemetry

/// `dcagent token create|list|revoke`: API tokens for machines (admins only).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens (for scripts and other programs).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token; its secret is printed once, on standard output, and never again.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "What the token is for (\"prometheus\", \"rt-sync\").") var name: String
        @Option(help: "The highest role it acts with: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @Option(help: "The user it acts as (default: you).") var user: String?
        @Option(name: .customLong("expires-in-days"), help: "Days until it expires (default: never).") var expiresInDays: Int?

        func validate() throws {
            if Role(rawValue: role) == nil {
                throw ValidationError("unknown role '\(role)' (one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if let d = expiresInDays, !(1...3650).contains(d) { throw ValidationError("--expires-in-days must be 1–3650") }
        }

        func run() throws {
            try config.withStore { store in
                let by = try actor.resolve(in: store, needs: .admin, action: "create API tokens")
                let (token, secret) = try store.tokens.create(
                    name: name, user: user ?? by.name, role: Role(rawValue: role)!,
                    expires: expiresInDays.map { Timestamp.now.adding(seconds: Double($0) * 86_400) }, actor: by.name)
                FileHandle.standardError.write(
                    Data("created API token \(token.id) (\(token.name)) acting as \(token.user) with role \(token.role.rawValue); the secret below is shown only now:\n".utf8))
                print(secret)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never their secrets).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption

        func run() throws {
            try config.withStore { store in
                _ = try actor.resolve(in: store, needs: .admin, action: "list API tokens")
                let tokens = try store.tokens.list()
                if tokens.isEmpty { print("no API tokens; create one with: dcagent token create NAME --role ROLE --as ADMIN") }
                for t in tokens {
                    let state = t.revoked.map { "revoked \($0) by \(t.revokedBy ?? "?")" } ?? (t.isLive(at: .now) ? "live" : "expired")
                    print(
                        [t.id, t.name, t.user, t.role.rawValue, state, "created \(t.created) by \(t.createdBy)",
                         t.lastUsed.map { "last used \($0)" } ?? "never used"].joined(separator: "\t"))
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token at once.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The token's id (12 hex digits, as `token list` shows).") var id: String

        func run() throws {
            try config.withStore { store in
                let by = try actor.resolve(in: store, needs: .admin, action: "revoke API tokens")
                try store.tokens.revoke(id, actor: by.name)
                print("revoked API token \(id)")
            }
        }
    }
}
