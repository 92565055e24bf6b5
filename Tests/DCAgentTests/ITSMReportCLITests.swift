import AgentStore
import ContaminationRules
import Foundation
import Telemetry
import Testing

/// `dcagent itsm report` through the real binary, over a database holding the demo floor and
/// events written by the store's own APIs (as the rules and an operator write them).
@Suite("dcagent itsm report: follow-up figures through the CLI", .timeLimit(.minutes(5)))
struct ITSMReportCLITests {
    static func t(_ iso: String) -> Timestamp { Timestamp(parsing: iso)! }

    /// Two openings of DC-R01-TH1's hot inlet in November 2026 in Jakarta — the first at
    /// 2026-10-31T20:00Z (1 November there), acknowledged after 10 min and resolved after 1 h;
    /// the second on 15 November, acknowledged after 30 min, still firing — and another
    /// condition of the probe in the last minute of October there, resolved after 1 min.
    func populated() async throws -> (TempDir, String) {
        let dir = TempDir()
        let cfg = testConfig(dir: dir, port: freePort())
        #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--config", cfg).status == 0)
        #expect(try await dcagent("user", "add", "ops", "--role", "operator", "--as", "ana", "--config", cfg).status == 0)
        let imported = try await dcagent("floor", "import", Repo.root + "/config/floor/demo.yaml", "--as", "ana", "--config", cfg)
        #expect(imported.status == 0, "\(imported.output)")

        let db = try AgentDatabase(path: dir.file("dcagent.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let events = EventStore(database: db, samples: SampleStore(database: db))
        let actions = EventActionRepository(database: db, audit: audit)
        let probe: CIID = "DC-R01-TH1"
        func event(_ first: Timestamp, _ state: EventState = .firing, at: Timestamp? = nil, rule: String = "inlet-hot") -> Event {
            Event(
                dedupKey: Event.dedupKey(rule: rule, scope: probe, point: nil), ruleID: rule, kind: .threshold, severity: .warning,
                state: state, scope: probe, room: "DC-H1", rack: "DC-R01", point: nil, firstSeen: first, lastSeen: at ?? first, count: 1,
                message: "hot", evidence: [], suppressed: false, flapping: false)
        }
        func commit(_ change: EventChange.Change, _ e: Event, at: Timestamp) throws -> Int64 {
            try events.commit(
                RuleCheckpoint(
                    changes: [EventChange(change: change, event: e, at: at, notify: true)], derived: [], state: Data("{}".utf8),
                    rulesDigest: "d", at: at))
            return try #require(try events.events(EventQuery(rule: e.ruleID)).first { $0.event.firstSeen == e.firstSeen }?.id)
        }
        let a0 = Self.t("2026-10-31T20:00:00Z")
        let a = try commit(.opened, event(a0), at: a0)
        try actions.acknowledge(a, actor: "ops", now: a0.adding(seconds: 600))
        _ = try commit(.resolved, event(a0, .resolved, at: a0.adding(seconds: 3600)), at: a0.adding(seconds: 3600))
        let b0 = Self.t("2026-11-15T02:00:00Z")
        let b = try commit(.opened, event(b0), at: b0)
        try actions.acknowledge(b, actor: "ops", now: b0.adding(seconds: 1800))
        let c0 = Self.t("2026-10-31T16:59:00Z")
        let c = try commit(.opened, event(c0, rule: "door-open"), at: c0)
        _ = try commit(.resolved, event(c0, .resolved, at: c0.adding(seconds: 60), rule: "door-open"), at: c0.adding(seconds: 60))
        #expect(c > 0)
        return (dir, cfg)
    }

    @Test("text and JSON: MTTA and MTTR with their counts, per rack, room and month, the recurring condition")
    func report() async throws {
        let (dir, cfg) = try await populated()
        defer { withExtendedLifetime(dir) {} }
        let text = try await dcagent("itsm", "report", "--site", "DC", "--month", "2026-11", "--config", cfg)
        #expect(text.status == 0, "\(text.output)")
        #expect(
            text.stdout.contains(
                "Follow-up figures of site DC, 2026-11 (Asia/Jakarta: 2026-10-31T17:00:00.000Z to 2026-11-30T17:00:00.000Z)"))
        #expect(text.stdout.contains("openings\t2\n"))
        // (10 min + 30 min) / 2 = 20 min over 2; 1 h over 1, 1 still firing.
        #expect(
            text.stdout.contains("time to acknowledge (MTTA)\tmean 20m, median 20m over 2 openings; 0 not acknowledged"), "\(text.stdout)")
        #expect(text.stdout.contains("time to resolve (MTTR)\tmean 1h, median 1h over 1 openings; 1 not resolved"), "\(text.stdout)")
        #expect(text.stdout.contains("DC-R01\t2\t0\n") && text.stdout.contains("DC-H1\t2\t0\n") && text.stdout.contains("2026-11\t2\t0\n"))
        #expect(text.stdout.contains("\t2\tinlet-hot\tDC-R01-TH1\n"))

        let json = try await dcagent(
            "itsm", "report", "--site", "DC", "--month", "2026-10", "--through", "2026-11", "--format", "json", "--config", cfg)
        #expect(json.status == 0, "\(json.output)")
        let v = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(v["openings"] as? Int == 3)
        let ack = try #require(v["time_to_acknowledge"] as? [String: Any])
        #expect(ack["count"] as? Int == 2 && ack["not_reached"] as? Int == 1 && ack["mean_seconds"] as? Double == 1200)
        let resolve = try #require(v["time_to_resolve"] as? [String: Any])
        // (3600 + 60) / 2
        #expect(resolve["count"] as? Int == 2 && resolve["mean_seconds"] as? Double == 1830)
        let months = try #require(v["by_month"] as? [[String: Any]])
        #expect(months.map { "\($0["month"] ?? "") \($0["events"] ?? "")" } == ["2026-10 1", "2026-11 2"])
    }

    @Test("a bad month or an unknown site: refused naming the option and why, exit non-zero")
    func refusals() async throws {
        let dir = TempDir()
        let cfg = testConfig(dir: dir, port: freePort())
        let month = try await dcagent("itsm", "report", "--site", "DC", "--month", "2026-13", "--config", cfg)
        #expect(month.status == 64, "a usage error (EX_USAGE)")
        #expect(month.stderr.contains("--month '2026-13': the month must be 01 to 12 and the year 1970 to 9999"), "\(month.output)")
        let shape = try await dcagent("itsm", "report", "--site", "DC", "--month", "Nov", "--config", cfg)
        #expect(shape.status != 0 && shape.stderr.contains("--month 'Nov': expected a month as YYYY-MM"), "\(shape.output)")
        let site = try await dcagent("itsm", "report", "--site", "XX", "--month", "2026-11", "--config", cfg)
        #expect(site.status != 0)
        #expect(site.stderr.contains("--site 'XX': not a site of this agent (DC)"), "\(site.output)")
        let backwards = try await dcagent("itsm", "report", "--site", "DC", "--month", "2026-11", "--through", "2026-10", "--config", cfg)
        #expect(backwards.status != 0 && backwards.stderr.contains("--through 2026-10: before month 2026-11"), "\(backwards.output)")
    }
}
