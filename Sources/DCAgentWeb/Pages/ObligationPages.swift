import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import Hummingbird
import Telemetry

/// `GET /obligations`: the obligations calendar (Lampiran II I.2.b.1 measurements, I.2.b.4
/// cleaning, B.2.f.h CI audit) per site and room — each obligation the rules schedule, when it
/// was last done, by whom, the third party and escort, when it is next due and whether it is
/// current, due soon or overdue — computed by ``ObligationCalendar`` as `dcagent obligations
/// status` computes it. `?room=R&kind=K` lists that obligation's records (all of a room without
/// `kind`), newest first. Read-only: records are entered with `dcagent obligations record`.
extension Pages {
    func registerObligations(on router: Router<WebContext>) {
        router.get("/obligations") { request, context -> Response in
            let page = try await view(request, context, section: "obligations")
            let q = request.uri.queryParameters
            let value = { (name: String) -> String in q.get(name).map { String($0) }?.trimmingCharacters(in: .whitespaces) ?? "" }
            var problems: [[String: Any]] = []
            let kindFilter = value("kind")
            var kind: ObligationKind?
            if !kindFilter.isEmpty {
                if let k = ObligationKind(rawValue: kindFilter) { kind = k } else {
                    problems.append(["field": "kind", "message": t("error_bad_value", page, ["value": kindFilter])])
                }
            }
            let floors = try await sources.floors.floors()
            let roomFilter = value("room")
            if !roomFilter.isEmpty && !floors.contains(where: { $0.rooms.contains { $0.id.rawValue == roomFilter } }) {
                throw PageError.notFound("room \(roomFilter)")
            }
            let records = try await sources.records.records()
            let now = Timestamp.now
            let duties = ObligationCalendar.duties(configured: sources.obligationDuties(), allRooms: floors.flatMap { $0.rooms.map(\.id) })
            let statuses = ObligationCalendar.statuses(duties, records: records, now: now)

            var sites: [[String: Any]] = []
            var counts: [ObligationStatus.Standing: Int] = [:]
            for floor in floors {
                let day = dayView(page, site: floor.site.id.rawValue)
                var rooms: [[String: Any]] = []
                for room in floor.rooms {
                    let rows = statuses.filter { $0.room == room.id }.map { s -> [String: Any] in
                        counts[s.standing, default: 0] += 1
                        var row: [String: Any] = [
                            "kind": s.kind.rawValue, "kind_text": t("ob_kind_" + s.kind.rawValue, page), "citation": s.kind.citation,
                            "standing": s.standing.rawValue, "standing_text": t("ob_standing_" + s.standing.rawValue, page),
                            "records_link": "/obligations?room=\(Self.query(room.id.rawValue))&kind=\(s.kind.rawValue)#records",
                            "due": s.due.map { day($0) } ?? t("ob_due_now", page),
                        ]
                        if let last = s.lastDone {
                            row["last_at"] = day(last.doneAt)
                            row["last_by"] = last.doneBy
                            if let p = last.thirdParty, !p.isEmpty { row["third_party"] = p }
                            if let e = last.escort, !e.isEmpty { row["escort"] = e }
                            if let d = last.documentReference, !d.isEmpty { row["document"] = d }
                        }
                        return row
                    }
                    guard !rows.isEmpty else { continue }
                    rooms.append(["id": room.id.rawValue, "name": room.name, "link": "/rooms/" + Self.query(room.id.rawValue), "rows": rows])
                }
                if !rooms.isEmpty {
                    sites.append(["id": floor.site.id.rawValue, "name": floor.site.name, "time_zone": timeZone(site: floor.site.id.rawValue), "rooms": rooms])
                }
            }
            var data: [String: Any] = [
                "sites": sites, "empty": sites.isEmpty,
                "overdue_count": counts[.overdue] ?? 0, "due_soon_count": counts[.dueSoon] ?? 0, "ok_count": counts[.ok] ?? 0,
            ]
            if !roomFilter.isEmpty {
                let siteID = floors.first { $0.rooms.contains { $0.id.rawValue == roomFilter } }?.site.id.rawValue
                let day = dayView(page, site: siteID)
                let chosen = records.filter { $0.room.rawValue == roomFilter && (kind == nil || $0.kind == kind) }.sorted { $0.doneAt > $1.doneAt }
                data["records"] = [
                    "room": roomFilter, "kind_text": kind.map { t("ob_kind_" + $0.rawValue, page) } ?? t("any", page),
                    "empty": chosen.isEmpty,
                    "rows": chosen.map { r -> [String: Any] in
                        var row: [String: Any] = ["at": day(r.doneAt), "kind_text": t("ob_kind_" + r.kind.rawValue, page), "by": r.doneBy]
                        if let p = r.thirdParty, !p.isEmpty { row["third_party"] = p }
                        if let e = r.escort, !e.isEmpty { row["escort"] = e }
                        if let d = r.documentReference, !d.isEmpty { row["document"] = d }
                        if !r.note.isEmpty { row["note"] = r.note }
                        return row
                    },
                ] as [String: Any]
            }
            if !problems.isEmpty { data["problems"] = problems }
            return render("obligations", page, request, title: t("ob_title", page), status: problems.isEmpty ? .ok : .badRequest, data)
        }
    }

    /// A date as a site reads it (`2026-12-07`), in that site's time zone.
    func dayView(_ page: PageView, site: String?) -> (Timestamp) -> String {
        var local = page
        local.timeZone = timeZone(site: site)
        return { String(local.time($0).prefix(10)) }
    }
}
