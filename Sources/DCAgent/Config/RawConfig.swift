/// The config file as written: every field optional, snake_case keys, decoded by Yams.
/// ``ConfigLoader`` rejects unknown keys and ``ConfigValidator`` turns this into a ``ConfigPlan``.
struct RawConfig: Codable {
    var agent: RawAgent?
    var sites: [RawSite]?
    var storage: RawStorage?
    var audit: RawAudit?
    var http: RawHTTP?
    var logging: RawLogging?
    var profiles: RawProfiles?
    var floor: RawFloor?
    var sensors: [RawSensor]?
    var rules: RawRules?
}

struct RawAgent: Codable {
    var name: String?
}

struct RawSite: Codable {
    var id: String?
    var name: String?
    var timeZone: String?
    enum CodingKeys: String, CodingKey {
        case id, name
        case timeZone = "time_zone"
    }
}

struct RawStorage: Codable {
    var path: String?
    var busyTimeout: String?
    var retention: RawRetention?
    var writer: RawWriter?
    enum CodingKeys: String, CodingKey {
        case path, retention, writer
        case busyTimeout = "busy_timeout"
    }
}

struct RawRetention: Codable {
    var raw: String?
    var every: String?
}

struct RawWriter: Codable {
    var queueCapacity: Int?
    var batchSize: Int?
    var flushInterval: String?
    var stallAfter: String?
    enum CodingKeys: String, CodingKey {
        case queueCapacity = "queue_capacity"
        case batchSize = "batch_size"
        case flushInterval = "flush_interval"
        case stallAfter = "stall_after"
    }
}

struct RawAudit: Codable {
    var keyFile: String?
    var anchorFile: String?
    enum CodingKeys: String, CodingKey {
        case keyFile = "key_file"
        case anchorFile = "anchor_file"
    }
}

struct RawHTTP: Codable {
    var bind: String?
    var port: Int?
}

struct RawLogging: Codable {
    var level: String?
    var format: String?
}

struct RawProfiles: Codable {
    var directory: String?
}

struct RawFloor: Codable {
    var importOnFirstStart: String?
    enum CodingKeys: String, CodingKey {
        case importOnFirstStart = "import_on_first_start"
    }
}

struct RawRules: Codable {
    var file: String?
    var evaluateEvery: String?
    var checkpointEvery: String?
    var replayAfterRestart: String?
    var checkClockSync: Bool?
    enum CodingKeys: String, CodingKey {
        case file
        case evaluateEvery = "evaluate_every"
        case checkpointEvery = "checkpoint_every"
        case replayAfterRestart = "replay_after_restart"
        case checkClockSync = "check_clock_sync"
    }
}

struct RawSensor: Codable {
    var id: String?
    var profile: String?
    var endpoint: String?
    var unit: Int?
    var rack: String?
    var interval: String?
    var timeout: String?
    var snmp: RawSNMPCredentials?
}

struct RawSNMPCredentials: Codable {
    var version: String?
    var communityFile: String?
    var communityEnv: String?
    var user: String?
    var securityLevel: String?
    var authProtocol: String?
    var authKeyFile: String?
    var authKeyEnv: String?
    var privProtocol: String?
    var privKeyFile: String?
    var privKeyEnv: String?
    enum CodingKeys: String, CodingKey {
        case version, user
        case communityFile = "community_file"
        case communityEnv = "community_env"
        case securityLevel = "security_level"
        case authProtocol = "auth_protocol"
        case authKeyFile = "auth_key_file"
        case authKeyEnv = "auth_key_env"
        case privProtocol = "priv_protocol"
        case privKeyFile = "priv_key_file"
        case privKeyEnv = "priv_key_env"
    }
}
