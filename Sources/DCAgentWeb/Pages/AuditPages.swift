import AgentStore
import FloorModel
import Foundation
import Hummingbird
import Telemetry

/// `GET /audit`: the audit trail (DESIGN decision 6) newest first, a page at a time, with the
/// chain's verification status on top; `GET /ci/{id}/history`: every change to one CI — who,
/// when, what before and after — as NetBox's changelog shows it.
extension Pages {
    static let auditPageSize = 50

    func registerAudit(on router: Router<WebContext>) {
        router.get("/audit") { request, context -> Response in
            let page = try await view(request, context, section: "audit")
            let before = try beforeSeq(request)
            let entries = try await sources.audit.entries(object: nil, limit: Self.auditPageSize, beforeSeq: before)
            let check = try await sources.audit.verify()
            var data = auditList(entries, page, path: "/audit")
            var verification: [String: Any] = [
                "intact": check.intact, "rows": check.rows, "problems": check.problems, "warnings": check.warnings,
                "has_warnings": !check.warnings.isEmpty, "last_mac": String(check.lastMAC.prefix(16)),
            ]
            if let a = check.anchor { verification["anchor"] = "\(a.count) · \(a.mac.prefix(16))" }
            data["verification"] = verification
            return render("audit", page, request, title: t("audit_title", page), data)
        }

        router.get("/ci/:id/history") { request, context -> Response in
            let page = try await view(request, context, section: "audit")
            let id = context.parameters.get("id") ?? ""
            guard CIID(validating: id) != nil else { throw PageError.notFound("CI \(id)") }
            let entries = try await sources.audit.entries(object: id, limit: Self.auditPageSize, beforeSeq: try beforeSeq(request))
            let floors = try await sources.floors.floors()
            let known = floors.contains { $0.ciIDs.contains { $0.0.rawValue == id } || $0.site.id.rawValue == id }
            if entries.isEmpty && !known && request.uri.queryParameters.get("before") == nil { throw PageError.notFound("CI \(id)") }
            var data = auditList(entries, page, path: "/ci/\(id)/history")
            data["ci"] = id
            let ci = CIID(unchecked: id)
            if floors.contains(where: { $0.rack(ci) != nil }) { data["rack_link"] = "/racks/\(id)" }
            if let r = floors.lazy.compactMap({ $0.device(ci)?.rack }).first { data["rack_link"] = "/racks/\(r)" }
            if floors.contains(where: { $0.room(CIID(unchecked: id)) != nil }) { data["room_link"] = "/rooms/\(id)" }
            if floors.contains(where: { f in f.sensors.contains { $0.id.rawValue == id } }) { data["sensor_link"] = "/sensors/\(id)" }
            return render("history", page, request, title: t("history_title", page, ["id": id]), data)
        }
    }

    func beforeSeq(_ request: Request) throws -> Int64? {
        guard let text = request.uri.queryParameters.get("before") else { return nil }
        guard let n = Int64(String(text)), n > 0 else { throw PageError(status: .badRequest, key: "error_bad_value", args: ["value": String(text)]) }
        return n
    }

    /// Rows for the audit table: each detail split into a change (`x.before` → `x.after`) or a
    /// plain value, and the link to the next (older) page.
    func auditList(_ entries: [AuditTrail.Entry], _ page: PageView, path: String) -> [String: Any] {
        let rows = entries.map { e -> [String: Any] in
            var changes: [[String: Any]] = []
            var plain: [[String: Any]] = []
            for key in e.details.keys.sorted() {
                if key.hasSuffix(".before") {
                    let field = String(key.dropLast(".before".count))
                    changes.append(["field": field, "before": e.details[key] ?? "", "after": e.details[field + ".after"] ?? ""])
                } else if key.hasSuffix(".after") {
                    let field = String(key.dropLast(".after".count))
                    if e.details[field + ".before"] == nil { changes.append(["field": field, "before": "—", "after": e.details[key] ?? ""]) }
                } else {
                    plain.append(["key": key, "value": e.details[key] ?? ""])
                }
            }
            return [
                "seq": e.seq, "time": page.time(e.time), "actor": e.actor, "action": e.action, "object": e.object,
                "changes": changes, "has_changes": !changes.isEmpty, "details": plain,
            ]
        }
        var data: [String: Any] = ["entries": rows, "empty": rows.isEmpty]
        if entries.count == Self.auditPageSize, let last = entries.last { data["older"] = "\(path)?before=\(last.seq)" }
        return data
    }
}
