public import Telemetry
/// Retry and reconnect policy of one request.
public struct RetryPolicy: Hashable, Sendable {
    /// How many times a "device busy"/"acknowledge" reply is retried before giving up.
    public var busyRetries: Int
    /// The first back-off after a busy reply; doubled on each further one.
    public var busyBackoff: Duration
    /// The longest back-off.
    public var maxBackoff: Duration
    /// How many times a request is re-sent over a new connection after a timeout or a broken link.
    public var reconnects: Int

    /// Creates a policy.
    public init(
        busyRetries: Int = 3, busyBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(2),
        reconnects: Int = 1
    ) {
        self.busyRetries = busyRetries
        self.busyBackoff = busyBackoff
        self.maxBackoff = maxBackoff
        self.reconnects = reconnects
    }
}

/// The decisions around one request, as a value that returns actions (STYLE.md habit 8):
/// the bus executes them, tests drive them without sockets.
public struct ConnectionStateMachine: Hashable, Sendable {
    /// What to do after an outcome.
    public enum Action: Hashable, Sendable {
        /// Hand the outcome (units or failure) to the reader.
        case deliver
        /// Send the same request again after a pause (device busy).
        case retry(after: Duration)
        /// Drop the connection, open a new one and send the request again.
        case reconnect
        /// Stop: hand the failure to the reader. `dropConnection` when the link may hold stale bytes.
        case giveUp(dropConnection: Bool)
    }

    /// The policy in force.
    public let policy: RetryPolicy
    private(set) var busyAttempts = 0
    private(set) var reconnectAttempts = 0

    /// Creates the machine for one request.
    public init(policy: RetryPolicy = RetryPolicy()) { self.policy = policy }

    /// The action for the outcome of one attempt.
    public mutating func received(_ outcome: Result<[UInt16], RequestFailure>) -> Action {
        guard case .failure(let f) = outcome else { return .deliver }
        switch f.code {
        case .reply(.exception(let e)) where e.isTransient:
            busyAttempts += 1
            guard busyAttempts <= policy.busyRetries else { return .giveUp(dropConnection: false) }
            return .retry(after: backoff(attempt: busyAttempts))
        case .reply(.exception):
            return .giveUp(dropConnection: false)
        case .timeout, .connection:
            reconnectAttempts += 1
            return reconnectAttempts <= policy.reconnects ? .reconnect : .giveUp(dropConnection: true)
        case .corrupted, .reply:
            // A garbled or mismatched reply may leave stale bytes on the link: start clean next time.
            return .giveUp(dropConnection: true)
        case .cancelled:
            return .giveUp(dropConnection: false)
        }
    }

    /// True when the link may hold bytes of this exchange still to come (a late reply after a
    /// timeout, the rest of a garbled frame) or is broken: the connection must be dropped before
    /// any other request goes out on it — on a shared bus another device's request would
    /// otherwise read this late reply as its own (RTU frames carry no transaction id).
    public static func leavesStaleBytes(_ outcome: Result<[UInt16], RequestFailure>) -> Bool {
        guard case .failure(let f) = outcome else { return false }
        switch f.code {
        case .timeout, .connection, .corrupted: return true
        case .reply(.exception), .cancelled: return false
        case .reply: return true
        }
    }

    /// busyBackoff × 2^(attempt−1), capped at maxBackoff.
    func backoff(attempt: Int) -> Duration {
        var d = policy.busyBackoff
        for _ in 1..<max(1, attempt) {
            d = d * 2
            if d >= policy.maxBackoff { return policy.maxBackoff }
        }
        return min(d, policy.maxBackoff)
    }
}
