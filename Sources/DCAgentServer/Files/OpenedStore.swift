package import AgentStore
package import FloorModel
package import Synchronization
package import Telemetry

/// The store opened from a plan: database, audit trail, users.
package struct OpenedStore: Sendable {
    package let database: AgentDatabase
    package let audit: AuditTrail
    package let users: UserRepository

    package init(plan: ConfigPlan, readOnly: Bool = false) throws {
        let database = try AgentDatabase(path: plan.storage.path, options: .init(busyTimeout: plan.storage.busyTimeout, readOnly: readOnly))
        commandDatabase.withLock { $0 = database }
        self.database = database
        audit = try AuditTrail(database: database, keyFile: plan.audit.keyFile, anchorFile: plan.audit.anchorFile)
        users = UserRepository(database: database, audit: audit)
    }
}

/// The database this command opened (a command opens one), to name it when a write finds it busy.
package let commandDatabase = Mutex<AgentDatabase?>(nil)

/// The floor and checklist repositories of an opened store.
extension OpenedStore {
    /// The floor repository.
    package var floor: FloorRepository { FloorRepository(database: database, audit: audit) }
    /// The checklist repository.
    package var checklists: ChecklistRepository { ChecklistRepository(database: database, audit: audit, users: users) }

    /// The stored floor holding a CI, or exit 1 naming it.
    package func floor(containing id: String) throws -> Floor {
        guard let f = try floor.floor(containing: CIID(unchecked: id)) else {
            throw StoreError.invalid("\(id) is not on any stored floor (import one with `dcagent floor import FILE`)")
        }
        return f
    }
}


extension OpenedStore {
    /// Events and the rules engine's state.
    package var events: EventStore { EventStore(database: database, samples: SampleStore(database: database)) }
    /// Obligation records and maintenance windows.
    package var records: RecordsRepository { RecordsRepository(database: database, audit: audit) }
}
