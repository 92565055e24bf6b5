import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import Hummingbird
import Telemetry

/// `GET /`: the sites side by side (DC and DRC) — health, open events by severity, overdue
/// obligations, sensors offline, the ITSM outbox, and each site's rooms.
extension Pages {
    func registerOverview(on router: Router<WebContext>) {
        router.get("/") { request, context -> Response in
            let page = try await view(request, context, section: "overview")
            let health = await sources.status.health()
            let firing = try await sources.events.events(EventQuery(firingOnly: true, limit: 5000))
            let floors = try await sources.floors.floors()
            var sites: [[String: Any]] = []
            for site in sources.sites {
                let mine = firing.filter { $0.site?.rawValue == site.id }
                let floor = floors.first { $0.site.id.rawValue == site.id }
                let sensorIDs = Set((floor?.sensors.map(\.id.rawValue) ?? []) + (floor?.pdus.map(\.id.rawValue) ?? []))
                let offline = health.sensors.offline.filter { sensorIDs.contains($0) }
                let overdue = mine.filter { $0.event.kind == .obligation }
                var entry: [String: Any] = [
                    "id": site.id, "name": site.name, "time_zone": site.timeZone,
                    "critical": mine.filter { $0.event.severity == .critical }.count,
                    "warning": mine.filter { $0.event.severity == .warning }.count,
                    "info": mine.filter { $0.event.severity == .info }.count,
                    "offline": offline, "offline_count": offline.count,
                    "overdue": overdue.map { ["id": $0.id, "message": $0.event.message] }, "overdue_count": overdue.count,
                    "has_overdue": !overdue.isEmpty, "has_offline": !offline.isEmpty,
                    "rooms": (floor?.rooms ?? []).map { r in
                        ["id": r.id.rawValue, "name": r.name, "racks": floor?.racks.filter { $0.room == r.id }.count ?? 0] as [String: Any]
                    },
                    "health_class": mine.contains { $0.event.severity == .critical } ? "critical" : mine.contains { $0.event.severity == .warning } || !offline.isEmpty ? "warning" : "ok",
                ]
                entry["health_text"] = t("health_" + (entry["health_class"] as! String), page)
                entry["local_time"] = PageView(language: page.language, timeZone: site.timeZone, section: "", path: "").time(.now)
                sites.append(entry)
            }
            var data: [String: Any] = [
                "sites": sites, "agent_status": health.status, "agent_ok": health.status == "ok",
                "sensors_total": health.sensors.total, "sensors_offline": health.sensors.offline.count,
                "agent_wide": firing.filter { $0.site == nil }.count, "has_agent_wide": firing.contains { $0.site == nil },
            ]
            if let itsm = health.itsm {
                var outbox: [String: Any] = ["tickets": itsm.tickets, "pending": itsm.pending, "sent": itsm.sent, "dead": itsm.dead]
                if let oldest = itsm.oldestPending.flatMap(Timestamp.init(parsing:)) { outbox["oldest"] = page.time(oldest) }
                data["itsm"] = outbox
            }
            return render("overview", page, request, title: t("overview_title", page), data)
        }
    }
}
