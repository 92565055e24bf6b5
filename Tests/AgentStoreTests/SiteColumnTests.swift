import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import GRDB
import Telemetry
import Testing

/// Migration `v5-sites` and the site of new rows: every table of site data carries its site.
@Suite("Site of each row", .timeLimit(.minutes(1)))
struct SiteColumnTests {
    /// A database migrated up to v4 (before sites), with the floor tables of two sites written
    /// directly: DC (room DC-H1, rack DC-R1, device DC-R1-A05, sensor DC-TH1) and DRC (room
    /// DRC-H1, rack DRC-R1, PDU DRC-PDU1), and a device type whose slug looks like a CI.
    static func v4Database(_ path: String, sites: [String] = ["DC", "DRC"]) throws -> DatabaseQueue {
        let q = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(q, upTo: "v4-power-roles")
        try q.write { db in
            #expect(try !db.columns(in: "events").contains { $0.name == "site" }, "a v4 events table has no site")
            for s in sites { try db.execute(sql: "INSERT INTO floor_sites(site, json, updated_ms) VALUES (?, '{}', 0)", arguments: [s]) }
            let objects: [(String, String, String)] = [
                ("DC", "room", "DC-H1"), ("DC", "rack", "DC-R1"), ("DC", "device", "DC-R1-A05"), ("DC", "sensor", "DC-TH1"),
                ("DC", "device-type", "DRC-GHOST"),
                ("DRC", "room", "DRC-H1"), ("DRC", "rack", "DRC-R1"), ("DRC", "pdu", "DRC-PDU1"),
            ]
            for (i, (site, kind, key)) in objects.enumerated() where sites.contains(site) {
                try db.execute(
                    sql: "INSERT INTO floor_objects(site, kind, key, ord, json) VALUES (?, ?, ?, ?, '{}')", arguments: [site, kind, key, i])
            }
        }
        return q
    }

    static func insertEvent(_ db: Database, _ key: String, scope: String, room: String? = nil, rack: String? = nil, point: String? = nil) throws {
        try db.execute(
            sql: """
                INSERT INTO events(dedup_key, rule, kind, severity, state, scope, room, rack, point, first_ms, last_ms, json)
                VALUES (?, 'r', 'threshold', 'warning', 'firing', ?, ?, ?, ?, 0, 0, '{}')
                """, arguments: [key, scope, room, rack, point])
    }

    static func sites(_ db: AgentDatabase, _ sql: String) throws -> [String: String?] {
        try db.writer.read { d in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(d, sql: sql).map { ($0[0] as String, $0[1] as String?) })
        }
    }

    @Test("a v4 database with rows of two sites migrates: each event, point, record and window gets its site from the floor; the agent's own rows get none")
    func migratesTwoSites() throws {
        let dir = TempDir()
        let path = dir.file("v4.sqlite")
        let q = try Self.v4Database(path)
        try q.write { db in
            try Self.insertEvent(db, "by-rack", scope: "DC-R1-A05", room: "DC-H1", rack: "DC-R1")
            try Self.insertEvent(db, "by-room", scope: "NOT-ON-FLOOR", room: "DRC-H1")
            try Self.insertEvent(db, "by-scope", scope: "DRC-PDU1")
            try Self.insertEvent(db, "by-point", scope: "NOT-ON-FLOOR", point: "DC-TH1/temperature")
            try Self.insertEvent(db, "site-itself", scope: "DRC")
            try Self.insertEvent(db, "agent", scope: "dcagent")
            try Self.insertEvent(db, "device-type-is-no-ci", scope: "DRC-GHOST")
            for (key, ci) in [("DC-TH1/temperature", "DC-TH1"), ("DRC-PDU1/power", "DRC-PDU1"), ("GHOST-1/v", "GHOST-1")] {
                try db.execute(
                    sql: "INSERT INTO points(key, ci, name, created_ms) VALUES (?, ?, 'x', 0)", arguments: [key, ci])
            }
            for room in ["DC-H1", "DRC-H1", "ELSEWHERE"] {
                try db.execute(
                    sql: "INSERT INTO obligation_records(room, kind, done_ms, json, recorded_by, recorded_ms) VALUES (?, 'cleaning', 0, ?, 'ana', 0)",
                    arguments: [room, room])
            }
            for ci in ["DRC-R1", "DC-R1-A05"] {
                try db.execute(
                    sql: "INSERT INTO maintenance_windows(ci, start_ms, end_ms, reason, created_by, created_ms) VALUES (?, 0, 1, 'x', 'ana', 0)",
                    arguments: [ci])
            }
        }
        try q.close()

        let db = try AgentDatabase(path: path)
        #expect(
            try Self.sites(db, "SELECT dedup_key, site FROM events") == [
                "by-rack": "DC", "by-room": "DRC", "by-scope": "DRC", "by-point": "DC", "site-itself": "DRC", "agent": nil,
                "device-type-is-no-ci": nil,
            ])
        #expect(try Self.sites(db, "SELECT key, site FROM points") == ["DC-TH1/temperature": "DC", "DRC-PDU1/power": "DRC", "GHOST-1/v": nil])
        #expect(try Self.sites(db, "SELECT json, site FROM obligation_records") == ["DC-H1": "DC", "DRC-H1": "DRC", "ELSEWHERE": nil])
        #expect(try Self.sites(db, "SELECT ci, site FROM maintenance_windows") == ["DRC-R1": "DRC", "DC-R1-A05": "DC"])
        // The records stay append-only after the migration's own fill.
        #expect(throws: DatabaseError.self) { try db.writer.write { d in try d.execute(sql: "UPDATE obligation_records SET site = 'DC'") } }
        // The site filter of the event queries uses the index.
        let plan = try db.writer.read { d in
            try Row.fetchAll(d, sql: "EXPLAIN QUERY PLAN SELECT id FROM events WHERE site = 'DC' AND state = 'firing'").map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("events_site_state") }, "\(plan)")
    }

    @Test("with exactly one site on the floor, what no CI resolves (the agent's own events) belongs to that site")
    func migratesOneSite() throws {
        let dir = TempDir()
        let path = dir.file("v4.sqlite")
        let q = try Self.v4Database(path, sites: ["DC"])
        try q.write { db in
            try Self.insertEvent(db, "agent", scope: "dcagent")
            try Self.insertEvent(db, "by-rack", scope: "DC-R1-A05", rack: "DC-R1")
            try db.execute(sql: "INSERT INTO points(key, ci, name, created_ms) VALUES ('GHOST-1/v', 'GHOST-1', 'v', 0)")
        }
        try q.close()
        let db = try AgentDatabase(path: path)
        #expect(try Self.sites(db, "SELECT dedup_key, site FROM events") == ["agent": "DC", "by-rack": "DC"])
        #expect(try Self.sites(db, "SELECT key, site FROM points") == ["GHOST-1/v": "DC"])
    }

    @Test("new rows get their site at insert time: events (and the site filter), points, records and windows")
    func newRows() throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("n.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let floor = FloorRepository(database: db, audit: audit)
        let document = """
            {"version": 1,
             "device_types": [{"slug": "s1", "manufacturer": "A", "model": "S1", "u_height": 1, "weight_kg": 10}],
             "sites": [{"id": "DC", "name": "DC", "kind": "DC", "time_zone": "Asia/Jakarta",
               "rooms": [{"id": "DC-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4},
                 "racks": [{"id": "DC-R01", "tile": "B02", "facing": "south", "devices": [{"id": "DC-R01-S1", "type": "s1", "position": 10}]}]}]},
               {"id": "DRC", "name": "DRC", "kind": "DRC", "time_zone": "Asia/Jakarta",
               "rooms": [{"id": "DRC-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4},
                 "racks": [{"id": "DRC-R01", "tile": "B02", "facing": "south", "devices": [{"id": "DRC-R01-S1", "type": "s1", "position": 10}]}]}]}]}
            """
        try floor.importFloors(try JSONDecoder().decode(FloorDocument.self, from: Data(document.utf8)).floors(), actor: "system", source: "test")
        let samples = SampleStore(database: db)
        let events = EventStore(database: db, samples: samples)
        let records = RecordsRepository(database: db, audit: audit)

        func opening(_ rule: String, scope: CIID, room: CIID?, rack: CIID?, point: PointID?) -> EventChange {
            let e = Event(
                dedupKey: Event.dedupKey(rule: rule, scope: scope, point: point), ruleID: rule, kind: .threshold, severity: .warning,
                state: .firing, scope: scope, room: room, rack: rack, point: point, firstSeen: Timestamp(milliseconds: hour0),
                lastSeen: Timestamp(milliseconds: hour0), count: 1, message: "m", evidence: [], suppressed: false, flapping: false)
            return EventChange(change: .opened, event: e, at: Timestamp(milliseconds: hour0), notify: true)
        }
        try events.commit(
            RuleCheckpoint(
                changes: [
                    opening("hot", scope: "DC-R01-S1", room: "DC-H1", rack: "DC-R01", point: nil),
                    opening("hot", scope: "DRC-R01-S1", room: nil, rack: nil, point: nil),
                    opening("clock", scope: "dcagent", room: nil, rack: nil, point: nil),
                ], derived: [], state: Data("{}".utf8), rulesDigest: "d", at: Timestamp(milliseconds: hour0)))
        let all = try events.events()
        #expect(Dictionary(uniqueKeysWithValues: all.map { ($0.event.scope.rawValue, $0.site?.rawValue) }) == [
            "DC-R01-S1": "DC", "DRC-R01-S1": "DRC", "dcagent": nil,
        ])
        #expect(try events.events(EventQuery(firingOnly: true, site: "DRC")).map(\.event.scope) == ["DRC-R01-S1"])
        #expect(try events.events(EventQuery(site: "DC")).map(\.event.scope) == ["DC-R01-S1"])

        try samples.write([reading("DRC-R01-S1/inlet", hour0, 20), reading("NOWHERE-1/v", hour0, 1)])
        try samples.register([PointDescriptor(id: point("DC-R01-S1/inlet"), quantity: .temperature, unit: .celsius)])
        #expect(
            try Self.sites(db, "SELECT key, site FROM points") == ["DRC-R01-S1/inlet": "DRC", "NOWHERE-1/v": nil, "DC-R01-S1/inlet": "DC"])

        try records.add(
            ObligationRecord(room: "DRC-H1", kind: .cleaning, doneAt: Timestamp(milliseconds: hour0), doneBy: "ana"), roomIsSensitive: false,
            actor: "ana")
        try records.importRecords(
            [(line: 1, record: ObligationRecord(room: "DC-H1", kind: .cleaning, doneAt: Timestamp(milliseconds: hour0), doneBy: "ana"), roomIsSensitive: false)],
            source: "old.csv", actor: "ana")
        #expect(try Self.sites(db, "SELECT room, site FROM obligation_records") == ["DRC-H1": "DRC", "DC-H1": "DC"])

        let now = Timestamp.now
        try records.addWindow(MaintenanceWindow(ci: "DRC-R01", start: now, end: now.adding(seconds: 60), reason: "CHG-1"), actor: "ana")
        try records.addWindow(MaintenanceWindow(ci: "DC-R01-S1", start: now, end: now.adding(seconds: 60), reason: "CHG-2"), actor: "ana")
        #expect(try records.windows().map { "\($0.window.ci) \($0.site?.rawValue ?? "-")" } == ["DRC-R01 DRC", "DC-R01-S1 DC"])
    }
}
