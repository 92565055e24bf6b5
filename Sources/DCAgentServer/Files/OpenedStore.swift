package import AgentStore
package import Logging
package import Synchronization

extension SiteStore {
    /// The store the config names (`storage.path`, `storage.busy_timeout`, `audit.*`).
    /// `logger` is the change feed's (the daemon passes its own; a command's is never used).
    package convenience init(plan: ConfigPlan, readOnly: Bool = false, logger: Logger = Logger(label: "dcagent")) throws {
        try self.init(
            path: plan.storage.path, options: .init(busyTimeout: plan.storage.busyTimeout, readOnly: readOnly),
            auditKeyFile: plan.audit.keyFile, auditAnchorFile: plan.audit.anchorFile, logger: logger)
        commandDatabase.withLock { $0 = database }
    }
}

/// The database this command opened (a command opens one), to name it when a write finds it busy.
package let commandDatabase = Mutex<AgentDatabase?>(nil)
