import AgentStore
import Foundation
import Logging
import SensorDrivers
import Telemetry
import Yams

/// Where a secret comes from. Resolved when the daemon starts (so `check-config` runs anywhere),
/// never printed.
enum SecretRef: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case environment(String)
    case literal(Secret)

    var description: String {
        switch self {
        case .file(let f): "file \(f)"
        case .environment(let e): "environment variable \(e)"
        case .literal: "<secret>"
        }
    }

    /// Reads the secret; the error names where it looked, never the value.
    func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Secret {
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
struct ConfigPlan: Sendable, Equatable {
    var file: String
    var agentName: String
    var sites: [SitePlan]
    var storage: StoragePlan
    var audit: AuditPlan
    var http: HTTPPlan
    var logging: LoggingPlan
    var profilesDirectory: String
    var floorImport: String?
    var sensors: [SensorPlan]
    /// The rules engine; nil when the config has no `rules:` section (no events are raised).
    var rules: RulesPlan?
}

/// The rules engine in the daemon (issue 5).
struct RulesPlan: Sendable, Equatable {
    /// The rule file (`config/rules/default.yaml`).
    var file: String
    /// How often time-based rules run (stale data, sustain expiry, obligations).
    var evaluateEvery: Duration
    /// Longest time between two commits of the engine state when no event changes.
    var checkpointEvery: Duration
    /// After a restart, how far back stored readings are replayed into the engine.
    var replayAfterRestart: Duration
    /// Whether an unsynchronised agent clock (the kernel's adjtimex status) raises an event.
    var checkClockSync: Bool = true
}

/// A site this agent serves (DESIGN decision 3).
struct SitePlan: Sendable, Equatable {
    var id: CIID
    var name: String
    var timeZone: String
}

/// Where and how the database is kept.
struct StoragePlan: Sendable, Equatable {
    var path: String
    var busyTimeout: Duration
    var retentionRaw: Duration
    var retentionEvery: Duration
    var writer: BatchWriter<ContinuousClock>.Settings
}

/// The audit trail's key and anchor files (DESIGN decision 6).
struct AuditPlan: Sendable, Equatable {
    var keyFile: String
    var anchorFile: String
}

/// The HTTP listener.
struct HTTPPlan: Sendable, Equatable {
    var bind: String
    var port: Int
}

/// Log level and format.
struct LoggingPlan: Sendable, Equatable {
    enum Format: String, Sendable, Equatable { case logfmt, json }
    var level: Logger.Level
    var format: Format
}

/// One polled sensor or device.
struct SensorPlan: Sendable, Equatable {
    enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        case modbusTCP(host: String, port: Int)
        case modbusRTU(device: String, baud: Int, parity: Character, dataBits: Int, stopBits: Int)
        case snmp(host: String, port: Int)
        var description: String {
            switch self {
            case .modbusTCP(let h, let p): "tcp://\(h):\(p)"
            case .modbusRTU(let d, let b, let p, let db, let sb): "rtu://\(d)?baud=\(b)&parity=\(p)&data=\(db)&stop=\(sb)"
            case .snmp(let h, let p): "udp://\(h):\(p)"
            }
        }
    }
    enum SNMPAuth: Sendable, Equatable {
        case community(version: String, community: SecretRef)
        case v3(user: String, level: String, authProtocol: String?, authKey: SecretRef?, privProtocol: String?, privKey: SecretRef?)
    }
    var id: CIID
    var profile: String
    var endpoint: Endpoint
    var unit: Int?
    var rack: CIID?
    var interval: Duration
    var timeout: Duration
    var snmp: SNMPAuth?
}
