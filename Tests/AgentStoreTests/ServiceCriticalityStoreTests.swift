import AgentStore
import FloorModel
import Foundation
import GRDB
import Telemetry
import Testing

/// A service's `criticality` (issue 15) through the store: kept on import, and a row written
/// before the field existed still loads, as "not set".
@Suite("Service criticality in the store", .timeLimit(.minutes(1)))
struct ServiceCriticalityStoreTests {
    @Test func keptOnImportAndAnOldRowLoadsWithoutIt() throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("a.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let users = UserRepository(database: db, audit: audit)
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        let repo = FloorRepository(database: db, audit: audit)
        var floor = try #require(try FloorRepositoryTests.floors().first)
        floor.services = [
            Service(id: "SVC-A", name: "A", hostedOn: ["T-R01-S1"], criticality: 1),
            Service(id: "SVC-B", name: "B", hostedOn: ["T-R01-S1"]),
        ]
        _ = try repo.importFloors([floor], actor: "ana", source: "test")
        #expect(try repo.floor(site: "T")?.services.map(\.criticality) == [1, nil])
        let stored = try db.writer.read { try String.fetchOne($0, sql: "SELECT json FROM floor_objects WHERE kind = 'service' AND key = 'SVC-A'") }
        #expect(stored?.contains(#""criticality":1"#) == true)
        // The row as a store from before issue 15 wrote it: no criticality key.
        try db.writer.write {
            try $0.execute(
                sql: "UPDATE floor_objects SET json = ? WHERE kind = 'service' AND key = 'SVC-A'",
                arguments: [#"{"hostedOn":["T-R01-S1"],"id":"SVC-A","name":"A","status":"active"}"#])
        }
        let old = try #require(try repo.floor(site: "T")?.services.first)
        #expect(old.id == "SVC-A" && old.criticality == nil && old.effectiveCriticality == 3)
    }
}
