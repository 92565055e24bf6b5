package import ITSMLink
/// The config file as written: every field optional, snake_case keys, decoded by Yams.
/// ``ConfigLoader`` rejects unknown keys and ``ConfigValidator`` turns this into a ``ConfigPlan``.
package struct RawConfig: Codable {
    package var agent: RawAgent?
    package var sites: [RawSite]?
    package var storage: RawStorage?
    package var audit: RawAudit?
    package var http: RawHTTP?
    package var logging: RawLogging?
    package var profiles: RawProfiles?
    package var floor: RawFloor?
    package var sensors: [RawSensor]?
    package var rules: RawRules?
    package var itsm: RawITSM?
}

/// `itsm.rt`: the Request Tracker 5 to open incidents in (REST2), and how to log in.
package struct RawRT: Codable {
    package var url: String?
    package var queue: String?
    package var user: String?
    package var passwordFile: String?
    package var passwordEnv: String?
    package var tokenFile: String?
    package var tokenEnv: String?
    package var timeout: String?
    package var problemQueue: String?
    package var changeQueue: String?
    package enum CodingKeys: String, CodingKey {
        case url, queue, user, timeout
        case problemQueue = "problem_queue"
        case changeQueue = "change_queue"
        case passwordFile = "password_file"
        case passwordEnv = "password_env"
        case tokenFile = "token_file"
        case tokenEnv = "token_env"
    }
}

/// `itsm:` (issue 12): where tickets go, the incident policy, the correlation of events of one
/// rack or room and the priority matrix (issue 15), the dispatcher's timing.
package struct RawITSM: Codable {
    package var tickets: String?
    package var rt: RawRT?
    package var policy: RawIncidentPolicy?
    package var priority: RawPriorityConfig?
    package var correlation: RawCorrelationPolicy?
    package var tick: String?
    package var retryFirst: String?
    package var retryMax: String?
    package var deadAfter: String?
    package var recurrence: RawRecurrence?
    package var pollEvery: String?
    package enum CodingKeys: String, CodingKey {
        case tickets, rt, policy, priority, correlation, tick, recurrence
        case pollEvery = "poll_every"
        case retryFirst = "retry_first"
        case retryMax = "retry_max"
        case deadAfter = "dead_after"
    }
}

/// `itsm.recurrence` (issue 15): `incidents` incidents of one condition within `within` open a
/// problem.
package struct RawRecurrence: Codable {
    package var incidents: Int?
    package var within: String?
}

package struct RawAgent: Codable {
    package var name: String?
}

package struct RawSite: Codable {
    package var id: String?
    package var name: String?
    package var timeZone: String?
    package enum CodingKeys: String, CodingKey {
        case id, name
        case timeZone = "time_zone"
    }
}

package struct RawStorage: Codable {
    package var path: String?
    package var busyTimeout: String?
    package var retention: RawRetention?
    package var writer: RawWriter?
    package enum CodingKeys: String, CodingKey {
        case path, retention, writer
        case busyTimeout = "busy_timeout"
    }
}

package struct RawRetention: Codable {
    package var raw: String?
    package var every: String?
}

package struct RawWriter: Codable {
    package var queueCapacity: Int?
    package var batchSize: Int?
    package var flushInterval: String?
    package var stallAfter: String?
    package enum CodingKeys: String, CodingKey {
        case queueCapacity = "queue_capacity"
        case batchSize = "batch_size"
        case flushInterval = "flush_interval"
        case stallAfter = "stall_after"
    }
}

package struct RawAudit: Codable {
    package var keyFile: String?
    package var anchorFile: String?
    package enum CodingKeys: String, CodingKey {
        case keyFile = "key_file"
        case anchorFile = "anchor_file"
    }
}

package struct RawHTTP: Codable {
    package var bind: String?
    package var port: Int?
    package var allowPlaintext: Bool?
    package var tls: RawTLS?
    package var sessionLifetime: String?
    package var login: RawLogin?
    package var language: String?
    package enum CodingKeys: String, CodingKey {
        case bind, port, tls, login, language
        case allowPlaintext = "allow_plaintext"
        case sessionLifetime = "session_lifetime"
    }
}

package struct RawTLS: Codable {
    package var certificateFile: String?
    package var keyFile: String?
    package enum CodingKeys: String, CodingKey {
        case certificateFile = "certificate_file"
        case keyFile = "key_file"
    }
}

package struct RawLogin: Codable {
    package var maxFailures: Int?
    package var lockout: String?
    package var bcryptCost: Int?
    package enum CodingKeys: String, CodingKey {
        case lockout
        case maxFailures = "max_failures"
        case bcryptCost = "bcrypt_cost"
    }
}

package struct RawLogging: Codable {
    package var level: String?
    package var format: String?
}

package struct RawProfiles: Codable {
    package var directory: String?
}

package struct RawFloor: Codable {
    package var importOnFirstStart: String?
    package enum CodingKeys: String, CodingKey {
        case importOnFirstStart = "import_on_first_start"
    }
}

package struct RawRules: Codable {
    package var file: String?
    package var evaluateEvery: String?
    package var checkpointEvery: String?
    package var replayAfterRestart: String?
    package var checkClockSync: Bool?
    package enum CodingKeys: String, CodingKey {
        case file
        case evaluateEvery = "evaluate_every"
        case checkpointEvery = "checkpoint_every"
        case replayAfterRestart = "replay_after_restart"
        case checkClockSync = "check_clock_sync"
    }
}

package struct RawSensor: Codable {
    package var id: String?
    package var profile: String?
    package var endpoint: String?
    package var unit: Int?
    package var rack: String?
    package var interval: String?
    package var timeout: String?
    package var snmp: RawSNMPCredentials?
}

package struct RawSNMPCredentials: Codable {
    package var version: String?
    package var communityFile: String?
    package var communityEnv: String?
    package var user: String?
    package var securityLevel: String?
    package var authProtocol: String?
    package var authKeyFile: String?
    package var authKeyEnv: String?
    package var privProtocol: String?
    package var privKeyFile: String?
    package var privKeyEnv: String?
    package enum CodingKeys: String, CodingKey {
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
