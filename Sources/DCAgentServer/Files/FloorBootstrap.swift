package import AgentStore
package import FloorModel
package import Logging
package import Telemetry

/// `floor.import_on_first_start` (DESIGN decision 3): the demo's floor file is imported into a
/// database that holds no floor yet. The audit rows name the actor ``actor``.
package enum FloorBootstrap {
    /// The audit actor of the first-start import: the built-in user `system` (registered by
    /// the store's migrations), the daemon acting on the operator's config, never a person.
    package static let actor = UserRepository.systemActor

    /// Imports `plan.floorImport` when it is set and no floor is stored; returns true when it
    /// imported. Problems in the file are thrown (nothing is written).
    @discardableResult
    package static func importIfEmpty(plan: ConfigPlan, store: SiteStore, logger: Logger) throws -> Bool {
        guard let file = plan.floorImport else { return false }
        guard try store.floor.isEmpty() else {
            logger.debug("floor already stored; import_on_first_start skipped", metadata: ["floor.file": "\(file)"])
            return false
        }
        let summary = try store.floor.importFloors(try FloorFiles.read(file), actor: actor, source: file)
        logger.info(
            "imported the floor on first start",
            metadata: ["floor.file": "\(file)", "floor.sites": "\(summary.sites.map(\.rawValue).joined(separator: ","))"])
        return true
    }
}
