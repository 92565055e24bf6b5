import AgentStore
import ArgumentParser
import FloorModel
import Foundation
import Telemetry

/// The floor and checklist repositories of an opened store.
extension OpenedStore {
    /// The floor repository.
    var floor: FloorRepository { FloorRepository(database: database, audit: audit) }
    /// The checklist repository.
    var checklists: ChecklistRepository { ChecklistRepository(database: database, audit: audit, users: users) }

    /// The stored floor holding a CI, or exit 1 naming it.
    func floor(containing id: String) throws -> Floor {
        guard let f = try floor.floor(containing: CIID(unchecked: id)) else {
            throw StoreError.invalid("\(id) is not on any stored floor (import one with `dcagent floor import FILE`)")
        }
        return f
    }
}

/// Runs a floor or checklist command body: store, floor, document and checklist errors become
/// a message on stderr and exit code 1.
func reportingFloorErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try reportingErrors(body)
    } catch let e as FloorImportError {
        printErr("dcagent: \(e.description)")
    } catch let e as FloorDocumentError {
        printErr("dcagent: \(e.description)")
    } catch let e as ChecklistError {
        printErr("dcagent: \(e.description)")
    } catch let e as FloorFileError {
        printErr("dcagent: \(e.description)")
    }
    throw ExitCode(1)
}

/// A floor file that cannot be read or decoded, with file and reason.
struct FloorFileError: Error, CustomStringConvertible {
    var file: String
    var reason: String
    var description: String { "\(file): \(reason)" }
}
