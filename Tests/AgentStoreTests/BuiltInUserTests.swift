import AgentStore
import FloorModel
import Foundation
import GRDB
import Testing

/// The built-in actor `system` (migration `v6-builtin-system-user`): registered, listed as
/// built-in, never removed, its role never changed, never assumed by a person.
@Suite("Built-in system user", .timeLimit(.minutes(1)))
struct BuiltInUserTests {
    func open(_ dir: TempDir) throws -> (AgentDatabase, AuditTrail, UserRepository) {
        let db = try AgentDatabase(path: dir.file("a.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        return (db, audit, UserRepository(database: db, audit: audit))
    }

    @Test("a new database lists system as a built-in admin, yet counts as having no users: the first admin still needs no actor")
    func listed() throws {
        let dir = TempDir()
        let (_, _, users) = try open(dir)
        let system = try #require(try users.find("system"))
        #expect(system.role == .admin && system.builtIn && !system.disabled)
        #expect(try users.list().map { "\($0.name) \($0.builtIn)" } == ["system true"])
        #expect(try users.isEmpty())
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        #expect(try !users.isEmpty())
        #expect(try users.list().map { "\($0.name) \($0.builtIn)" } == ["ana false", "system true"])
        #expect(throws: StoreError.self) { try users.add(name: "system", role: .viewer, fullName: nil, actor: "ana") }
    }

    @Test("system cannot be removed, given another role, disabled or assumed with --as; an ordinary user can be removed and re-roled, audited")
    func protected() throws {
        let dir = TempDir()
        let (_, audit, users) = try open(dir)
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        _ = try users.add(name: "budi", role: .engineer, fullName: nil, actor: "ana")
        let rowsBefore = try audit.verify().rows
        let removed = #expect(throws: StoreError.self) { try users.remove("system", actor: "ana") }
        #expect(removed?.message.contains("built-in") == true)
        #expect(throws: StoreError.self) { try users.setRole("system", .viewer, actor: "ana") }
        #expect(throws: StoreError.self) { try users.setDisabled("system", true, actor: "ana") }
        let assumed = #expect(throws: StoreError.self) {
            try users.resolveActor(explicit: "system", osLogin: nil, needs: .viewer, action: "list events")
        }
        #expect(assumed?.message.contains("built-in") == true)
        #expect(throws: StoreError.self) { try users.resolveActor(explicit: nil, osLogin: "system", needs: .viewer, action: "list events") }
        let system = try #require(try users.find("system"))
        #expect(system.role == .admin && system.builtIn && !system.disabled)
        #expect(try audit.verify().rows == rowsBefore, "refused changes write no audit row")

        try users.setRole("budi", .approver, actor: "ana")
        #expect(try users.find("budi")?.role == .approver)
        try users.remove("budi", actor: "ana")
        #expect(try users.find("budi") == nil)
        #expect(throws: StoreError.self) { try users.remove("budi", actor: "ana") }
        #expect(try audit.entries().map(\.action).suffix(2) == ["user.role", "user.remove"])
    }

    @Test("the first-start floor import is audited as the registered built-in actor system")
    func floorImportActor() throws {
        let dir = TempDir()
        let (db, audit, users) = try open(dir)
        let floor = FloorRepository(database: db, audit: audit)
        let document = """
            {"version": 1, "device_types": [], "sites": [{"id": "T", "name": "Test", "kind": "DC", "time_zone": "Asia/Jakarta",
              "rooms": [{"id": "T-H1", "grid": {"tile_mm": 600, "rows": 3, "columns": 4}}]}]}
            """
        try floor.importFloors(
            try JSONDecoder().decode(FloorDocument.self, from: Data(document.utf8)).floors(), actor: UserRepository.systemActor, source: "demo.yaml")
        let actors = try audit.entries().map(\.actor)
        #expect(actors == ["system"])
        for actor in actors { #expect(try users.find(actor) != nil, "audit actor \(actor) is a registered user") }
        #expect(try audit.verify().intact)
    }

    @Test("a database from before the built-in user gains it on migration; a user already named system becomes it")
    func migration() throws {
        let dir = TempDir()
        let path = dir.file("v5.sqlite")
        let q = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(q, upTo: "v5-sites")
        try q.write { db in
            try db.execute(sql: "INSERT INTO users(name, role, disabled, created_ms) VALUES ('system', 'viewer', 1, 0), ('ana', 'admin', 0, 0)")
        }
        try q.close()
        let db = try AgentDatabase(path: path)
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        let users = UserRepository(database: db, audit: audit)
        #expect(try users.list().map { "\($0.name) \($0.role.rawValue) \($0.builtIn) \($0.disabled)" } == ["ana admin false false", "system admin true false"])
    }
}
