import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Telemetry

/// `GET /rooms/{id}`: a room's floor plan with its racks coloured by a chosen metric (inlet
/// temperature, power against budget, U used, alarm state) and a legend, the sensors on the
/// plan, and the thermal view interpolated between the inlet probes (the probes drawn as
/// measurements); `GET /rooms/{id}/live`: the same drawing again, by server-sent events,
/// whenever what it shows changes — a rack without trustworthy data is drawn "no data", never
/// in a normal colour.
extension Pages {
    func registerFloor(on router: Router<WebContext>) {
        router.get("/rooms/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let (floor, room) = try await roomOf(id)
            let page = try await view(request, context, section: "overview", site: floor.site.id.rawValue)
            let (metric, thermal) = try planOptions(request, page)
            let drawn = try await plan(floor: floor, room: room, metric: metric, thermal: thermal, page: page)
            let q = "metric=\(metric.rawValue)\(thermal ? "&view=thermal" : "")"
            let data: [String: Any] = [
                "room": ["id": room.id.rawValue, "name": room.name, "site": floor.site.name, "site_id": floor.site.id.rawValue],
                "svg": drawn.svg, "live_url": "/rooms/\(room.id)/live?\(q)",
                "metrics": RackMetrics.Metric.allCases.map { m in
                    ["href": "/rooms/\(room.id)?metric=\(m.rawValue)\(thermal ? "&view=thermal" : "")", "label": t("metric_" + m.rawValue, page), "current": m == metric]
                        as [String: Any]
                },
                "views": [false, true].map { th in
                    ["href": "/rooms/\(room.id)?metric=\(metric.rawValue)\(th ? "&view=thermal" : "")", "label": t(th ? "view_thermal" : "view_racks", page), "current": th == thermal]
                        as [String: Any]
                },
                "thermal": thermal, "racks": drawn.rows, "probe_count": drawn.probes,
                "metric_label": t("metric_" + metric.rawValue, page), "updated": page.time(drawn.at),
            ]
            return render("room", page, request, title: t("room_title", page, ["room": room.name]), data)
        }

        router.get("/rooms/:id/live") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let (_, room) = try await roomOf(id)
            let page = try await view(request, context, section: "overview")
            let (metric, thermal) = try planOptions(request, page)
            let (commits, keepAliveEvery, logger) = (sources.commits(), sources.keepAliveEvery, logger)
            let pages = self
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                var last = ""
                var lastWrite = ContinuousClock.now
                // Woken by every commit (readings, events), at most once a second, and by the
                // keep-alive timer: the drawing is sent when it changed.
                let (wakes, feeders) = Wakes.start(commits: commits, keepAliveEvery: keepAliveEvery)
                defer { feeders.cancel() }
                await withGracefulShutdownHandler {
                    do {
                        var iterator = wakes.makeAsyncIterator()
                        // The floor is read again only when its revision moved (an edit, an
                        // import); readings and events are read on every wake.
                        var revision = try await pages.sources.floors.revision()
                        var (floor, current) = try await pages.roomOf(room.id.rawValue)
                        repeat {
                            let now = try await pages.sources.floors.revision()
                            if now != revision {
                                (floor, current) = try await pages.roomOf(room.id.rawValue)
                                revision = now
                            }
                            let drawn = try await pages.plan(floor: floor, room: current, metric: metric, thermal: thermal, page: page)
                            if drawn.svg != last {
                                last = drawn.svg
                                let payload = LivePlan(svg: drawn.svg, at: drawn.at.milliseconds, atText: page.time(drawn.at), racks: drawn.marks)
                                try await writer.write(ByteBuffer(string: "event: plan\ndata: \(try WebJSON.line(payload))\n\n"))
                                lastWrite = .now
                            } else if ContinuousClock.now - lastWrite >= keepAliveEvery {
                                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                                lastWrite = .now
                            }
                            try await Task.sleep(for: .seconds(1))
                        } while await iterator.next() != nil && !Task.isCancelled
                    } catch {
                        logger.debug("floor stream ended: \(error)")
                    }
                } onGracefulShutdown: {
                    // Ends the commit loop, which finishes the wakes.
                    feeders.cancel()
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }

    /// What the live stream sends: the drawing, when it was made, and each rack's mark (for
    /// scripts and tests; the page swaps in the drawing).
    struct LivePlan: Encodable {
        var svg: String
        var at: Int64
        var atText: String
        var racks: [LiveRack]
    }

    struct LiveRack: Encodable {
        var id: String
        @Nullable var value: Double?
        var state: String
        @Nullable var reason: String?
    }

    func roomOf(_ id: String) async throws -> (Floor, Room) {
        guard let ci = CIID(validating: id), let floor = try await sources.floors.floor(containing: ci), let room = floor.room(ci) else {
            throw PageError.notFound("room \(id)")
        }
        return (floor, room)
    }

    func planOptions(_ request: Request, _ page: PageView) throws -> (RackMetrics.Metric, Bool) {
        let q = request.uri.queryParameters
        let text = q.get("metric").map { String($0) } ?? "inlet"
        guard let metric = RackMetrics.Metric(rawValue: text) else {
            throw PageError(status: .badRequest, key: "error_bad_value", args: ["value": text])
        }
        let view = q.get("view").map { String($0) } ?? "racks"
        guard view == "racks" || view == "thermal" else { throw PageError(status: .badRequest, key: "error_bad_value", args: ["value": view]) }
        // The thermal view is in °C: its racks are coloured by inlet temperature on the same scale.
        return (view == "thermal" ? .inlet : metric, view == "thermal")
    }

    /// The drawing of a room now, its rack rows for the table beside it, and the live marks.
    func plan(floor: Floor, room: Room, metric: RackMetrics.Metric, thermal: Bool, page: PageView) async throws
        -> (svg: String, rows: [[String: Any]], marks: [LiveRack], probes: Int, at: Timestamp)
    {
        let now = Timestamp.now
        let latest = try await sources.samples.latest(ci: nil)
        let firing = try await sources.events.events(EventQuery(firingOnly: true, room: room.id, limit: 5000))
        let metrics = RackMetrics()
        let marks = metrics.marks(floor: floor, room: room.id, metric: metric, latest: latest, firing: firing, now: now)
        let probeValues = thermal ? metrics.probeValues(floor: floor, room: room.id, latest: latest, now: now) : [:]
        // Beyond three tiles (1.8 m) from every probe the view stays blank: no colour where
        // nothing is near enough to say.
        let field = thermal ? ThermalField(floor: floor, room: room.id, values: probeValues, reach: 3) : nil
        let metricLabel = t("metric_" + metric.rawValue, page)
        let p = FloorPlan(
            floor: floor, room: room, metric: metricLabel, unit: metric.unit,
            values: Dictionary(uniqueKeysWithValues: marks.compactMap { m in m.value.map { (m.rack, $0) } }), scale: metric.scale,
            states: Dictionary(uniqueKeysWithValues: marks.map { ($0.rack, $0.state) }), thermal: field)
        var options = SVGOptions.inline
        options.role = "group"
        let svg = FloorPlanRenderer.svg(p, labels: planLabels(page), options: options) { "/racks/\($0)" }
        let rows = marks.map { m -> [String: Any] in
            var row: [String: Any] = ["id": m.rack.rawValue, "state": m.state.rawValue, "state_text": t("rack_state_" + m.state.rawValue.replacingOccurrences(of: "-", with: "_"), page)]
            row["value"] = m.value.map { Self.number($0, decimals: 1) + (metric.unit.isEmpty ? "" : " " + metric.unit) } ?? t("no_data", page)
            if let r = m.reason { row["reason"] = r }
            return row
        }
        let live = marks.map { LiveRack(id: $0.rack.rawValue, value: $0.value, state: $0.state.rawValue, reason: $0.reason) }
        return (svg, rows, live, probeValues.count, now)
    }

    /// The floor plan's words in the reader's language.
    func planLabels(_ page: PageView) -> FloorPlanRenderer.Labels {
        var l = FloorPlanRenderer.Labels()
        l.title = t("plan_label_title", page)
        l.documentTitle = t("plan_label_document", page)
        l.legendHeading = t("plan_label_legend", page)
        l.noData = t("no_data", page)
        l.alarm = t("plan_label_alarm", page)
        l.coldAisle = t("plan_label_cold", page)
        l.hotAisle = t("plan_label_hot", page)
        l.contained = t("plan_label_contained", page)
        l.sensor = t("plan_label_sensor", page)
        l.rackFront = t("plan_label_front", page)
        l.rackTooltip = t("plan_label_rack_tooltip", page)
        l.thermalNote = t("plan_label_thermal_note", page)
        l.probeTooltip = t("plan_label_probe_tooltip", page)
        l.sensorKinds = Dictionary(uniqueKeysWithValues: SensorKind.allCases.map { ($0.rawValue, t("sensor_kind_" + $0.rawValue.replacingOccurrences(of: "-", with: "_"), page)) })
        return l
    }
}
