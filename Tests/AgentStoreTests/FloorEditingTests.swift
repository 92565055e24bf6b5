import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import GRDB
import Telemetry
import Testing

/// Adding and moving devices on a stored floor through the one fit check: refused edits write
/// nothing, the preview answers exactly what the save refuses with, saved edits carry their
/// before and after in the audit trail, and the rack's measured power counts.
@Suite("Floor edits through the fit check", .timeLimit(.minutes(1)))
struct FloorEditingTests {
    struct Store {
        /// Kept while the store is used: its directory goes when it is released.
        let dir: TempDir
        let db: AgentDatabase
        let audit: AuditTrail
        let floor: FloorRepository
        let samples: SampleStore
        let checklists: ChecklistRepository
        let records: RecordsRepository
    }

    func open(_ dir: TempDir) throws -> Store {
        let db = try AgentDatabase(path: dir.file("a.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let users = UserRepository(database: db, audit: audit)
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        let floor = FloorRepository(database: db, audit: audit)
        try floor.importFloors(try Self.floors(), actor: "ana", source: "edit.json")
        return Store(
            dir: dir, db: db, audit: audit, floor: floor, samples: SampleStore(database: db),
            checklists: ChecklistRepository(database: db, audit: audit, users: users), records: RecordsRepository(database: db, audit: audit))
    }

    /// Two sites. In T: T-R01 (budget 2 kW, one PDU) holds S1 (1U at U10, 500 W, on the PDU)
    /// and S2 (2U at U20–21, 800 W); T-R02 (budget 1 kW) holds S1 (1U at U5, 400 W); T-R03
    /// (budget 2 kW) is empty. In U: U-R01 holds U-R01-S1.
    static let document = """
        {"version": 1,
         "device_types": [{"slug": "s1", "manufacturer": "A", "model": "S1", "u_height": 1, "weight_kg": 10},
                          {"slug": "s2", "manufacturer": "A", "model": "S2", "u_height": 2, "weight_kg": 20}],
         "sites": [
          {"id": "T", "name": "Test", "kind": "DC", "time_zone": "Asia/Jakarta",
           "rooms": [{"id": "T-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 6},
             "racks": [
               {"id": "T-R01", "tile": "B01", "facing": "south", "power_budget_kw": 2,
                "pdus": [{"id": "T-R01-PDU-A", "side": "A", "rating_kw": 3}],
                "devices": [{"id": "T-R01-S1", "type": "s1", "position": 10, "allocated_power_w": 500, "powered_by": ["T-R01-PDU-A"]},
                            {"id": "T-R01-S2", "type": "s2", "position": 20, "allocated_power_w": 800}]},
               {"id": "T-R02", "tile": "B02", "facing": "south", "power_budget_kw": 1,
                "devices": [{"id": "T-R02-S1", "type": "s1", "position": 5, "allocated_power_w": 400}]},
               {"id": "T-R03", "tile": "B03", "facing": "south", "power_budget_kw": 2}]}]},
          {"id": "U", "name": "Other", "kind": "DRC", "time_zone": "Asia/Jakarta",
           "rooms": [{"id": "U-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4},
             "racks": [{"id": "U-R01", "tile": "B01", "facing": "south", "devices": [{"id": "U-R01-S1", "type": "s1", "position": 10}]}]}]}]}
        """

    static func floors() throws -> [Floor] {
        try JSONDecoder().decode(FloorDocument.self, from: Data(document.utf8)).floors()
    }

    /// The floors, the audit row count and the revision: what a refused edit must leave alone.
    func snapshot(_ s: Store) throws -> ([Floor], Int, String) {
        (try s.floor.floors(), try s.audit.entries(limit: 10_000).count, try s.floor.revision())
    }

    @Test("a move onto another device's units is refused naming that device; nothing changes; the preview says the same")
    func overlapRefused() throws {
        let s = try open(TempDir())
        let before = try snapshot(s)
        let preview = try s.floor.fitPreview(device: "T-R02-S1", type: nil, rack: "T-R01", position: HalfU(units: 20), face: .front)
        let e = #expect(throws: FloorEditError.self) {
            try s.floor.moveDevice("T-R02-S1", to: "T-R01", position: HalfU(units: 20), face: .front, actor: "ana")
        }
        #expect(e?.code == .doesNotFit && e?.field == "position" && e?.device == "T-R02-S1")
        #expect(e?.problems.map(\.code) == [.uOverlap], "\(String(describing: e?.problems))")
        #expect(e?.problems.first?.message.contains("overlaps T-R01-S2") == true, "\(String(describing: e?.problems))")
        #expect(e?.description.hasPrefix("device T-R02-S1: field position: does not fit in rack T-R01: ") == true, "\(String(describing: e))")
        #expect(preview == e?.problems)
        let after = try snapshot(s)
        #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2)
    }

    @Test("a move over the rack's power budget is refused naming the budget; the preview gives exactly those problems")
    func overBudgetRefused() throws {
        let s = try open(TempDir())
        let before = try snapshot(s)
        // T-R02 plans 400 W; with S2's 800 W it would plan 1200 W, over its 1 kW budget.
        let preview = try s.floor.fitPreview(device: "T-R01-S2", type: nil, rack: "T-R02", position: HalfU(units: 10), face: .front)
        let e = #expect(throws: FloorEditError.self) {
            try s.floor.moveDevice("T-R01-S2", to: "T-R02", position: HalfU(units: 10), face: .front, actor: "ana")
        }
        #expect(e?.problems.map(\.code) == [.overPowerBudget] && e?.field == "allocated_power_w")
        #expect(e?.problems.first?.message == "rack T-R02 would draw 1.2 kW, over its power budget of 1 kW")
        #expect(preview == e?.problems)
        let after = try snapshot(s)
        #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2)
    }

    @Test("a move that fits is saved with before and after in its audit row; the revision changes; the chain verifies")
    func moveSaved() throws {
        let s = try open(TempDir())
        let revision = try s.floor.revision()
        #expect(try s.floor.fitPreview(device: "T-R01-S1", type: nil, rack: "T-R03", position: HalfU(units: 12), face: .rear).isEmpty)
        let edit = try s.floor.moveDevice("T-R01-S1", to: "T-R03", position: HalfU(units: 12), face: .rear, actor: "ana")
        #expect(edit.changed && edit.before?.rack == "T-R01" && edit.device.rack == "T-R03")
        // Its PDU stays in T-R01: moved to another rack, the device is on no PDU until told.
        #expect(edit.device.poweredBy.isEmpty)
        let stored = try #require(try s.floor.floor(site: "T")?.device("T-R01-S1"))
        #expect(stored == edit.device && stored.position == HalfU(units: 12) && stored.face == .rear)
        #expect(try edit.revision != revision && s.floor.revision() == edit.revision)
        let row = try #require(try s.audit.entries(limit: 1).last)
        #expect(row.action == "device.move" && row.object == "device/T-R01-S1" && row.actor == "ana")
        #expect(
            row.details == [
                "rack.before": "T-R01", "rack.after": "T-R03", "position.before": "10", "position.after": "12", "face.before": "front",
                "face.after": "rear", "powered_by.before": "T-R01-PDU-A", "powered_by.after": "", "site": "T",
                "revision.before": revision, "revision.after": edit.revision,
            ], "\(row.details)")
        #expect(try s.audit.verify().intact)
        // Asking for the place it already has writes nothing.
        let again = try s.floor.moveDevice("T-R01-S1", to: "T-R03", position: HalfU(units: 12), face: .rear, actor: "ana")
        #expect(try !again.changed && s.audit.entries(limit: 1).last?.seq == row.seq)
    }

    @Test("adding: an id used in another site is refused naming it; unknown type and rack name their field; a device that fits is stored")
    func add() throws {
        let s = try open(TempDir())
        let before = try snapshot(s)
        let clash = Device(id: "U-R01-S1", type: "s1", rack: "T-R03", position: HalfU(units: 30), lifecycle: .planned)
        // The preview takes the add's path, id check first.
        #expect(throws: FloorEditError.self) { try s.floor.fitPreview(adding: clash) }
        let e = #expect(throws: FloorEditError.self) { try s.floor.addDevice(clash, actor: "ana") }
        #expect(e?.code == .idInUse && e?.field == "id")
        #expect(e?.message == "id U-R01-S1 is already used by a device of site U; one agent needs CI ids unique across its sites (readings, events and tickets name a CI by its id alone)")
        let rack = #expect(throws: FloorEditError.self) {
            try s.floor.addDevice(Device(id: "T-R09-S1", type: "s1", rack: "T-R09", position: HalfU(units: 1)), actor: "ana")
        }
        #expect(rack?.code == .unknownRack && rack?.field == "rack" && rack?.message == "rack T-R09 is not on any stored floor")
        let type = #expect(throws: FloorEditError.self) {
            try s.floor.addDevice(Device(id: "T-R03-X", type: "nope", rack: "T-R03", position: HalfU(units: 1)), actor: "ana")
        }
        #expect(type?.code == .unknownType && type?.field == "type" && type?.message == "device type nope is not in the library of site T")
        let after = try snapshot(s)
        #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2)

        // A new 2U device of 800 W over S1 in T-R01 overlaps it, and 500 + 800 + 800 W > 2 kW.
        let over = Device(id: "T-R01-S3", type: "s2", rack: "T-R01", position: HalfU(units: 9), allocatedPowerW: 800, lifecycle: .planned)
        let refused = #expect(throws: FloorEditError.self) { try s.floor.addDevice(over, actor: "ana") }
        #expect(refused?.problems.map(\.code) == [.uOverlap, .overPowerBudget])
        #expect(try s.floor.fitPreview(adding: over) == refused?.problems)

        let new = Device(id: "T-R03-S1", type: "s2", rack: "T-R03", position: HalfU(units: 30), allocatedPowerW: 600, lifecycle: .planned)
        let edit = try s.floor.addDevice(new, actor: "ana")
        #expect(edit.changed && edit.before == nil && edit.revision != before.2)
        #expect(try s.floor.floor(site: "T")?.devices.last == new)
        #expect(try s.floor.floor(containing: "T-R03-S1")?.site.id == "T")
        let row = try #require(try s.audit.entries(limit: 1).last)
        #expect(row.action == "device.add" && row.object == "device/T-R03-S1")
        #expect(row.details["rack.after"] == "T-R03" && row.details["position.after"] == "30" && row.details["type.after"] == "s2")
        #expect(row.details["lifecycle.after"] == "planned" && row.details["rack.before"] == nil)
        #expect(try s.audit.verify().intact)
        // The same id again is now in use in its own site.
        #expect(throws: FloorEditError.self) { try s.floor.addDevice(new, actor: "ana") }
    }

    @Test("a preview of a device type answers without an id; it needs a device or a type")
    func typePreview() throws {
        let s = try open(TempDir())
        #expect(try s.floor.fitPreview(device: nil, type: "s2", rack: "T-R03", position: HalfU(units: 1), face: .front).isEmpty)
        let overlap = try s.floor.fitPreview(device: nil, type: "s2", rack: "T-R01", position: HalfU(units: 19), face: .front)
        #expect(overlap.map(\.code) == [.uOverlap])
        #expect(throws: FloorEditError.self) { try s.floor.fitPreview(device: nil, type: nil, rack: "T-R03", position: nil, face: .front) }
        let wrong = #expect(throws: FloorEditError.self) {
            try s.floor.fitPreview(device: "T-R01-S1", type: "s2", rack: "T-R03", position: nil, face: .front)
        }
        #expect(wrong?.field == "type")
        #expect(throws: FloorEditError.self) { try s.floor.fitPreview(device: "T-NONE", type: nil, rack: "T-R03", position: nil, face: .front) }
        let otherSite = #expect(throws: FloorEditError.self) {
            try s.floor.moveDevice("T-R01-S1", to: "U-R01", position: HalfU(units: 30), face: .front, actor: "ana")
        }
        #expect(otherSite?.field == "rack" && otherSite?.message.contains("a device moves within its site") == true)
    }

    @Test("measured power: a fresh power_total of the target rack plus the candidate over the budget refuses a move that the plan allows")
    func measuredPower() throws {
        let s = try open(TempDir())
        let now = Timestamp.now
        let rackPower = PointID(ci: "T-R03", name: "power_total")!
        // T-R03 plans nothing; S2 adds 800 W: 0.8 kW of a 2 kW budget, by the plan it fits.
        // A reading older than 15 minutes is not "now": still fits.
        try s.samples.write([Reading(point: rackPower, time: now.adding(seconds: -1_200), value: 1_500)])
        #expect(try s.floor.fitPreview(device: "T-R01-S2", type: nil, rack: "T-R03", position: HalfU(units: 20), face: .front).isEmpty)
        // Measured 1500 W now + 800 W = 2300 W > 2000 W (2 kW budget): refused, naming the budget.
        try s.samples.write([Reading(point: rackPower, time: now.adding(seconds: -10), value: 1_500)])
        let preview = try s.floor.fitPreview(device: "T-R01-S2", type: nil, rack: "T-R03", position: HalfU(units: 20), face: .front)
        let e = #expect(throws: FloorEditError.self) {
            try s.floor.moveDevice("T-R01-S2", to: "T-R03", position: HalfU(units: 20), face: .front, actor: "ana")
        }
        #expect(e?.problems.map(\.code) == [.overPowerBudget])
        #expect(e?.problems.first?.message == "rack T-R03 measures 1.5 kW now; with 0.8 kW more it would draw 2.3 kW, over its power budget of 2 kW")
        #expect(preview == e?.problems)
        #expect(try s.floor.floor(site: "T")?.device("T-R01-S2")?.rack == "T-R01")
        // Measured 1100 W now + 800 W = 1900 W ≤ 2000 W: fits, saved.
        try s.samples.write([Reading(point: rackPower, time: now.adding(seconds: -5), value: 1_100)])
        try s.floor.moveDevice("T-R01-S2", to: "T-R03", position: HalfU(units: 20), face: .front, actor: "ana")
        #expect(try s.floor.floor(site: "T")?.device("T-R01-S2")?.rack == "T-R03")

        // A running device that stays in its rack is in the measurement already: T-R01 measures
        // 1900 W (with S1's 500 W in it); moving S1 up two units is not 1900 + 500 = 2400 W.
        try s.samples.write([Reading(point: PointID(ci: "T-R01", name: "power_total")!, time: now.adding(seconds: -5), value: 1_900)])
        #expect(try s.floor.moveDevice("T-R01-S1", to: "T-R01", position: HalfU(units: 12), face: .front, actor: "ana").changed)
        // A planned device of 500 W is not: 1900 + 500 = 2400 W > 2000 W.
        let planned = Device(id: "T-R01-S9", type: "s1", rack: "T-R01", position: HalfU(units: 30), allocatedPowerW: 500, lifecycle: .planned)
        #expect(try s.floor.fitPreview(adding: planned).map(\.code) == [.overPowerBudget])
    }

    @Test("a CI's history: its rows newest first — lifecycle, moves, checklist runs, maintenance, events — paged by seq; other CIs' rows left out")
    func history() async throws {
        let s = try open(TempDir())
        let audit: any AuditReading = s.audit
        let editing: any FloorEditing = s.floor
        try await editing.setLifecycle(device: "T-R01-S1", to: .offline, reason: "fan swap", actor: "ana")
        _ = try await editing.moveDevice("T-R01-S1", to: "T-R01", position: HalfU(units: 12), face: .front, poweredBy: nil, actor: "ana")
        _ = try await editing.moveDevice("T-R02-S1", to: "T-R02", position: HalfU(units: 7), face: .front, poweredBy: nil, actor: "ana")
        let run = try s.checklists.start(
            template: try FloorRepositoryTests.template(), target: .init(.device, "T-R01-S1"), changeReference: "RFC-1", executor: "ana")
        try s.checklists.answer(run: run.id, item: "labels", .pass, note: "", by: "ana")
        let now = Timestamp.now
        let window = try s.records.addWindow(MaintenanceWindow(ci: "T-R01-S1", start: now, end: now.adding(seconds: 3_600), reason: "fans"), actor: "ana")
        try s.records.endWindow(id: window, actor: "ana")
        let events = EventStore(database: s.db, samples: s.samples)
        let hot = Event(
            dedupKey: "hot|T-R01-S1", ruleID: "hot", kind: .threshold, severity: .warning, state: .firing, scope: "T-R01-S1", room: "T-H1",
            point: nil, firstSeen: now, lastSeen: now, count: 1, message: "inlet hot", evidence: [], suppressed: false, flapping: false)
        _ = try await events.commit(
            RuleCheckpoint(changes: [EventChange(change: .opened, event: hot, at: now, notify: true)], derived: [], state: Data("{}".utf8), rulesDigest: "d", at: now))
        let eventID = try #require(try await events.events(EventQuery()).first?.id)
        _ = try EventActionRepository(database: s.db, audit: s.audit).acknowledge(eventID, actor: "ana")

        let all = try await audit.entries(object: "T-R01-S1", limit: 100, beforeSeq: nil)
        #expect(
            all.map { "\($0.action) \($0.object)" } == [
                "event.ack event/\(eventID)", "maintenance.end maintenance/\(window)", "maintenance.open ci/T-R01-S1", "checklist.answer checklist-run/\(run.id)",
                "checklist.start device/T-R01-S1", "device.move device/T-R01-S1", "device.lifecycle device/T-R01-S1",
            ])
        #expect(all.map(\.seq) == all.map(\.seq).sorted(by: >))
        let first = try await audit.entries(object: "T-R01-S1", limit: 4, beforeSeq: nil)
        let second = try await audit.entries(object: "T-R01-S1", limit: 4, beforeSeq: first.last?.seq)
        #expect(first + second == all && first.count == 4 && second.count == 3)
        #expect(try await audit.entries(object: "T-R01-S1", limit: 4, beforeSeq: second.last?.seq).isEmpty)
        // The sync variant answers the same.
        let sync = { try s.audit.entries(object: "T-R01-S1", limit: 100, beforeSeq: nil) }
        #expect(try sync() == all)
        // A site's history holds its import; an object with a slash is matched exactly.
        #expect(try await audit.entries(object: "U", limit: 10, beforeSeq: nil).map(\.action) == ["floor.import"])
        #expect(try await audit.entries(object: "user/ana", limit: 10, beforeSeq: nil).map(\.action) == ["user.add"])
        let everything = try await audit.entries(object: nil, limit: 3, beforeSeq: nil)
        #expect(everything.count == 3 && everything.first?.action == "event.ack")
        #expect(try await audit.verify().intact)
    }
}
