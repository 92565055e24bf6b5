import AgentStore
import ContaminationRules
import DCAgentWeb
import FloorModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Telemetry
import Testing

/// `GET /api/v1/itsm/report` in process over a real store: events committed as the rules commit
/// them, acknowledged by an operator, ticketed by the built-in tickets; the figures read back.
@Suite("ITSM report route: the follow-up figures of a site's month", .serialized, .timeLimit(.minutes(2)))
struct ITSMReportRoutesTests {
    static func t(_ iso: String) -> Timestamp { Timestamp(parsing: iso)! }

    /// A store with one site (DC, Asia/Jakarta) and, in November 2026 there:
    /// - A, first seen 2026-10-31T20:00Z (1 November 03:00 in Jakarta): acknowledged after 600 s,
    ///   resolved after 3600 s, a built-in ticket resolved after 7200 s;
    /// - B, a room's event on 10 November: resolved after 1800 s, never acknowledged;
    /// - C, A's condition again on 20 November: acknowledged after 1200 s, still firing;
    /// and D, first seen in the last minute of October in Jakarta (not in the month).
    final class Rig: Sendable {
        let dir = TempDirectory()
        let store: SiteStore
        let status = FixedStatus()
        let commits = CommitSignals()

        init() async throws {
            store = try SiteStore(
                path: dir.file("r.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"),
                logger: Logger(label: "t"))
            _ = try store.users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
            _ = try store.users.add(name: "ops", role: .operator_, fullName: nil, actor: "ana")
            let document = """
                {"version": 1,
                 "device_types": [{"slug": "s1", "manufacturer": "A", "model": "S1", "u_height": 1, "weight_kg": 10}],
                 "sites": [{"id": "DC", "name": "DC", "kind": "DC", "time_zone": "Asia/Jakarta",
                   "rooms": [{"id": "DC-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4},
                     "racks": [{"id": "DC-R01", "tile": "B02", "facing": "south", "devices": [{"id": "DC-R01-S1", "type": "s1", "position": 10}]}]}]}]}
                """
            try store.floor.importFloors(
                try JSONDecoder().decode(FloorDocument.self, from: Data(document.utf8)).floors(), actor: "system", source: "test")

            let a0 = ITSMReportRoutesTests.t("2026-10-31T20:00:00Z")
            let a = Self.event("inlet-hot", "DC-R01-S1", rack: "DC-R01", first: a0)
            let aID = try commit(.opened, a, at: a0)
            try store.eventActions.acknowledge(aID, actor: "ops", now: a0.adding(seconds: 600))
            try commit(.resolved, a, at: a0.adding(seconds: 3600))
            let ticket = try await store.tickets.open(
                OpeningKey(a), subject: "s", body: "b", priority: "P3", ci: "DC-R01-S1", severity: "warning", now: a0)
            try await store.itsm.apply(
                [],
                links: [
                    TicketLink(
                        target: "builtin", opening: OpeningKey(a), eventID: aID, ticket: ticket.number, state: "resolved", reason: "r",
                        updated: a0)
                ])
            _ = try await store.tickets.record(ticket.number, what: "resolved", text: "cleared", now: a0.adding(seconds: 7200))

            let b0 = ITSMReportRoutesTests.t("2026-11-10T00:00:00Z")
            let b = Self.event("humidity-low", "DC-H1", rack: nil, first: b0)
            try commit(.opened, b, at: b0)
            try commit(.resolved, b, at: b0.adding(seconds: 1800))

            let c0 = ITSMReportRoutesTests.t("2026-11-20T05:00:00Z")
            let cID = try commit(.opened, Self.event("inlet-hot", "DC-R01-S1", rack: "DC-R01", first: c0), at: c0)
            try store.eventActions.acknowledge(cID, actor: "ops", now: c0.adding(seconds: 1200))

            let d0 = ITSMReportRoutesTests.t("2026-10-31T16:59:00Z")
            try commit(.opened, Self.event("door-open", "DC-R01", rack: "DC-R01", first: d0), at: d0)
        }

        static func event(_ rule: String, _ scope: CIID, rack: CIID?, first: Timestamp) -> Event {
            Event(
                dedupKey: Event.dedupKey(rule: rule, scope: scope, point: nil), ruleID: rule, kind: .threshold, severity: .warning,
                state: .firing,
                scope: scope, room: "DC-H1", rack: rack, point: nil, firstSeen: first, lastSeen: first, count: 1, message: rule,
                evidence: [],
                suppressed: false, flapping: false)
        }

        /// Commits a change as the rules service does; the event's row id.
        @discardableResult
        func commit(_ change: EventChange.Change, _ e: Event, at: Timestamp) throws -> Int64 {
            var e = e
            if change == .resolved { (e.state, e.lastSeen) = (.resolved, at) }
            try store.events.commit(
                RuleCheckpoint(
                    changes: [EventChange(change: change, event: e, at: at, notify: true)], derived: [], state: Data("{}".utf8),
                    rulesDigest: "d", at: at))
            return try #require(try store.events.events(EventQuery(rule: e.ruleID)).first { $0.event.firstSeen == e.firstSeen }?.id)
        }

        func app() -> some ApplicationProtocol {
            let commits = self.commits
            // The follow-up read comes with the event source (EventStore has it): not set apart.
            var sources = WebSources(status: status, events: store.events, commits: { commits.subscribe() })
            sources.sites = [
                WebSite(id: "DC", name: "DC", timeZone: "Asia/Jakarta"), WebSite(id: "DRC", name: "DRC", timeZone: "Asia/Jakarta"),
            ]
            return Application(router: WebRoutes.router(sources, logger: Logger(label: "report-test")))
        }
    }

    /// A temporary directory, removed with its value.
    final class TempDirectory: Sendable {
        let path = NSTemporaryDirectory() + "dcagent-report-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func file(_ name: String) -> String { path + "/" + name }
    }

    @Test("November 2026 in Jakarta: the figures computed from the store, the month read in the site's zone")
    func figures() async throws {
        let rig = try await Rig()
        try await rig.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/itsm/report?site=DC&month=2026-11", method: .get) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                #expect(r.headers[.contentType] == "application/json")
                let v = try JSONDecoder.snake.decode(FollowUpView.self, from: Data(String(buffer: r.body).utf8))
                #expect(v.site == "DC" && v.timeZone == "Asia/Jakarta" && v.month == "2026-11" && v.through == "2026-11")
                #expect(v.from == "2026-10-31T17:00:00.000Z" && v.to == "2026-11-30T17:00:00.000Z")
                // A (1 November in Jakarta, 31 October in UTC), B and C; not D.
                #expect(v.openings == 3 && v.tickets == 1)
                // MTTA over A and C: (600 + 1200) / 2; MTTR over A and B: (3600 + 1800) / 2.
                #expect(v.timeToAcknowledge == .init(count: 2, notReached: 1, meanSeconds: 900, medianSeconds: 900))
                #expect(v.timeToResolve == .init(count: 2, notReached: 1, meanSeconds: 2700, medianSeconds: 2700))
                #expect(v.timeToResolveTicket == .init(count: 1, notReached: 0, meanSeconds: 7200, medianSeconds: 7200))
                #expect(v.byRack == [.init(rack: "DC-R01", events: 2, tickets: 1), .init(rack: nil, events: 1, tickets: 0)])
                #expect(v.byRoom == [.init(room: "DC-H1", events: 3, tickets: 1)])
                #expect(v.byMonth == [.init(month: "2026-11", events: 3, tickets: 1)])
                #expect(v.recurring.map { "\($0.rule) \($0.scope) \($0.openings)" } == ["inlet-hot DC-R01-S1 2"])
                // Every key is written, null when absent.
                let raw = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as? [String: Any])
                #expect((raw["by_rack"] as? [[String: Any]])?.last?.keys.contains("rack") == true)
            }
            // October through December: D counts in October.
            try await client.execute(uri: "/api/v1/itsm/report?site=DC&month=2026-10&through=2026-12", method: .get) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let v = try JSONDecoder.snake.decode(FollowUpView.self, from: Data(String(buffer: r.body).utf8))
                #expect(v.byMonth.map { "\($0.month) \($0.events)" } == ["2026-10 1", "2026-11 3", "2026-12 0"])
                #expect(v.openings == 4)
            }
            // The other site has nothing: zero, no means.
            try await client.execute(uri: "/api/v1/itsm/report?site=DRC&month=2026-11", method: .get) { r in
                let v = try JSONDecoder.snake.decode(FollowUpView.self, from: Data(String(buffer: r.body).utf8))
                #expect(v.openings == 0 && v.timeToAcknowledge.meanSeconds == nil && v.byMonth.map(\.events) == [0])
            }
        }
    }

    @Test("a missing or unknown site, a month not YYYY-MM, a period backwards or too long: 400 naming the parameter; POST 405")
    func refusals() async throws {
        let rig = try await Rig()
        try await rig.app().test(.router) { client in
            let refused: [(String, String, String)] = [
                ("/api/v1/itsm/report?month=2026-11", "site", "site: required, one of this agent's sites (DC, DRC)"),
                ("/api/v1/itsm/report?site=XX&month=2026-11", "site", "site 'XX': not a site of this agent (DC, DRC)"),
                ("/api/v1/itsm/report?site=DC", "month", "month: required, as YYYY-MM"),
                ("/api/v1/itsm/report?site=DC&month=2026-13", "month", "month '2026-13': the month must be 01 to 12"),
                ("/api/v1/itsm/report?site=DC&month=november", "month", "month 'november': expected a month as YYYY-MM"),
                ("/api/v1/itsm/report?site=DC&month=2026-11&through=2026-10", "through", "through 2026-10: before month 2026-11"),
                ("/api/v1/itsm/report?site=DC&month=2020-01&through=2026-10", "through", "at most 36 months"),
                ("/api/v1/itsm/report?site=DC&month=2026-11&through=x", "through", "through 'x'"),
            ]
            for (path, field, text) in refused {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .badRequest, "\(path): \(r.status)")
                    let e = try WebRoutesTests.error(r.body)
                    #expect(e.code == "bad_parameter" && e.field == field, "\(path): \(e)")
                    #expect(e.message.contains(text), "\(path): \(e.message)")
                }
            }
            try await client.execute(uri: "/api/v1/itsm/report?site=DC&month=2026-11", method: .post) { r in
                #expect(r.status == .methodNotAllowed && r.headers[.allow] == "GET")
            }
        }
    }
}

extension JSONDecoder {
    /// The API's snake_case keys.
    static var snake: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
