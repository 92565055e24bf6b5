public import Foundation
public import Telemetry

/// One opening of an event as the follow-up figures read it: when it was first seen, when an
/// operator first acknowledged it, when it resolved, and the tickets it became.
public struct FollowUpOpening: Hashable, Sendable {
    /// The event row (`dcagent events show ID`).
    public var eventID: Int64
    /// The condition: openings of one dedup key are the same condition recurring.
    public var dedupKey: String
    /// The rule that raised it.
    public var rule: String
    /// The CI it is about.
    public var scope: CIID
    /// Its rack, if it has one.
    public var rack: CIID?
    /// Its room, if it has one.
    public var room: CIID?
    /// When the condition was first seen: the start of every figure.
    public var firstSeen: Timestamp
    /// The first operator acknowledgement (the change `acknowledged`), nil when none yet.
    public var acknowledgedAt: Timestamp?
    /// When the event cleared (the change `resolved`), nil while it fires.
    public var resolvedAt: Timestamp?
    /// The tickets this opening made, one per ITSM target at most.
    public var tickets: [FollowUpTicket]

    /// Creates one from its parts.
    public init(
        eventID: Int64, dedupKey: String, rule: String, scope: CIID, rack: CIID?, room: CIID?, firstSeen: Timestamp,
        acknowledgedAt: Timestamp?, resolvedAt: Timestamp?, tickets: [FollowUpTicket] = []
    ) {
        self.eventID = eventID
        self.dedupKey = dedupKey
        self.rule = rule
        self.scope = scope
        self.rack = rack
        self.room = room
        self.firstSeen = firstSeen
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
        self.tickets = tickets
    }
}

/// A ticket an opening made at one ITSM target.
public struct FollowUpTicket: Hashable, Sendable {
    /// Where (`builtin`, `rt`).
    public var target: String
    /// The target's reference (`INC-000012`, RT's `1234`).
    public var reference: String
    /// When the ticket was resolved, when known; nil while it is open or when the target does
    /// not tell.
    public var resolvedAt: Timestamp?

    /// Creates one from its parts.
    public init(target: String, reference: String, resolvedAt: Timestamp?) {
        self.target = target
        self.reference = reference
        self.resolvedAt = resolvedAt
    }
}

/// One duration figure over the openings of a period: how many openings reached the end point,
/// the mean and the median of their durations in seconds, and how many have not reached it (yet)
/// — those are counted apart, never averaged in as zero or as "until now".
public struct DurationFigure: Hashable, Sendable {
    /// Openings that reached the end point: the mean and the median are over these.
    public var count: Int
    /// Openings that have not reached it when the store was read.
    public var notReached: Int
    /// The arithmetic mean in seconds; nil when `count` is 0.
    public var meanSeconds: Double?
    /// The median in seconds (the mean of the two middle values for an even count); nil when
    /// `count` is 0.
    public var medianSeconds: Double?

    /// The figure of some durations in seconds, with the number that did not reach the end point.
    public init(seconds: [Double], notReached: Int) {
        count = seconds.count
        self.notReached = notReached
        guard !seconds.isEmpty else { return }
        meanSeconds = seconds.reduce(0, +) / Double(seconds.count)
        let sorted = seconds.sorted()
        let mid = sorted.count / 2
        medianSeconds = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// Openings and tickets of one group (a rack, a room, a month).
public struct FollowUpTally<Key: Hashable & Sendable>: Hashable, Sendable {
    /// The rack, room or month; nil for the openings that have no rack (or no room).
    public var key: Key?
    /// Openings first seen in the period.
    public var events: Int
    /// Distinct tickets those openings made.
    public var tickets: Int
}

/// A condition that opened more than once in the period.
public struct Recurrence: Hashable, Sendable {
    /// The condition.
    public var dedupKey: String
    /// The rule of its latest opening.
    public var rule: String
    /// The CI of its latest opening.
    public var scope: CIID
    /// Openings in the period.
    public var openings: Int
}

/// The follow-up figures of a site for one or more months (issue 15 item 6; decree Lampiran II
/// F.1, "report resolution"; H.1, every anomaly event followed up): how fast events were
/// acknowledged and resolved, where they happened, and which conditions keep coming back.
///
/// An opening belongs to the month in which it was **first seen, read in the site's time zone**
/// (``ReportMonth/of(_:in:)``); its acknowledgement or resolve may come later — even after the
/// period — and still counts for it. The figures are as of when the store was read: an opening
/// not yet acknowledged or resolved is counted in ``DurationFigure/notReached``.
public struct FollowUpFigures: Hashable, Sendable {
    /// The site.
    public var site: String
    /// The site's time zone (IANA name) the months are read in.
    public var timeZone: String
    /// The first month of the period.
    public var from: ReportMonth
    /// The last month of the period (the same as `from` for one month).
    public var through: ReportMonth
    /// Openings first seen in the period.
    public var openings: Int
    /// Distinct tickets (target, reference) those openings made.
    public var tickets: Int
    /// Time to acknowledge (MTTA is its mean): from an opening's first-seen time to its first
    /// operator acknowledgement.
    public var acknowledge: DurationFigure
    /// Time to resolve (MTTR is its mean): from an opening's first-seen time to the event's
    /// resolve (the condition cleared on fresh good readings) — not the ticket's.
    public var resolve: DurationFigure
    /// Time to resolve the ticket: from an opening's first-seen time to when its ticket was
    /// resolved, over the openings that made a ticket whose resolve time is known (the earliest,
    /// when it made tickets at several targets); `notReached` counts those with a ticket still
    /// open or of unknown resolve time.
    public var ticketResolve: DurationFigure
    /// Per rack, by rack id; openings with no rack last (key nil).
    public var byRack: [FollowUpTally<CIID>]
    /// Per room, by room id; openings with no room last (key nil).
    public var byRoom: [FollowUpTally<CIID>]
    /// Per month of the period, in order, every month listed (zero when nothing opened).
    public var byMonth: [FollowUpTally<ReportMonth>]
    /// The conditions that opened more than once, most openings first, ties by dedup key; at
    /// most the limit given.
    public var recurring: [Recurrence]

    /// The default number of recurring conditions listed.
    public static let recurringLimit = 10

    /// Computes the figures of `openings` first seen from month `from` through month `through`
    /// in `timeZone` (openings outside the period are left out: a store may hand over a wider
    /// window).
    public init(
        site: String, timeZone: TimeZone, from: ReportMonth, through: ReportMonth, openings all: [FollowUpOpening],
        recurringLimit: Int = FollowUpFigures.recurringLimit
    ) {
        self.site = site
        self.timeZone = timeZone.identifier
        self.from = from
        self.through = through
        let months = from.through(through)
        let dated = all.map { (opening: $0, month: ReportMonth.of($0.firstSeen, in: timeZone)) }.filter {
            $0.month >= from && $0.month <= through
        }
        let inPeriod = dated.map(\.opening)
        openings = inPeriod.count
        tickets = Self.distinctTickets(inPeriod)

        func durations(_ end: (FollowUpOpening) -> Timestamp?) -> DurationFigure {
            let reached = inPeriod.compactMap { o in end(o).map { $0.seconds(since: o.firstSeen) } }
            return DurationFigure(seconds: reached, notReached: inPeriod.count - reached.count)
        }
        acknowledge = durations(\.acknowledgedAt)
        resolve = durations(\.resolvedAt)
        let ticketed = inPeriod.filter { !$0.tickets.isEmpty }
        let ticketSeconds = ticketed.compactMap { o in o.tickets.compactMap(\.resolvedAt).min().map { $0.seconds(since: o.firstSeen) } }
        ticketResolve = DurationFigure(seconds: ticketSeconds, notReached: ticketed.count - ticketSeconds.count)

        byRack = Self.tally(inPeriod, by: \.rack)
        byRoom = Self.tally(inPeriod, by: \.room)
        let perMonth = Dictionary(grouping: dated, by: \.month)
        byMonth = months.map { m in
            let group = (perMonth[m] ?? []).map(\.opening)
            return FollowUpTally(key: m, events: group.count, tickets: Self.distinctTickets(group))
        }
        recurring = Self.recurrences(inPeriod, limit: recurringLimit)
    }

    /// The number of distinct (target, reference) tickets of some openings.
    static func distinctTickets(_ openings: [FollowUpOpening]) -> Int {
        Set(openings.flatMap { $0.tickets.map { "\($0.target)\u{1F}\($0.reference)" } }).count
    }

    /// Openings and tickets per key, by key; nil last.
    static func tally(_ openings: [FollowUpOpening], by key: (FollowUpOpening) -> CIID?) -> [FollowUpTally<CIID>] {
        Dictionary(grouping: openings, by: key)
            .map { FollowUpTally(key: $0.key, events: $0.value.count, tickets: distinctTickets($0.value)) }
            .sorted { a, b in
                switch (a.key, b.key) {
                case (let x?, let y?): return x.rawValue < y.rawValue
                case (.some, nil): return true
                default: return false
                }
            }
    }

    /// The dedup keys opened more than once: most openings first, ties by key; at most `limit`.
    static func recurrences(_ openings: [FollowUpOpening], limit: Int) -> [Recurrence] {
        Dictionary(grouping: openings, by: \.dedupKey)
            .filter { $0.value.count > 1 }
            .map { key, group in
                let latest = group.max { ($0.firstSeen, $0.eventID) < ($1.firstSeen, $1.eventID) }!
                return Recurrence(dedupKey: key, rule: latest.rule, scope: latest.scope, openings: group.count)
            }
            .sorted { ($0.openings, $1.dedupKey) > ($1.openings, $0.dedupKey) }
            .prefix(max(0, limit)).map { $0 }
    }
}
