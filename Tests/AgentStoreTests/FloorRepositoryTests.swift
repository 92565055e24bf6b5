import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import GRDB
import Telemetry
import Testing

/// The floor and checklist runs through the store: import all-or-nothing, exact round trip,
/// lifecycle changes and checklist transitions, each with its audit row.
@Suite("Floor and checklists in the store", .timeLimit(.minutes(1)))
struct FloorRepositoryTests {
    struct Store {
        let db: AgentDatabase
        let audit: AuditTrail
        let users: UserRepository
        let floor: FloorRepository
        let checklists: ChecklistRepository
    }

    func open(_ dir: TempDir) throws -> Store {
        let db = try AgentDatabase(path: dir.file("a.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let users = UserRepository(database: db, audit: audit)
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        _ = try users.add(name: "eko", role: .engineer, fullName: nil, actor: "ana")
        _ = try users.add(name: "april", role: .approver, fullName: nil, actor: "ana")
        _ = try users.add(name: "sam", role: .supervisor, fullName: nil, actor: "ana")
        return Store(
            db: db, audit: audit, users: users, floor: FloorRepository(database: db, audit: audit),
            checklists: ChecklistRepository(database: db, audit: audit, users: users))
    }

    /// A small floor document (JSON spelling of the YAML format): one rack, an active and a
    /// planned server, a spare in storage.
    static let document = """
        {"version": 1,
         "device_types": [{"slug": "s1", "manufacturer": "A", "model": "S1", "u_height": 1, "airflow": "front-to-rear", "weight_kg": 10},
                          {"slug": "s2", "manufacturer": "A", "model": "S2", "u_height": 2, "weight_kg": 20.5}],
         "sites": [{"id": "T", "name": "Test", "kind": "DC", "time_zone": "Asia/Jakarta",
           "rooms": [{"id": "T-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4},
             "racks": [{"id": "T-R01", "tile": "B02", "facing": "south",
               "devices": [{"id": "T-R01-S1", "type": "s1", "position": 10, "serial": "X1"},
                           {"id": "T-R01-S2", "type": "s2", "position": 20, "lifecycle": "planned"}]}]}],
           "unracked_devices": [{"id": "T-SPARE", "type": "s1", "lifecycle": "planned"}]}]}
        """

    static func floors(_ text: String = document) throws -> [Floor] {
        try JSONDecoder().decode(FloorDocument.self, from: Data(text.utf8)).floors()
    }

    static let preInstallation = """
        {"id": "pre-installation", "kind": "pre-installation", "title": "Pre", "version": 1,
         "items": [{"id": "space", "text": "Free units", "automatic": "space"}, {"id": "labels", "text": "Labels printed"}]}
        """

    static func template() throws -> ChecklistTemplate {
        try JSONDecoder().decode(ChecklistTemplate.self, from: Data(preInstallation.utf8))
    }

    func rows(_ s: Store, _ sql: String) throws -> Int { try s.db.writer.read { try Int.fetchOne($0, sql: sql) ?? -1 } }

    @Test("a stored floor loads back exactly as imported; the import is one audit row by the actor")
    func roundTrip() throws {
        let dir = TempDir()
        let s = try open(dir)
        let floors = try Self.floors()
        #expect(try s.floor.isEmpty())
        let summary = try s.floor.importFloors(floors, actor: "eko", source: "test.json")
        #expect(summary.counts["device"] == 3)
        #expect(try s.floor.floor(site: "T") == floors[0])
        #expect(try s.floor.floors() == floors)
        #expect(try s.floor.floor(containing: "T-R01-S2")?.site.id == "T")
        let last = try #require(try s.audit.entries().last)
        #expect(last.actor == "eko" && last.action == "floor.import" && last.object == "site/T")
        #expect(last.details["device"] == "3" && last.details["source"] == "test.json")
        #expect(try s.audit.verify().intact)
    }

    @Test("a CI id used in two sites of one agent is refused, in one import or against a stored site; re-importing a site is not a clash")
    func idsUniqueAcrossSites() throws {
        let dir = TempDir()
        let s = try open(dir)
        // The same floor under another site id: every CI id but the site's clashes.
        let twin = Self.document.replacingOccurrences(of: #""id": "T", "name": "Test""#, with: #""id": "U", "name": "Twin""#)
        let both = Self.document.replacingOccurrences(
            of: #"{"id": "T", "name""#, with: String(twin.split(separator: "\"sites\": [", maxSplits: 1)[1].dropLast(2)) + #", {"id": "T", "name""#)
        #expect(try Self.floors(both).map(\.site.id) == ["U", "T"])
        do {
            try s.floor.importFloors(try Self.floors(both), actor: "eko", source: "both.json")
            Issue.record("the import should have been refused")
        } catch let e as FloorImportError {
            let clashes = e.problems.filter { $0.code == .duplicateID }
            #expect(clashes.map(\.object) == ["T-H1", "T-R01", "T-R01-S1", "T-R01-S2", "T-SPARE"], "\(e.problems)")
            #expect(clashes.first?.message == "room id T-H1 of site T is also used in site U; one agent needs CI ids unique across its sites (readings, events and tickets name a CI by its id alone)")
        }
        #expect(try s.floor.isEmpty())

        // Stored T, then U alone: refused against the stored site; T again: a replacement, fine.
        try s.floor.importFloors(try Self.floors(), actor: "eko", source: "t.json")
        #expect(throws: FloorImportError.self) { try s.floor.importFloors(try Self.floors(twin), actor: "eko", source: "u.json") }
        #expect(try s.floor.floors().map(\.site.id) == ["T"])
        try s.floor.importFloors(try Self.floors(), actor: "eko", source: "t.json")
        // A site whose id is a CI of another site clashes too.
        let siteClash = Self.document.replacingOccurrences(of: #""id": "T", "name": "Test""#, with: #""id": "T-R01", "name": "Odd""#)
            .replacingOccurrences(of: "T-H1", with: "V-H1").replacingOccurrences(of: "\"T-R01\", \"tile", with: "\"V-R01\", \"tile")
            .replacingOccurrences(of: "T-R01-S", with: "V-R01-S").replacingOccurrences(of: "T-SPARE", with: "V-SPARE")
        do {
            try s.floor.importFloors(try Self.floors(siteClash), actor: "eko", source: "odd.json")
            Issue.record("the import should have been refused")
        } catch let e as FloorImportError {
            #expect(e.problems.map(\.object) == ["T-R01"], "\(e.problems)")
        }
    }

    @Test("a bad import writes nothing and returns every problem by object and field")
    func allOrNothing() throws {
        let dir = TempDir()
        let s = try open(dir)
        let good = try Self.floors()
        try s.floor.importFloors(good, actor: "eko", source: "good")
        let auditRows = try s.audit.entries().count
        // A second version of the site with a rename (fine) and two bad placements.
        var bad = good[0]
        bad.devices[0].name = "renamed"
        bad.devices[1].position = HalfU(units: 10)  // overlaps T-R01-S1
        bad.devices.append(Device(id: "T-R01-S1", type: "s1", rack: nil, position: nil))  // duplicate id
        bad.devices.append(Device(id: "T-X", type: "nope", rack: nil, position: nil))  // unknown type
        bad.devices.append(Device(id: "T-Y", type: "s1", rack: "T-R99", position: nil))  // unknown rack
        let e = #expect(throws: FloorImportError.self) { try s.floor.importFloors([bad], actor: "eko", source: "bad") }
        let found = Set((e?.problems ?? []).map { "\($0.object).\($0.field) \($0.code.rawValue)" })
        #expect(found.contains("T-R01-S1.id duplicate-id"), "\(found)")
        #expect(found.contains("T-X.type unknown-reference") && found.contains("T-Y.rack unknown-reference"), "\(found)")
        #expect(e?.problems.contains { $0.code == .uOverlap } == true, "\(found)")
        #expect(try s.floor.floor(site: "T") == good[0])
        #expect(try s.audit.entries().count == auditRows)
        #expect(throws: FloorImportError.self) { try s.floor.importFloors([good[0], good[0]], actor: "eko", source: "twice") }
        #expect(try s.floor.floor(site: "T") == good[0])
    }

    @Test("lifecycle changes follow the model's allowed steps and are audited with from, to and reason")
    func lifecycle() throws {
        let dir = TempDir()
        let s = try open(dir)
        try s.floor.importFloors(try Self.floors(), actor: "eko", source: "t")
        try s.floor.setLifecycle(device: "T-SPARE", to: .staged, reason: "arrived", actor: "eko")
        #expect(try s.floor.floor(site: "T")?.device("T-SPARE")?.lifecycle == .staged)
        let last = try #require(try s.audit.entries().last)
        #expect(last.action == "device.lifecycle" && last.object == "device/T-SPARE")
        #expect(last.details == ["from": "planned", "to": "staged", "reason": "arrived"])
        let e = #expect(throws: StoreError.self) { try s.floor.setLifecycle(device: "T-SPARE", to: .offline, reason: "x", actor: "eko") }
        #expect(e?.message.contains("device T-SPARE: field lifecycle: cannot move from staged to offline") == true)
        #expect(throws: StoreError.self) { try s.floor.setLifecycle(device: "T-NONE", to: .staged, reason: "x", actor: "eko") }
        #expect(try s.floor.floor(site: "T")?.device("T-SPARE")?.lifecycle == .staged)
    }

    @Test("checklist run through the store: the executor cannot approve; approval by another stages the device, all audited")
    func checklistFlow() throws {
        let dir = TempDir()
        let s = try open(dir)
        try s.floor.importFloors(try Self.floors(), actor: "eko", source: "t")
        let run = try s.checklists.start(template: try Self.template(), target: .init(.device, "T-R01-S2"), changeReference: "RFC-7", executor: "april")
        #expect(run.id == "CL-1")
        #expect(run.answers["space"]?.outcome == .pass && run.answers["space"]?.automatic == true)
        #expect(throws: ChecklistError.self) { try s.checklists.submit(run: "CL-1", by: "april") }  // labels unanswered
        try s.checklists.answer(run: "CL-1", item: "labels", .pass, note: "printed", by: "april")
        try s.checklists.submit(run: "CL-1", by: "april")
        let e = #expect(throws: ChecklistError.self) { try s.checklists.approve(run: "CL-1", by: "april") }
        #expect(e?.code == .executorCannotApprove)
        #expect(try s.checklists.run("CL-1")?.state == .submitted)
        #expect(try s.floor.floor(site: "T")?.device("T-R01-S2")?.lifecycle == .planned)
        let approved = try s.checklists.approve(run: "CL-1", by: "eko", note: "fine")
        #expect(approved.state == .approved && approved.decidedBy == "eko")
        #expect(try s.floor.floor(site: "T")?.device("T-R01-S2")?.lifecycle == .staged)
        #expect(try s.checklists.run("CL-1") == approved)
        // The refused approvals wrote no audit row: the last three are answer, submit, approve.
        let actions = try s.audit.entries().suffix(3).map { "\($0.actor) \($0.action) \($0.object)" }
        #expect(actions == ["april checklist.answer checklist-run/CL-1", "april checklist.submit checklist-run/CL-1", "eko checklist.approve checklist-run/CL-1"])
        #expect(try s.audit.entries().contains { $0.action == "checklist.start" && $0.actor == "april" && $0.details["change"] == "RFC-7" })
        #expect(try s.audit.verify().intact)
    }

    @Test("post-installation: the sensor-readings item is answered from the stored readings and firing events of the rack")
    func sensorReadingsFromStore() throws {
        let dir = TempDir()
        let s = try open(dir)
        let doc = Self.document.replacingOccurrences(
            of: #"{"id": "T-R01-S2", "type": "s2", "position": 20, "lifecycle": "planned"}]}]}],"#,
            with: #"{"id": "T-R01-S2", "type": "s2", "position": 20, "lifecycle": "staged"}], "sensors": [{"id": "T-R01-TH1", "kind": "th-probe", "position": 40, "face": "front"}]}]}],"#)
        try s.floor.importFloors(try Self.floors(doc), actor: "eko", source: "t")
        let template = try JSONDecoder().decode(
            ChecklistTemplate.self,
            from: Data(#"{"id": "post-installation", "kind": "post-installation", "title": "Post", "version": 1, "items": [{"id": "sensor-readings", "text": "Readings normal", "automatic": "sensor-readings"}]}"#.utf8))
        let samples = SampleStore(database: s.db)
        let now = Timestamp.now
        let temp = PointID(ci: "T-R01-TH1", name: "temperature")!
        try samples.write([Reading(point: temp, time: now.adding(seconds: -20), value: 33.5)])
        let events = EventStore(database: s.db, samples: samples)
        let hot = Event(
            dedupKey: "hot|T-R01-TH1|T-R01-TH1/temperature", ruleID: "hot", kind: .threshold, severity: .critical, state: .firing, scope: "T-R01-TH1",
            room: "T-H1", point: temp, firstSeen: now, lastSeen: now, count: 1, message: "T-R01-TH1/temperature is 33.5 °C, above 32 °C", evidence: [],
            suppressed: false, flapping: false)
        try events.commit(RuleCheckpoint(changes: [EventChange(change: .opened, event: hot, at: now, notify: true)], derived: [], state: Data("{}".utf8), rulesDigest: "d", at: now))

        let failed = try s.checklists.start(template: template, target: .init(.device, "T-R01-S2"), changeReference: "RFC-9", executor: "eko")
        #expect(failed.answers["sensor-readings"]?.outcome == .fail)
        #expect(failed.answers["sensor-readings"]?.note == "firing: critical T-R01-TH1/temperature is 33.5 °C, above 32 °C")

        var cool = hot
        cool.state = .resolved
        try events.commit(RuleCheckpoint(changes: [EventChange(change: .resolved, event: cool, at: now, notify: true)], derived: [], state: Data("{}".utf8), rulesDigest: "d", at: now))
        try samples.write([Reading(point: temp, time: now.adding(seconds: -5), value: 24)])
        let passed = try s.checklists.start(template: template, target: .init(.device, "T-R01-S2"), changeReference: "RFC-9", executor: "eko")
        #expect(passed.answers["sensor-readings"]?.outcome == .pass, "\(String(describing: passed.answers["sensor-readings"]))")
        #expect(passed.answers["sensor-readings"]?.note.hasPrefix("T-R01-TH1: temperature 24;") == true)

        // The run started while the event fired is refreshed: its item now passes, and the audit
        // row says so.
        let (refreshed, changed) = try s.checklists.refresh(run: failed.id, by: "eko")
        #expect(changed.map { "\($0.item): \($0.before?.rawValue ?? "open") → \($0.after?.rawValue ?? "open")" } == ["sensor-readings: fail → pass"])
        #expect(refreshed.answers["sensor-readings"]?.outcome == .pass && refreshed.answers["sensor-readings"]?.automatic == true)
        #expect(try s.checklists.run(failed.id)?.answers["sensor-readings"]?.outcome == .pass)
        let row = try #require(try s.audit.entries(limit: 1).last)
        #expect(row.action == "checklist.refresh" && row.object == "checklist-run/\(failed.id)" && row.actor == "eko")
        #expect(row.details["changed"] == "sensor-readings: fail → pass" && row.details["change"] == "RFC-9", "\(row.details)")
        #expect(try s.audit.verify().intact)
        // A person's answer stands: a refresh never overwrites it.
        try s.checklists.answer(run: failed.id, item: "sensor-readings", .notApplicable, note: "probe being replaced", by: "eko")
        #expect(try s.checklists.refresh(run: failed.id, by: "eko").changed.isEmpty)
        #expect(try s.checklists.run(failed.id)?.answers["sensor-readings"]?.person == "eko")
        // Only a run in progress is refreshed.
        try s.checklists.submit(run: failed.id, by: "eko")
        #expect(throws: (any Error).self) { try s.checklists.refresh(run: failed.id, by: "eko") }
    }

    @Test("an override needs a registered supervisor (role ≥ supervisor) and is recorded with supervisor and reason")
    func override() throws {
        let dir = TempDir()
        let s = try open(dir)
        try s.floor.importFloors(try Self.floors(), actor: "eko", source: "t")
        _ = try s.checklists.start(template: try Self.template(), target: .init(.device, "T-R01-S2"), changeReference: "RFC-8", executor: "april")
        try s.checklists.answer(run: "CL-1", item: "labels", .pass, note: "", by: "april")
        try s.checklists.submit(run: "CL-1", by: "april")
        let ghost = #expect(throws: StoreError.self) { try s.checklists.approveWithOverride(run: "CL-1", by: "april", supervisor: "ghost", reason: "night shift") }
        #expect(ghost?.message.contains("field supervisor: user 'ghost' is not registered") == true)
        let weak = #expect(throws: StoreError.self) { try s.checklists.approveWithOverride(run: "CL-1", by: "april", supervisor: "eko", reason: "night shift") }
        #expect(weak?.message.contains("user 'eko' has role engineer") == true)
        #expect(throws: ChecklistError.self) { try s.checklists.approveWithOverride(run: "CL-1", by: "april", supervisor: "sam", reason: "") }
        #expect(try s.checklists.run("CL-1")?.state == .submitted)
        let r = try s.checklists.approveWithOverride(run: "CL-1", by: "april", supervisor: "sam", reason: "night shift, no second approver")
        #expect(r.state == .approved && r.overrideSupervisor == "sam")
        #expect(try s.floor.floor(site: "T")?.device("T-R01-S2")?.lifecycle == .staged)
        let last = try #require(try s.audit.entries().last)
        #expect(last.action == "checklist.approve.override" && last.actor == "april" && last.object == "checklist-run/CL-1")
        #expect(last.details["supervisor"] == "sam" && last.details["reason"] == "night shift, no second approver" && last.details["executor"] == "april")
        #expect(try s.audit.verify().intact)
    }
}
