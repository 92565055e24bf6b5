/// What the running agent tells about itself (`/healthz`, `/api/v1/devices`). The daemon
/// implements it; the web layer only shows it.
public protocol AgentStatusSource: Sendable {
    func health() async -> HealthView
    func devices() async -> [DeviceView]
}

/// `GET /healthz`: 200 when the agent works, 503 when its store writer is stuck (the systemd
/// watchdog and load balancers read the status).
public struct HealthView: Codable, Sendable, Equatable {
    /// `ok` or `degraded`.
    public var status: String
    public var agent: String
    public var sites: [String]
    public var uptimeS: Int
    public var reloads: Int
    public var clock: Clock
    public var sensors: Sensors
    public var rules: Rules
    public var writer: Writer

    public init(status: String, agent: String, sites: [String], uptimeS: Int, reloads: Int, clock: Clock, sensors: Sensors, rules: Rules, writer: Writer) {
        self.status = status
        self.agent = agent
        self.sites = sites
        self.uptimeS = uptimeS
        self.reloads = reloads
        self.clock = clock
        self.sensors = sensors
        self.rules = rules
        self.writer = writer
    }

    public struct Clock: Codable, Sendable, Equatable {
        public var synchronised: Bool
        public var source: String
        @Nullable public var maxErrorS: Double?
        public init(synchronised: Bool, source: String, maxErrorS: Double?) {
            self.synchronised = synchronised
            self.source = source
            self.maxErrorS = maxErrorS
        }
    }

    public struct Sensors: Codable, Sendable, Equatable {
        public var total: Int
        public var offline: [String]
        public init(total: Int, offline: [String]) {
            self.total = total
            self.offline = offline
        }
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
        public var rules: Int
        public var firing: Int
        public var evaluations: Int
        public var checkpoints: Int
        @Nullable public var lastCheckpoint: String?
        @Nullable public var lastError: String?
        public var droppedInputs: Int
        public var replayedAfterRestart: Int
        public var reloads: Int
        public init(
            rules: Int, firing: Int, evaluations: Int, checkpoints: Int, lastCheckpoint: String?, lastError: String?, droppedInputs: Int,
            replayedAfterRestart: Int, reloads: Int
        ) {
            self.rules = rules
            self.firing = firing
            self.evaluations = evaluations
            self.checkpoints = checkpoints
            self.lastCheckpoint = lastCheckpoint
            self.lastError = lastError
            self.droppedInputs = droppedInputs
            self.replayedAfterRestart = replayedAfterRestart
            self.reloads = reloads
        }
    }

    public struct Writer: Codable, Sendable, Equatable {
        public var queued: Int
        public var dropped: Int
        public var acknowledged: Int
        public var batches: Int
        public var stuck: Bool
        @Nullable public var lastError: String?
        public init(queued: Int, dropped: Int, acknowledged: Int, batches: Int, stuck: Bool, lastError: String?) {
            self.queued = queued
            self.dropped = dropped
            self.acknowledged = acknowledged
            self.batches = batches
            self.stuck = stuck
            self.lastError = lastError
        }
    }
}

/// One polled device in `GET /api/v1/devices`.
public struct DeviceView: Codable, Sendable, Equatable {
    public var id: String
    public var offline: Bool
    public var consecutiveFailures: Int
    public var polls: Int
    @Nullable public var lastSuccess: String?
    @Nullable public var lastFailure: String?
    @Nullable public var lastError: String?
    @Nullable public var lastPollMs: Double?

    public init(
        id: String, offline: Bool, consecutiveFailures: Int, polls: Int, lastSuccess: String?, lastFailure: String?, lastError: String?,
        lastPollMs: Double?
    ) {
        self.id = id
        self.offline = offline
        self.consecutiveFailures = consecutiveFailures
        self.polls = polls
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
        self.lastError = lastError
        self.lastPollMs = lastPollMs
    }
}

/// `GET /api/v1/devices`.
public struct DeviceList: Codable, Sendable, Equatable {
    public var devices: [DeviceView]
}
