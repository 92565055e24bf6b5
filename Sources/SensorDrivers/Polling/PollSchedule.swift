/// When to poll a device next: a pure function of its interval, its failures and a random draw.
public struct PollSchedule: Hashable, Sendable {
    /// The device's interval.
    public var interval: Duration
    /// The service's scheduling configuration.
    public var configuration: PollingConfiguration

    /// Delay of the first poll: spread over one interval × jitter so devices do not poll in step.
    public func initialDelay(random: Double) -> Duration { interval * (configuration.jitter * random) }

    /// The pause after a poll. Healthy or not yet offline: the interval plus jitter. Offline: the
    /// interval doubled per failure past the offline threshold, capped at `maxBackoff`.
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let jitter = interval * (configuration.jitter * random)
        guard failures >= configuration.offlineAfter else { return interval + jitter }
        var d = interval
        for _ in 0...(failures - configuration.offlineAfter) {
            d = d * 2
            if d >= configuration.maxBackoff { return configuration.maxBackoff }
        }
        return d + jitter
    }
}
