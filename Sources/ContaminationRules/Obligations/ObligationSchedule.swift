public import Telemetry

/// Where one obligation of one room stands at `now`.
public struct ObligationStatus: Hashable, Sendable, Codable {
    /// Whether the obligation is met.
    public enum Standing: String, Hashable, Sendable, Codable {
        /// Done within the interval and not yet due soon.
        case ok
        /// Due within the warning period.
        case dueSoon
        /// Past due, or never done.
        case overdue
    }

    /// The room.
    public var room: CIID
    /// The obligation.
    public var kind: ObligationKind
    /// The latest record, if any.
    public var lastDone: ObligationRecord?
    /// When it is next due; nil when it was never done (due now).
    public var due: Timestamp?
    /// The standing at `now`.
    public var standing: Standing
}

/// Computes due dates of yearly obligations and their due-soon / overdue standing.
public struct ObligationSchedule: Hashable, Sendable, Codable {
    /// Longest allowed time between two records (one year: 365 days).
    public var every: RuleDuration
    /// How long before due the due-soon event fires (30 days).
    public var warnBefore: RuleDuration

    /// The decree's rhythm: at least once a year, warned 30 days ahead.
    public static let yearly = ObligationSchedule(
        every: RuleDuration(seconds: 365 * 86_400), warnBefore: RuleDuration(seconds: 30 * 86_400))

    /// Creates a schedule.
    public init(every: RuleDuration, warnBefore: RuleDuration) {
        self.every = every
        self.warnBefore = warnBefore
    }

    /// The standing of `kind` in `room` from all records (others are ignored).
    public func status(room: CIID, kind: ObligationKind, records: [ObligationRecord], now: Timestamp) -> ObligationStatus {
        let last = records.filter { $0.room == room && $0.kind == kind && $0.doneAt <= now }.max { $0.doneAt < $1.doneAt }
        guard let last else { return ObligationStatus(room: room, kind: kind, lastDone: nil, due: nil, standing: .overdue) }
        let due = last.doneAt.adding(seconds: every.seconds)
        let standing: ObligationStatus.Standing =
            now >= due ? .overdue : (now >= due.adding(seconds: -warnBefore.seconds) ? .dueSoon : .ok)
        return ObligationStatus(room: room, kind: kind, lastDone: last, due: due, standing: standing)
    }

    /// The standing of every kind in every room, sorted by room then kind.
    public func statuses(rooms: [CIID], kinds: [ObligationKind], records: [ObligationRecord], now: Timestamp) -> [ObligationStatus] {
        rooms.sorted().flatMap { room in kinds.map { status(room: room, kind: $0, records: records, now: now) } }
    }
}
