/// Why an SNMP device or profile could not be used at all (a failed point is a bad reading, not this).
public struct SNMPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Hashable, Sendable {
        /// The profile or target is invalid for this sensor.
        case configuration
        /// No reply within timeout × (retries + 1): wrong community, wrong v3 key, device down.
        case timeout
        /// The session could not be opened or a request could not be sent.
        case session
        /// The agent replied with an error status for the whole request.
        case agent
        /// A v3 authentication or privacy failure reported by the agent or the library.
        case authentication
    }

    /// The kind of failure.
    public let code: Code
    /// The sensor (CI id) or target the failure belongs to.
    public let context: String
    /// What happened, for a human.
    public let reason: String

    /// A profile or target error naming the sensor and, where there is one, the point and key.
    public static func configuration(sensor: String, _ reason: String) -> SNMPError {
        SNMPError(code: .configuration, context: "sensor \(sensor)", reason: reason)
    }
    /// No reply from the target. `afterDiscovery`: an SNMPv3 agent that answered engine discovery
    /// (so it is there) never answered a request of this session, which is what a wrong privacy
    /// key or protocol looks like: the agent drops what it cannot decrypt, with no report.
    public static func timeout(_ target: SNMPTarget, afterDiscovery: Bool = false) -> SNMPError {
        SNMPError(
            code: .timeout, context: target.description,
            reason: "no reply after \(target.retries + 1) attempt(s) of \(target.timeout) s"
                + (afterDiscovery
                    ? ", though the agent answered SNMPv3 engine discovery: an agent drops requests it cannot decrypt, so check the privacy key and protocol"
                    : ""))
    }
    /// A session or transport failure.
    public static func session(_ target: SNMPTarget, _ reason: String) -> SNMPError {
        SNMPError(code: .session, context: target.description, reason: reason)
    }
    /// An error status in the agent's reply.
    public static func agent(_ target: SNMPTarget, _ reason: String) -> SNMPError {
        SNMPError(code: .agent, context: target.description, reason: reason)
    }
    /// A USM failure.
    public static func authentication(_ target: SNMPTarget, _ reason: String) -> SNMPError {
        SNMPError(code: .authentication, context: target.description, reason: reason)
    }

    /// `SNMP timeout (udp:127.0.0.1:16101 v2c timeout 0.2 s × 1): no reply after 1 attempt(s) of 0.2 s`.
    public var description: String { "SNMP \(code.rawValue) (\(context)): \(reason)" }
}
