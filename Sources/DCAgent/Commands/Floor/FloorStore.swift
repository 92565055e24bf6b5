import AgentStore
import ArgumentParser
import DCAgentServer
import FloorModel
import Foundation
import Telemetry

/// Runs a floor or checklist command body: store, floor, document and checklist errors become
/// a message on stderr and exit code 1.
func reportingFloorErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try reportingErrors(body)
    } catch let e as FloorImportError {
        printErr("dcagent: \(e.description)")
    } catch let e as FloorEditError {
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

