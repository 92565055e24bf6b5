import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import HTTPTypes
import Hummingbird
import Telemetry

/// `GET /racks/{id}`: front and rear elevation, the devices, the rack's sensors with their
/// latest values and 24-hour sparklines, power and weight budget bars, open events and
/// checklist runs; and editing the floor there — add, move and decommission a device — with
/// the one fit check (DESIGN decision 9) answering live (`POST /racks/{id}/fit`) before the
/// change is saved, each change audited (role engineer).
extension Pages {
    func registerRacks(on router: Router<WebContext>) {
        router.get("/racks/:id") { request, context -> Response in
            let (floor, rack) = try await rackOf(context.parameters.get("id") ?? "")
            let page = try await view(request, context, section: "overview", site: floor.site.id.rawValue)
            var notice: String?
            if let moved = request.uri.queryParameters.get("saved") { notice = t("saved_notice", page, ["id": String(moved)]) }
            return try await rackPage(request, context, page, floor: floor, rack: rack, error: nil, notice: notice, form: nil)
        }

        // The live answer of the fit check for the move and add forms (JSON, nothing written).
        router.post("/racks/:id/fit") { request, context -> Response in
            let form = try await FormBody.read(request, context: context)
            let (floor, rack) = try await rackOf(context.parameters.get("id") ?? "")
            _ = try await requireForm(.viewer, to: "check a placement", form, request, context)
            let page = try await view(request, context, section: "overview", site: floor.site.id.rawValue)
            let answer: FitAnswer
            do {
                let problems: [FitProblem]
                if form["op"] == "add" {
                    problems = try await sources.floorEdits.fitPreview(adding: try newDevice(form, rack: rack, floor: floor, page: page))
                } else {
                    let target = try targetRack(form, default: rack.id, page: page)
                    problems = try await sources.floorEdits.fitPreview(
                        device: CIID(validating: form["device"] ?? ""), type: nil, rack: target, position: try position(form, page: page),
                        face: try face(form, page: page))
                }
                answer = FitAnswer(
                    fits: problems.isEmpty, summary: t(problems.isEmpty ? "fit_ok" : "fit_refused", page), problems: problems.map(\.message),
                    field: problems.first?.field)
            } catch let e as FieldError {
                answer = FitAnswer(fits: false, summary: e.message, problems: [], field: e.field)
            } catch let e as FloorEditError {
                answer = FitAnswer(fits: false, summary: e.message, problems: e.problems.map(\.message), field: e.field)
            }
            return try WebJSON.response(answer)
        }

        // The three edits: each a form of the rack page, role engineer; a refusal shows the
        // page again with the field marked and every reason, nothing written.
        editRoute(router, "move", action: "move devices") { form, floor, rack, page, actor in
            guard let device = CIID(validating: form["device"] ?? "") else { throw FieldError(field: "device", message: t("error_required", page)) }
            let target = try targetRack(form, default: rack.id, page: page)
            let edit = try await sources.floorEdits.moveDevice(
                device, to: target, position: try position(form, page: page), face: try face(form, page: page), poweredBy: nil, actor: actor)
            return "/racks/\(edit.device.rack?.rawValue ?? rack.id.rawValue)?saved=\(device)"
        }
        editRoute(router, "add", action: "add devices") { form, floor, rack, page, actor in
            let edit = try await sources.floorEdits.addDevice(try newDevice(form, rack: rack, floor: floor, page: page), actor: actor)
            return "/racks/\(rack.id)?saved=\(edit.device.id)"
        }
        editRoute(router, "decommission", action: "decommission devices") { form, floor, rack, page, actor in
            guard let device = CIID(validating: form["device"] ?? ""), floor.device(device)?.rack == rack.id else {
                throw FieldError(field: "device", message: t("error_bad_value", page, ["value": form["device"] ?? ""]))
            }
            guard let reason = form.text("reason") else { throw FieldError(field: "reason", message: t("error_required", page)) }
            do {
                try await sources.floorEdits.setLifecycle(device: device, to: .decommissioning, reason: reason, actor: actor)
            } catch let e as StoreError where e.code == .invalid {
                throw FieldError(field: "reason", message: e.message)
            }
            return "/racks/\(rack.id)?saved=\(device)"
        }
    }

    /// `POST /racks/{id}/<name>`: reads the form, checks the CSRF token and the engineer role,
    /// runs `edit` (which answers where to go next) and shows a refusal on the rack page.
    func editRoute(
        _ router: Router<WebContext>, _ name: String, action: String,
        _ edit: @escaping @Sendable (FormBody, Floor, Rack, PageView, String) async throws -> String
    ) {
        router.post(RouterPath("/racks/:id/" + name)) { request, context -> Response in
            let form = try await FormBody.read(request, context: context)
            let (floor, rack) = try await rackOf(context.parameters.get("id") ?? "")
            let who = try await requireForm(.engineer, to: action, form, request, context)
            let page = try await view(request, context, section: "overview", site: floor.site.id.rawValue)
            let refused: (field: String, message: String, problems: [String]), status: HTTPResponse.Status
            do {
                return Self.seeOther(try await edit(form, floor, rack, page, who.user.name))
            } catch let e as FieldError {
                (refused, status) = ((e.field, e.message, []), .badRequest)
            } catch let e as FloorEditError {
                (refused, status) = ((e.field, e.message, e.problems.map(\.message)), e.code == .doesNotFit ? .conflict : .badRequest)
            }
            return try await rackPage(request, context, page, floor: floor, rack: rack, error: refused, notice: nil, form: form, status: status)
        }
    }

    /// The fit check's answer to the page's script.
    struct FitAnswer: Encodable {
        var fits: Bool
        var summary: String
        var problems: [String]
        @Nullable var field: String?
    }

    func rackOf(_ id: String) async throws -> (Floor, Rack) {
        guard let ci = CIID(validating: id), let floor = try await sources.floors.floor(containing: ci), let rack = floor.rack(ci) else {
            throw PageError.notFound("rack \(id)")
        }
        return (floor, rack)
    }

    func position(_ form: FormBody, page: PageView) throws -> HalfU? {
        guard let text = form.text("position") else { return nil }
        guard let units = Double(text.replacingOccurrences(of: ",", with: ".")), let p = HalfU(exactly: units), p.halves > 0 else {
            throw FieldError(field: "position", message: t("error_position", page, ["value": text]))
        }
        return p
    }

    func face(_ form: FormBody, page: PageView) throws -> RackFace {
        let text = form.text("face") ?? "front"
        guard let f = RackFace(rawValue: text) else { throw FieldError(field: "face", message: t("error_bad_value", page, ["value": text])) }
        return f
    }

    func targetRack(_ form: FormBody, default id: CIID, page: PageView) throws -> CIID {
        guard let text = form.text("to_rack") else { return id }
        guard let ci = CIID(validating: text) else { throw FieldError(field: "to_rack", message: t("error_bad_value", page, ["value": text])) }
        return ci
    }

    /// The device the add form describes, powered from the PDUs ticked (all of the rack's by default).
    func newDevice(_ form: FormBody, rack: Rack, floor: Floor, page: PageView) throws -> Device {
        guard let idText = form.text("id") else { throw FieldError(field: "id", message: t("error_required", page)) }
        guard let id = CIID(validating: idText) else { throw FieldError(field: "id", message: t("error_ci_id", page, ["value": idText])) }
        guard let type = form.text("type") else { throw FieldError(field: "type", message: t("error_required", page)) }
        let pdus = floor.pdus.filter { $0.rack == rack.id }.map(\.id).filter { form["pdu_\($0)"] != nil || form["pdus"] == nil && form.fields.keys.allSatisfy { !$0.hasPrefix("pdu_") } }
        return Device(
            id: id, name: form.text("name") ?? idText, type: type, rack: rack.id, position: try position(form, page: page), face: try face(form, page: page),
            poweredBy: pdus, lifecycle: .planned)
    }

    /// The rack page; `error` marks the field a refused edit named, with the fit check's reasons.
    func rackPage(
        _ request: Request, _ context: WebContext, _ page: PageView, floor: Floor, rack: Rack, error: (field: String, message: String, problems: [String])?,
        notice: String?, form: FormBody?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = Timestamp.now
        let elevation = RackElevation(floor: floor, rack: rack)
        var options = SVGOptions.inline
        options.role = "group"
        let svg = RackElevationRenderer.svg(elevation, labels: elevationLabels(page), options: options) { "/ci/\($0)/history" }
        // The latest readings of the rack and what it holds, not of the whole site.
        var byCI: [CIID: [Reading]] = [:]
        for ci in [rack.id] + floor.sensors.filter({ $0.rack == rack.id }).map(\.id) + floor.pdus.filter({ $0.rack == rack.id }).map(\.id) {
            byCI[ci] = try await sources.samples.latest(ci: ci)
        }
        let devices = floor.devices(in: rack.id).sorted { ($0.position ?? HalfU(halves: 0)) > ($1.position ?? HalfU(halves: 0)) }
        var data: [String: Any] = [
            "rack": [
                "id": rack.id.rawValue, "room": rack.room.rawValue, "tile": rack.tile.description, "height": rack.heightU,
                "facing": rack.facing.rawValue, "site": floor.site.name,
            ] as [String: Any],
            "elevation": svg,
            "devices": devices.map { d -> [String: Any] in
                let type = floor.deviceType(d.type)
                var row: [String: Any] = [
                    "id": d.id.rawValue, "name": d.name, "type": type.map { "\($0.manufacturer) \($0.model)" } ?? d.type,
                    "position": d.position.map { "U\($0)" } ?? "0U", "face": t("face_" + d.face.rawValue, page), "lifecycle": t("lifecycle_" + d.lifecycle.rawValue, page),
                    "can_decommission": [.active, .staged, .offline].contains(d.lifecycle),
                ]
                if let m = floor.mountable(d) { row["power"] = Self.number(m.powerW) + " W" }
                return row
            },
            "device_options": devices.map { ["id": $0.id.rawValue, "selected": $0.id.rawValue == form?["device"]] as [String: Any] },
            "rack_options": floor.racks.map { r in
                ["id": r.id.rawValue, "selected": r.id.rawValue == (form?["to_rack"] ?? rack.id.rawValue)] as [String: Any]
            },
            "type_options": floor.deviceTypes.sorted { $0.slug < $1.slug }.map { ty in
                ["slug": ty.slug, "label": "\(ty.manufacturer) \(ty.model) (\(ty.height)U)", "selected": ty.slug == form?["type"]] as [String: Any]
            },
            "pdus": floor.pdus.filter { $0.rack == rack.id }.map { ["id": $0.id.rawValue, "side": $0.side.rawValue] },
            "form": [
                "position": form?["position"] ?? "", "face_rear": form?["face"] == "rear", "id": form?["id"] ?? "", "name": form?["name"] ?? "",
                "op": form?["op"] ?? "",
            ] as [String: Any],
            "can_edit": (context.identity?.role ?? .viewer) >= .engineer,
        ]
        data["budgets"] = budgets(rack: rack, elevation: elevation, latest: byCI[rack.id] ?? [], now: now, page: page)
        data["sensors"] = try await rackSensors(floor: floor, rack: rack, byCI: byCI, now: now, page: page)
        let events = try await sources.events.events(EventQuery(firingOnly: true, rack: rack.id, limit: 200))
        data["events"] = events.map { eventRow($0, page) }
        data["has_events"] = !events.isEmpty
        let runs = try await sources.checklists.runs(target: rack.id)
        data["runs"] = runs.map { r in ["id": r.id, "template": r.template.title, "state": r.state.rawValue] as [String: Any] }
        data["has_runs"] = !runs.isEmpty
        if let error {
            data["error"] = ["message": error.message, "problems": error.problems, "has_problems": !error.problems.isEmpty, "field": error.field] as [String: Any]
            data["error_" + error.field.replacingOccurrences(of: ".", with: "_")] = true
        }
        if let notice { data["notice"] = notice }
        return render("rack", page, request, title: t("rack_title", page, ["rack": rack.id.rawValue]), status: status, data)
    }

    /// Power (measured and allocated) against the budget, weight against the limit, U used.
    func budgets(rack: Rack, elevation: RackElevation, latest: [Reading], now: Timestamp, page: PageView) -> [[String: Any]] {
        func bar(_ label: String, _ used: Double?, _ limit: Double?, unit: String, note: String? = nil) -> [String: Any] {
            var b: [String: Any] = ["label": label]
            guard let used else {
                b["text"] = t("no_data", page)
                b["nodata"] = true
                return b
            }
            let pct = limit.map { $0 > 0 ? used / $0 * 100 : 0 }
            b["text"] = Self.number(used, decimals: 1) + " " + unit + (limit.map { " / " + Self.number($0, decimals: 1) + " " + unit } ?? "")
                + (pct.map { " (" + Self.number($0, decimals: 0) + " %)" } ?? "")
            b["width"] = Int(min(100, max(0, pct ?? 0)).rounded())
            b["class"] = (pct ?? 0) > 100 ? "over" : (pct ?? 0) > 80 ? "warn" : ""
            if let note { b["note"] = note }
            return b
        }
        let measured = latest.first { $0.point.name == "power_total" && $0.isUsable && now.seconds(since: $0.time) <= RackMetrics.freshFor }
        // Allocated power and weight as the fit check counts them (the elevation sums its context).
        let (allocated, weight) = (elevation.powerW, elevation.weightKg)
        return [
            bar(t("budget_power_measured", page), measured.map { $0.value / 1000 }, rack.powerBudgetKW, unit: "kW", note: t("budget_power_note", page)),
            bar(t("budget_power_allocated", page), allocated / 1000, rack.powerBudgetKW, unit: "kW"),
            bar(t("budget_weight", page), weight, rack.maxWeightKg, unit: "kg"),
            bar(t("budget_space", page), Double(elevation.usedHalves) / 2, Double(rack.heightU), unit: "U"),
        ]
    }

    /// The points a rack page shows of a sensor or PDU, in this order; others are on the sensor page.
    static let rackPointOrder = ["temperature", "humidity", "power_total", "power", "current", "corrosion_rate"]

    /// The rack's sensors and PDUs: their main points' latest values (with units) and 24-hour sparklines.
    func rackSensors(floor: Floor, rack: Rack, byCI: [CIID: [Reading]], now: Timestamp, page: PageView) async throws -> [[String: Any]] {
        let ids = floor.sensors.filter { $0.rack == rack.id }.map(\.id) + floor.pdus.filter { $0.rack == rack.id }.map(\.id)
        let units = Dictionary(try await sources.samples.descriptors().map { ($0.id, $0.unit.rawValue) }, uniquingKeysWith: { a, _ in a })
        var out: [[String: Any]] = []
        for id in ids {
            let readings = (byCI[id] ?? []).filter { Self.rackPointOrder.contains($0.point.name) }
                .sorted { Self.rackPointOrder.firstIndex(of: $0.point.name)! < Self.rackPointOrder.firstIndex(of: $1.point.name)! }
            var points: [[String: Any]] = []
            for r in readings {
                let fresh = r.isUsable && now.seconds(since: r.time) <= RackMetrics.freshFor
                let unit = units[r.point].map { $0.isEmpty ? "" : " " + $0 } ?? ""
                var p: [String: Any] = [
                    "name": r.point.name, "value": fresh ? Self.number(r.value) + unit : t("no_data", page), "nodata": !fresh,
                    "href": "/sensors/\(id)?point=\(Self.query(r.point.name))",
                ]
                p["sparkline"] = try await sparkline(r.point, now: now, page: page)
                points.append(p)
            }
            out.append(["id": id.rawValue, "points": points, "href": "/sensors/\(id)"])
        }
        return out
    }

    /// The rack elevation's words in the reader's language.
    func elevationLabels(_ page: PageView) -> RackElevationRenderer.Labels {
        var l = RackElevationRenderer.Labels()
        l.title = t("elev_title", page)
        l.documentTitle = t("elev_document", page)
        l.front = t("face_front", page)
        l.rear = t("face_rear", page)
        l.utilisation = t("elev_utilisation", page)
        l.space = t("elev_space", page)
        l.power = t("elev_power", page)
        l.weight = t("elev_weight", page)
        l.barWithLimit = t("elev_bar_limit", page)
        l.barWithoutLimit = t("elev_bar_no_limit", page)
        l.status = t("elev_status", page)
        l.free = t("elev_free", page)
        l.zeroU = t("elev_zero_u", page)
        l.zeroUSide = t("elev_zero_u_side", page)
        l.deviceTooltip = t("elev_device_tooltip", page)
        l.lifecycles = Dictionary(uniqueKeysWithValues: Lifecycle.allCases.map { ($0.rawValue, t("lifecycle_" + $0.rawValue, page)) })
        l.directions = Dictionary(uniqueKeysWithValues: Direction.allCases.map { ($0.rawValue, t("direction_" + $0.rawValue, page)) })
        return l
    }
}
