/// What the running agent tells about itself (`/healthz`, `/api/v1/devices`). The daemon
/// implements it; the web layer only shows it.
public protocol AgentStatusSource: Sendable {
    func health() async -> HealthView
    func devices() async -> [DeviceView]
    /// `/readyz`: what must hold before the agent takes traffic.
    func readiness() async -> ReadinessView
}

extension AgentStatusSource {
    /// Without checks of its own, a source is ready when its health says the writer is not stuck.
    public func readiness() async -> ReadinessView {
        let health = await health()
        return ReadinessView(checks: ["writer": health.writer.stuck ? "stuck" : ReadinessView.ok])
    }
}

/// `GET /readyz`: 200 when every check is `ok` (store open, rules loaded, HTTP up, writer not
/// stuck), else 503; each check that is not `ok` says why. `/healthz` answers "is it working",
/// `/readyz` "may it take traffic now".
public struct ReadinessView: Codable, Sendable, Equatable {
    public static let ok = "ok"
    /// True when every check is `ok`.
    public var ready: Bool
    /// Each check: `ok`, or what is wrong (`loading`, `stuck`, the store's error).
    public var checks: [String: String]
    /// The checks that are not `ok`, sorted.
    public var notReady: [String]

    public init(checks: [String: String]) {
        self.checks = checks
        notReady = checks.filter { $0.value != Self.ok }.keys.sorted()
        ready = notReady.isEmpty
    }
}

/// `GET /healthz`: 200 when the agent works, 503 when its store writer is stuck (the systemd
/// watchdog and load balancers read the status).
public struct HealthView: Codable, Sendable, Equatable {
    public init() {}
    /// `ok` or `degraded`.
    public var status: String = ""
    public var agent: String = ""
    public var sites: [String] = []
    public var uptimeS: Int = 0
    public var reloads: Int = 0
    public var clock: Clock = Clock()
    public var sensors: Sensors = Sensors()
    public var rules: Rules = .off
    public var writer: Writer = Writer()
    /// The ITSM outbox (issue 12), or null when the config has no `itsm:`.
    @Nullable public var itsm: ITSM? = nil

    public struct ITSM: Codable, Sendable, Equatable {
        public init() {}
        /// Where tickets go (`builtin`).
        public var tickets: String = ""
        public var pending: Int = 0
        @Nullable public var oldestPending: String? = nil
        public var sent: Int = 0
        public var dead: Int = 0
        /// Failures of pending and dead entries by class.
        public var failures: [String: Int] = [:]
    }


    public struct Clock: Codable, Sendable, Equatable {


        public init() {}
        public var synchronised: Bool = false
        public var source: String = ""
        @Nullable public var maxErrorS: Double? = nil
    }

    public struct Sensors: Codable, Sendable, Equatable {

        public init() {}
        public var total: Int = 0
        public var offline: [String] = []
    }

    /// The rules engine's counters, or the string `off` when the config has no `rules:`.
    public enum Rules: Codable, Sendable, Equatable {
        case off
        case on(RuleCounters)

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .off: try c.encode("off")
            case .on(let counters): try c.encode(counters)
            }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self), text == "off" { self = .off } else { self = .on(try c.decode(RuleCounters.self)) }
        }
    }

    public struct RuleCounters: Codable, Sendable, Equatable {

        public init() {}
        public var rules: Int = 0
        public var firing: Int = 0
        public var evaluations: Int = 0
        public var checkpoints: Int = 0
        @Nullable public var lastCheckpoint: String? = nil
        @Nullable public var lastError: String? = nil
        public var droppedInputs: Int = 0
        public var replayedAfterRestart: Int = 0
        public var reloads: Int = 0
    }

    public struct Writer: Codable, Sendable, Equatable {

        public init() {}
        public var queued: Int = 0
        public var dropped: Int = 0
        public var acknowledged: Int = 0
        public var batches: Int = 0
        public var stuck: Bool = false
        @Nullable public var lastError: String? = nil
    }
}

/// One polled device in `GET /api/v1/devices`.
public struct DeviceView: Codable, Sendable, Equatable {
    public init() {}
    public var id: String = ""
    public var offline: Bool = false
    public var consecutiveFailures: Int = 0
    public var polls: Int = 0
    @Nullable public var lastSuccess: String? = nil
    @Nullable public var lastFailure: String? = nil
    @Nullable public var lastError: String? = nil
    @Nullable public var lastPollMs: Double? = nil

}

/// `GET /api/v1/devices`.
public struct DeviceList: Codable, Sendable, Equatable {
    public var devices: [DeviceView] = []
}
