public import Telemetry

/// One device the polling service polls.
public struct PolledDevice: Sendable {
    /// The reader of the device.
    public var reader: any DeviceReader
    /// How often to poll it.
    public var interval: Duration

    /// Creates an entry.
    public init(reader: any DeviceReader, interval: Duration) {
        self.reader = reader
        self.interval = interval
    }
}

/// How the polling service schedules polls.
public struct PollingConfiguration: Hashable, Sendable {
    /// The most polls in flight at once, across all devices.
    public var maxConcurrentPolls: Int
    /// Random spread of each period, as a fraction of the interval (0.1 = up to 10 % later);
    /// the first poll of each device is spread over a whole interval so devices do not poll in step.
    public var jitter: Double
    /// Consecutive failed polls after which a device is signalled offline (and backed off).
    public var offlineAfter: Int
    /// The longest pause between polls of an offline device.
    public var maxBackoff: Duration

    /// Creates a configuration.
    public init(maxConcurrentPolls: Int = 8, jitter: Double = 0.1, offlineAfter: Int = 3, maxBackoff: Duration = .seconds(300)) {
        self.maxConcurrentPolls = max(1, maxConcurrentPolls)
        self.jitter = min(max(0, jitter), 1)
        self.offlineAfter = max(1, offlineAfter)
        self.maxBackoff = maxBackoff
    }
}

/// What the polling service hands to its sink, as it happens.
public enum PollEvent: Hashable, Sendable {
    /// The readings of one successful poll (some may carry bad or absent quality).
    case readings(CIID, [Reading])
    /// The device failed `offlineAfter` consecutive polls; sent once per outage.
    case offline(CIID, reason: String)
    /// An offline device answered again.
    case online(CIID)
}

/// One finished poll, for metrics: the device, how long it took and whether it failed.
public struct PollOutcome: Hashable, Sendable {
    /// The device polled.
    public var device: CIID
    /// How long the poll took (on the service's clock).
    public var took: Duration
    /// True when the poll failed (timeout, refused connection, a reply that does not decode).
    public var failed: Bool

    /// Creates an outcome.
    public init(device: CIID, took: Duration, failed: Bool) {
        self.device = device
        self.took = took
        self.failed = failed
    }
}

/// The health of one device, as a Sendable snapshot.
public struct DeviceHealth: Hashable, Sendable {
    /// When the last successful poll started.
    public var lastSuccess: Timestamp?
    /// The error of the last failed poll.
    public var lastError: String?
    /// When the last failed poll started.
    public var lastFailure: Timestamp?
    /// Failed polls since the last success.
    public var consecutiveFailures: Int = 0
    /// How long the last poll took.
    public var lastPollDuration: Duration?
    /// Polls done (successful or not).
    public var polls: Int = 0
    /// True from the offline signal until the next success.
    public var offline: Bool = false

    /// An empty record.
    public init() {}
}
