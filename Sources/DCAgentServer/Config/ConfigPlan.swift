package import AgentStore
import Foundation
package import Logging
package import SensorDrivers
package import Telemetry

/// Where a secret comes from. Resolved when the daemon starts (so `check-config` runs anywhere),
/// never printed.
package enum SecretRef: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case environment(String)
    case literal(Secret)

    package var description: String {
        switch self {
        case .file(let f): "file \(f)"
        case .environment(let e): "environment variable \(e)"
        case .literal: "<secret>"
        }
    }

    /// Reads the secret; the error names where it looked, never the value.
    package func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Secret {
        switch self {
        case .literal(let s): return s
        case .file(let f):
            guard let text = try? String(contentsOfFile: f, encoding: .utf8) else {
                throw ConfigProblem(file: f, path: "", reason: "cannot read the secret file")
            }
            return Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case .environment(let e):
            guard let v = environment[e], !v.isEmpty else {
                throw ConfigProblem(file: "environment", path: e, reason: "the secret's environment variable is not set")
            }
            return Secret(v)
        }
    }
}

/// The validated, immutable configuration the daemon runs with (STYLE habit 5).
package struct ConfigPlan: Sendable, Equatable {
    package var file: String
    package var agentName: String
    package var sites: [SitePlan]
    package var storage: StoragePlan
    package var audit: AuditPlan
    package var http: HTTPPlan
    package var logging: LoggingPlan
    package var profilesDirectory: String
    package var floorImport: String?
    package var sensors: [SensorPlan]
    /// The rules engine; nil when the config has no `rules:` section (no events are raised).
    package var rules: RulesPlan?
    /// Tickets for events (issue 12); nil when the config has no `itsm:` section.
    package var itsm: ITSMPlan? = nil
}

/// The rules engine in the daemon (issue 5).
package struct RulesPlan: Sendable, Equatable {
    /// The rule file (`config/rules/default.yaml`).
    package var file: String
    /// How often time-based rules run (stale data, sustain expiry, obligations).
    package var evaluateEvery: Duration
    /// Longest time between two commits of the engine state when no event changes.
    package var checkpointEvery: Duration
    /// After a restart, how far back stored readings are replayed into the engine.
    package var replayAfterRestart: Duration
    /// Whether an unsynchronised agent clock (the kernel's adjtimex status) raises an event.
    package var checkClockSync: Bool = true
}

/// A site this agent serves (DESIGN decision 3).
package struct SitePlan: Sendable, Equatable {
    package var id: CIID
    package var name: String
    package var timeZone: String
}

/// Where and how the database is kept.
package struct StoragePlan: Sendable, Equatable {
    package var path: String
    package var busyTimeout: Duration
    package var retentionRaw: Duration
    package var retentionEvery: Duration
    package var writer: BatchWriter<ContinuousClock>.Settings
}

/// The audit trail's key and anchor files (DESIGN decision 6).
package struct AuditPlan: Sendable, Equatable {
    package var keyFile: String
    package var anchorFile: String
}

/// The HTTP listener.
package struct HTTPPlan: Sendable, Equatable {
    package var bind: String
    package var port: Int
    /// Certificate chain and private key (PEM) when the server speaks TLS.
    package var tls: TLSFiles?
    /// Plain HTTP on an address other than loopback, said on purpose (`http.allow_plaintext`).
    package var allowPlaintext = false
    /// How long a login session lasts.
    package var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Lockout after repeated failed logins.
    package var login = LoginPolicy()
    /// The pages' language for a reader who has not chosen one (`id` or `en`).
    package var language = "en"

    package struct TLSFiles: Sendable, Equatable {
        package var certificateFile: String
        package var keyFile: String
    }

    /// True when the address is a loopback one (127.0.0.0/8, ::1).
    package static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.")
    }
}

/// Log level and format.
package struct LoggingPlan: Sendable, Equatable {
    package enum Format: String, Sendable, Equatable { case logfmt, json }
    package var level: Logger.Level
    package var format: Format
}

/// One polled sensor or device.
package struct SensorPlan: Sendable, Equatable {
    package enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case modbusTCP(host: String, port: Int)
        case modbusRTU(device: String, baud: Int, parity: Character, dataBits: Int, stopBits: Int)
        case snmp(host: String, port: Int)
        package var description: String {
            switch self {
            case .modbusTCP(let h, let p): "tcp://\(h):\(p)"
            case .modbusRTU(let d, let b, let p, let db, let sb): "rtu://\(d)?baud=\(b)&parity=\(p)&data=\(db)&stop=\(sb)"
            case .snmp(let h, let p): "udp://\(h):\(p)"
            }
        }
    }
    package enum SNMPAuth: Sendable, Equatable {
        case community(version: String, community: SecretRef)
        case v3(user: String, level: String, authProtocol: String?, authKey: SecretRef?, privProtocol: String?, privKey: SecretRef?)
    }
    package var id: CIID
    package var profile: String
    package var endpoint: Endpoint
    package var unit: Int?
    package var rack: CIID?
    package var interval: Duration
    package var timeout: Duration
    package var snmp: SNMPAuth?
}

extension ConfigPlan {
    /// The config's `sites` against the sites of the stored floor (DESIGN decision 3: the config
    /// names the sites this agent serves, the database holds them). With a floor stored, every
    /// configured site must be on it; a stored site the config does not name is returned apart,
    /// for a warning (its data stays, but this agent does not serve it). An empty store (no floor
    /// imported yet) checks nothing.
    package func siteProblems(stored: [CIID]) -> (problems: [ConfigProblem], unserved: [CIID]) {
        guard !stored.isEmpty else { return ([], []) }
        let storedSet = Set(stored)
        let list = stored.map(\.rawValue).joined(separator: ", ")
        let problems = sites.enumerated().filter { !storedSet.contains($0.element.id) }.map { i, site in
            ConfigProblem(
                file: file, path: "sites[\(i)].id",
                reason: "site '\(site.id)' is not on the stored floor (its sites: \(list)); import its floor with "
                    + "`dcagent floor import FILE`, or correct the id")
        }
        let configured = Set(sites.map(\.id))
        return (problems, stored.filter { !configured.contains($0) })
    }
}
