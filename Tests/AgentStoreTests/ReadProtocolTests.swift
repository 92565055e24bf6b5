import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import Telemetry
import Testing

/// The web's read protocols, answered by the SQLite repositories through their async reads:
/// the same answers as the synchronous calls.
@Suite("Read protocols over the site store", .timeLimit(.minutes(1)))
struct ReadProtocolTests {
    @Test("floors, samples, checklists and records read through the protocols")
    func reads() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("a.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let users = UserRepository(database: db, audit: audit)
        let store = FloorRepository(database: db, audit: audit)
        let setUp = { () throws -> Void in
            _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
            try store.importFloors(try FloorEditingTests.floors(), actor: "ana", source: "t")
        }
        try setUp()

        let floors: any FloorReading = store
        #expect(try await floors.floors().map(\.site.id) == ["T", "U"])
        #expect(try await floors.floor(containing: "U-R01-S1")?.site.id == "U")
        #expect(try await floors.floor(containing: "NOWHERE") == nil)
        let revision = try await floors.revision()
        let editing: any FloorEditing = store
        _ = try await editing.moveDevice("T-R02-S1", to: "T-R02", position: HalfU(units: 6), face: .front, poweredBy: nil, actor: "ana")
        #expect(try await floors.revision() != revision)
        #expect(try await editing.fitPreview(device: nil, type: "s1", rack: "T-R02", position: HalfU(units: 6), face: .front).map(\.code) == [.uOverlap])

        let samples = SampleStore(database: db)
        let temp = PointID(ci: "T-R01", name: "temperature")!
        try samples.write(
            (0..<5).map { Reading(point: temp, time: Timestamp(milliseconds: hour0 + Int64($0) * 60_000), value: 20 + Double($0)) },
            descriptors: [temp: PointDescriptor(id: temp, quantity: .temperature, unit: .celsius)])
        let reading: any SampleReading = samples
        let end = Timestamp(milliseconds: hour0 + 3_600_000)
        #expect(try await reading.samples(temp, from: Timestamp(milliseconds: hour0), to: end, limit: 3).map(\.value) == [20, 21, 22])
        #expect(try await reading.samples(temp, from: Timestamp(milliseconds: hour0), to: end, limit: 100).count == 5)
        #expect(try await reading.latest(ci: "T-R01").map(\.value) == [24])
        let rollups = try await reading.rollups(temp, from: Timestamp(milliseconds: hour0), to: end)
        #expect(rollups.count == 1 && rollups.first?.count == 5 && rollups.first?.max == 24)
        #expect(try await reading.descriptors().map(\.id) == [temp])

        let checklists = ChecklistRepository(database: db, audit: audit, users: users)
        let run = try checklists.start(
            template: try FloorRepositoryTests.template(), target: .init(.device, "T-R01-S1"), changeReference: "RFC-2", executor: "ana")
        let runs: any ChecklistReading = checklists
        #expect(try await runs.runs(target: "T-R01-S1").map(\.id) == [run.id])
        #expect(try await runs.run(id: run.id) == run)
        #expect(try await runs.run(id: "CL-99") == nil)

        let records = RecordsRepository(database: db, audit: audit)
        let now = Timestamp.now
        _ = try records.addWindow(MaintenanceWindow(ci: "T-R01", start: now, end: now.adding(seconds: 60), reason: "x"), actor: "ana")
        let recordReading: any RecordReading = records
        #expect(try await recordReading.windows(endingAfter: Timestamp(milliseconds: 0)).map(\.window.ci) == ["T-R01"])
        #expect(try await recordReading.records().isEmpty)
    }
}
