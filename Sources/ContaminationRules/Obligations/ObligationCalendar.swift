public import Telemetry

/// One schedule a rule file sets: which obligations of which rooms it keeps, and how often.
public struct ObligationDuty: Hashable, Sendable {
    /// How often, and how early the due-soon warning comes.
    public var schedule: ObligationSchedule
    /// The obligations it covers.
    public var kinds: [ObligationKind]
    /// The rooms it covers.
    public var rooms: [CIID]

    /// Creates a duty.
    public init(schedule: ObligationSchedule, kinds: [ObligationKind], rooms: [CIID]) {
        self.schedule = schedule
        self.kinds = kinds
        self.rooms = rooms
    }
}

/// The obligations calendar as `dcagent obligations status` and the `/obligations` page show it:
/// the duties the rules set (else every obligation of every room, yearly) and where each stands.
public enum ObligationCalendar {
    /// The obligation rules' duties, in rule order.
    public static func duties(_ rules: [CompiledRule]) -> [ObligationDuty] {
        rules.compactMap { rule in
            if case .obligation(let s, let kinds, let rooms) = rule.kind { return ObligationDuty(schedule: s, kinds: kinds, rooms: rooms) }
            return nil
        }
    }

    /// `configured`, or — when no rule sets any — every obligation of `allRooms`, yearly
    /// (``ObligationSchedule/yearly``).
    public static func duties(configured: [ObligationDuty], allRooms: [CIID]) -> [ObligationDuty] {
        configured.isEmpty ? [ObligationDuty(schedule: .yearly, kinds: ObligationKind.allCases, rooms: allRooms)] : configured
    }

    /// Where every obligation of every duty stands at `now`: per duty, by room then kind.
    public static func statuses(_ duties: [ObligationDuty], records: [ObligationRecord], now: Timestamp) -> [ObligationStatus] {
        duties.flatMap { $0.schedule.statuses(rooms: $0.rooms, kinds: $0.kinds, records: records, now: now) }
    }
}
