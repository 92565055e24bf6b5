public import AgentStore
public import Foundation
import Hummingbird
public import ITSMLink
public import Telemetry

/// The follow-up figures of a site's month (issue 15 item 6; Lampiran II F.1): the one path from
/// a request (the API's query, the CLI's options) to the figures, so both refuse the same
/// inputs with the same words and compute from the same store read.
public enum FollowUpReport {
    /// The longest period one request covers, in months.
    public static let longestPeriod = 36

    /// A refused input: the parameter (`site`, `month`, `through`) and why.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        /// The parameter at fault (`site`, `month`, `through`).
        public var field: String
        /// Why, naming the parameter and the value.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    /// What a request asks for, checked.
    public struct Request: Sendable, Equatable {
        /// The site, with its time zone.
        public var site: WebSite
        /// The site's time zone.
        public var zone: TimeZone
        /// The first month.
        public var from: ReportMonth
        /// The last month (`from` when none was given).
        public var through: ReportMonth
    }

    /// Checks a request: the site must be one of `sites` (its time zone reads the months), the
    /// month `YYYY-MM`, and `through` (optional: the same month) no earlier than it and at most
    /// ``longestPeriod`` months on.
    public static func request(site: String?, month: String?, through: String?, sites: [WebSite]) throws(Invalid) -> Request {
        let known = sites.map(\.id).joined(separator: ", ")
        guard let siteID = site, !siteID.isEmpty else {
            throw Invalid(
                field: "site", message: "site: required, one of this agent's sites (\(known.isEmpty ? "none configured" : known))")
        }
        guard let s = sites.first(where: { $0.id == siteID }) else {
            throw Invalid(
                field: "site", message: "site '\(siteID)': not a site of this agent (\(known.isEmpty ? "none configured" : known))")
        }
        guard let zone = TimeZone(identifier: s.timeZone) else {
            throw Invalid(field: "site", message: "site '\(siteID)': its time zone '\(s.timeZone)' is not known")
        }
        guard let monthText = month, !monthText.isEmpty else { throw Invalid(field: "month", message: "month: required, as YYYY-MM") }
        let from: ReportMonth
        do { from = try ReportMonth(parsing: monthText) } catch { throw Invalid(field: "month", message: "month \(error)") }
        var last = from
        if let throughText = through {
            do { last = try ReportMonth(parsing: throughText) } catch { throw Invalid(field: "through", message: "through \(error)") }
            guard last >= from else { throw Invalid(field: "through", message: "through \(last): before month \(from)") }
            guard from.through(last).count <= longestPeriod else {
                throw Invalid(field: "through", message: "through \(last): at most \(longestPeriod) months from \(from)")
            }
        }
        return Request(site: s, zone: zone, from: from, through: last)
    }

    /// Reads the openings of the request's period from the store and computes the figures.
    public static func figures(_ r: Request, from store: any FollowUpReading) async throws -> FollowUpFigures {
        let start = r.from.interval(in: r.zone).start
        let end = r.through.interval(in: r.zone).end
        let stored = try await store.followUps(site: CIID(unchecked: r.site.id), from: start, to: end)
        return FollowUpFigures(site: r.site.id, timeZone: r.zone, from: r.from, through: r.through, openings: stored.map(Self.opening))
    }

    /// The store's facts of an opening as the figures read them.
    static func opening(_ o: OpeningFollowUp) -> FollowUpOpening {
        FollowUpOpening(
            eventID: o.eventID, dedupKey: o.dedupKey, rule: o.rule, scope: o.scope, rack: o.rack, room: o.room, firstSeen: o.firstSeen,
            acknowledgedAt: o.acknowledgedAt, resolvedAt: o.resolvedAt,
            tickets: o.tickets.map { FollowUpTicket(target: $0.target, reference: $0.reference, resolvedAt: $0.resolvedAt) })
    }
}

/// The follow-up figures as the API and `dcagent itsm report --format json` write them.
public struct FollowUpView: Codable, Sendable, Equatable {
    /// The site.
    public var site: String
    /// The site's IANA time zone.
    public var timeZone: String
    /// The first month, `YYYY-MM`.
    public var month: String
    /// The last month, `YYYY-MM`.
    public var through: String
    /// The instant the first month starts in the site's zone.
    public var from: String
    /// The instant after the last month ends in the site's zone.
    public var to: String
    /// Openings first seen in the period.
    public var openings: Int
    /// Distinct tickets they made.
    public var tickets: Int
    /// From first seen to the first acknowledgement (its mean is the MTTA).
    public var timeToAcknowledge: Figure
    /// From first seen to the event's resolve (its mean is the MTTR).
    public var timeToResolve: Figure
    /// From first seen to the ticket's resolve, where known.
    public var timeToResolveTicket: Figure
    /// Per rack; the openings with no rack last.
    public var byRack: [RackTally]
    /// Per room; the openings with no room last.
    public var byRoom: [RoomTally]
    /// Per month of the period, every month listed.
    public var byMonth: [MonthTally]
    /// Conditions opened more than once, most first.
    public var recurring: [Recurring]

    /// A duration figure: over how many openings, how many not there yet, mean and median.
    public struct Figure: Codable, Sendable, Equatable {
        /// Openings that reached the end point.
        public var count: Int
        /// Openings that have not (yet).
        public var notReached: Int
        /// The mean in seconds; null when `count` is 0.
        @Nullable public var meanSeconds: Double?
        /// The median in seconds; null when `count` is 0.
        @Nullable public var medianSeconds: Double?

        /// Creates one from its parts.
        public init(count: Int, notReached: Int, meanSeconds: Double?, medianSeconds: Double?) {
            (self.count, self.notReached, self.meanSeconds, self.medianSeconds) = (count, notReached, meanSeconds, medianSeconds)
        }
    }
    /// Openings and tickets of a rack (null: the openings with no rack).
    public struct RackTally: Codable, Sendable, Equatable {
        /// The rack; null for the openings with no rack.
        @Nullable public var rack: String?
        /// Openings first seen in the period.
        public var events: Int
        /// Distinct tickets they made.
        public var tickets: Int

        /// Creates one from its parts.
        public init(rack: String?, events: Int, tickets: Int) { (self.rack, self.events, self.tickets) = (rack, events, tickets) }
    }
    /// Openings and tickets of a room (null: the openings with no room).
    public struct RoomTally: Codable, Sendable, Equatable {
        /// The room; null for the openings with no room.
        @Nullable public var room: String?
        /// Openings first seen in the period.
        public var events: Int
        /// Distinct tickets they made.
        public var tickets: Int

        /// Creates one from its parts.
        public init(room: String?, events: Int, tickets: Int) { (self.room, self.events, self.tickets) = (room, events, tickets) }
    }
    /// Openings and tickets of a month (`YYYY-MM`, the site's).
    public struct MonthTally: Codable, Sendable, Equatable {
        /// `YYYY-MM`.
        public var month: String
        /// Openings first seen in the period.
        public var events: Int
        /// Distinct tickets they made.
        public var tickets: Int

        /// Creates one from its parts.
        public init(month: String, events: Int, tickets: Int) { (self.month, self.events, self.tickets) = (month, events, tickets) }
    }
    /// A condition that opened more than once.
    public struct Recurring: Codable, Sendable, Equatable {
        /// The condition.
        public var dedupKey: String
        /// The rule of its latest opening.
        public var rule: String
        /// The CI of its latest opening.
        public var scope: String
        /// Its openings in the period.
        public var openings: Int

        /// Creates one from its parts.
        public init(dedupKey: String, rule: String, scope: String, openings: Int) {
            (self.dedupKey, self.rule, self.scope, self.openings) = (dedupKey, rule, scope, openings)
        }
    }

    /// The view of the figures; `zone` gives the instants the months span.
    public init(_ f: FollowUpFigures, zone: TimeZone) {
        (site, timeZone, month, through) = (f.site, f.timeZone, f.from.description, f.through.description)
        (from, to) = ("\(f.from.interval(in: zone).start)", "\(f.through.interval(in: zone).end)")
        (openings, tickets) = (f.openings, f.tickets)
        func figure(_ d: DurationFigure) -> Figure {
            Figure(count: d.count, notReached: d.notReached, meanSeconds: d.meanSeconds, medianSeconds: d.medianSeconds)
        }
        timeToAcknowledge = figure(f.acknowledge)
        timeToResolve = figure(f.resolve)
        timeToResolveTicket = figure(f.ticketResolve)
        byRack = f.byRack.map { RackTally(rack: $0.key?.rawValue, events: $0.events, tickets: $0.tickets) }
        byRoom = f.byRoom.map { RoomTally(room: $0.key?.rawValue, events: $0.events, tickets: $0.tickets) }
        byMonth = f.byMonth.map { MonthTally(month: $0.key?.description ?? "", events: $0.events, tickets: $0.tickets) }
        recurring = f.recurring.map { Recurring(dedupKey: $0.dedupKey, rule: $0.rule, scope: $0.scope.rawValue, openings: $0.openings) }
    }
}

/// No follow-up store: every period has no openings.
public struct NoFollowUps: FollowUpReading {
    /// None.
    public init() {}
    /// No openings.
    public func followUps(site: CIID, from: Timestamp, to: Timestamp) async throws -> [OpeningFollowUp] { [] }
}

/// `GET /api/v1/itsm/report?site=S&month=YYYY-MM[&through=YYYY-MM]`: the follow-up figures of a
/// site's month(s), months read in the site's time zone. A read: no login, like the others.
struct ITSMReportAPI: Sendable {
    let followUps: any FollowUpReading
    let sites: [WebSite]

    func register(on api: RouterGroup<WebContext>) {
        let (followUps, sites) = (self.followUps, self.sites)
        api.resource("itsm/report") { request, _ in
            let p = EventsAPI.queryParameters(request)
            let r: FollowUpReport.Request
            do throws(FollowUpReport.Invalid) {
                r = try FollowUpReport.request(
                    site: p.get("site").map { String($0) }, month: p.get("month").map { String($0) },
                    through: p.get("through").map { String($0) },
                    sites: sites)
            } catch {
                throw APIError.badParameter(error.field, error.message)
            }
            let figures = try await FollowUpReport.figures(r, from: followUps)
            return try WebJSON.response(FollowUpView(figures, zone: r.zone))
        }
    }
}
