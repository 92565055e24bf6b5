import Foundation
import Hummingbird
import Logging

extension Pages {
    /// Every page route (issue 14).
    func register(on router: Router<WebContext>) {
        do {
            try StaticFiles(directory: (renderer.directory as NSString).appendingPathComponent("static")).register(on: router)
        } catch {
            logger.error("the pages' static files cannot be read from \(renderer.directory)/static: \(error)")
        }
        registerLogin(on: router)
        registerOverview(on: router)
        registerEvents(on: router)
        registerTickets(on: router)
        registerAudit(on: router)
        registerFloor(on: router)
        registerRacks(on: router)
        registerSensors(on: router)
        registerChecklists(on: router)
        registerObligations(on: router)
    }
}
