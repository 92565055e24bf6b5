import AgentStore
import Foundation
import GRDB
import Testing

@Suite("Audit trail and users", .timeLimit(.minutes(1)))
struct AuditTrailTests {
    func open(_ dir: TempDir) throws -> (AgentDatabase, AuditTrail, UserRepository) {
        let db = try AgentDatabase(path: dir.file("a.sqlite"))
        let audit = try AuditTrail(database: db, keyFile: dir.file("audit.key"), anchorFile: dir.file("audit.anchor"))
        return (db, audit, UserRepository(database: db, audit: audit))
    }

    @Test("the key file is created with mode 0600 and the chain verifies")
    func keyAndChain() throws {
        let dir = TempDir()
        let (_, audit, users) = try open(dir)
        let attrs = try FileManager.default.attributesOfItem(atPath: dir.file("audit.key"))
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        _ = try users.add(name: "ana", role: .admin, fullName: "Ana", actor: nil)
        _ = try users.add(name: "budi", role: .engineer, fullName: nil, actor: "ana")
        let v = try audit.verify()
        #expect(v.intact)
        #expect(v.rows == 2)
        #expect(v.anchor?.count == 2 && v.anchor?.mac == v.lastMAC)
        #expect(try audit.entries().map(\.actor) == ["ana", "ana"])
    }

    @Test("roles: only the first user may be added without an actor, and only as admin; a viewer cannot add users")
    func roles() throws {
        let dir = TempDir()
        let (_, _, users) = try open(dir)
        #expect(throws: StoreError.self) { try users.add(name: "x", role: .viewer, fullName: nil, actor: nil) }
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        #expect(throws: StoreError.self) { try users.add(name: "y", role: .admin, fullName: nil, actor: nil) }
        _ = try users.add(name: "vera", role: .viewer, fullName: nil, actor: "ana")
        let e = #expect(throws: StoreError.self) { try users.resolveActor(explicit: "vera", osLogin: nil, needs: .admin, action: "add users") }
        #expect(e?.message == "user 'vera' (role viewer) may not add users; it needs role admin or higher")
        #expect(try users.resolveActor(explicit: nil, osLogin: "ana", needs: .admin, action: "x").name == "ana")
        #expect(throws: StoreError.self) { try users.resolveActor(explicit: nil, osLogin: "nobody", needs: .viewer, action: "x") }
        try users.setDisabled("vera", true, actor: "ana")
        let d = #expect(throws: StoreError.self) { try users.resolveActor(explicit: "vera", osLogin: nil, needs: .viewer, action: "x") }
        #expect(d?.message == "user 'vera' is disabled")
        #expect(throws: StoreError.self) { try users.add(name: "vera", role: .viewer, fullName: nil, actor: "ana") }
    }

    @Test("the database refuses updates and deletes of audit rows")
    func appendOnly() throws {
        let dir = TempDir()
        let (db, _, users) = try open(dir)
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        #expect(throws: DatabaseError.self) { try db.writer.write { d in try d.execute(sql: "UPDATE audit_log SET actor = 'eve'") } }
        #expect(throws: DatabaseError.self) { try db.writer.write { d in try d.execute(sql: "DELETE FROM audit_log") } }
    }

    @Test("a failed change writes no audit row")
    func atomic() throws {
        let dir = TempDir()
        let (_, audit, users) = try open(dir)
        _ = try users.add(name: "ana", role: .admin, fullName: nil, actor: nil)
        #expect(throws: StoreError.self) { try users.add(name: "ana", role: .admin, fullName: nil, actor: "ana") }
        #expect(try audit.verify().rows == 1)
    }
}
