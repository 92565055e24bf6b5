public import Telemetry

/// One opening of an event: from its first firing to its resolution. A ticket belongs to one
/// opening, never to a row id (DESIGN decision 15); the rules engine gives an event that fires
/// again after it resolved a new first-seen time, so a new opening.
public struct OpeningKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var dedupKey: String
    public var firstSeen: Timestamp

    public init(dedupKey: String, firstSeen: Timestamp) {
        self.dedupKey = dedupKey
        self.firstSeen = firstSeen
    }

    /// The opening an event belongs to.
    public init(_ e: Event) { self.init(dedupKey: e.dedupKey, firstSeen: e.firstSeen) }

    /// `dedup-key@first-seen-ms`: stable, for idempotency keys.
    public var description: String { "\(dedupKey)@\(firstSeen.milliseconds)" }
}
