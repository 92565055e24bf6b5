import AgentStore
import ContaminationRules
import FloorModel
import Foundation
import Hummingbird
import Telemetry

/// `GET /sensors/{ci}?point=NAME&range=hour|day|week|month|year`: one point of a sensor over a
/// range — raw readings for an hour or a day, hourly rollups (min–max band and mean) beyond —
/// with the threshold rules' limits drawn and gaps shown as gaps; its other points beside.
extension Pages {
    enum ChartRange: String, CaseIterable {
        case hour, day, week, month, year
        var seconds: Double {
            switch self {
            case .hour: 3600
            case .day: 86_400
            case .week: 7 * 86_400
            case .month: 30 * 86_400
            case .year: 365 * 86_400
            }
        }
        /// Raw readings up to a day; hourly rollups beyond (DESIGN decision 8).
        var raw: Bool { self == .hour || self == .day }
    }

    /// The most raw readings a chart reads (a day at a 5 s interval is 17 280).
    static let rawLimit = 20_000

    func registerSensors(on router: Router<WebContext>) {
        router.get("/sensors/:ci") { request, context -> Response in
            let text = context.parameters.get("ci") ?? ""
            guard let ci = CIID(validating: text), let floor = try await sources.floors.floor(containing: ci) else { throw PageError.notFound("sensor \(text)") }
            let page = try await view(request, context, section: "overview", site: floor.site.id.rawValue)
            let points = try await sources.samples.descriptors().filter { $0.id.ci == ci }.sorted { $0.id.name < $1.id.name }
            guard !points.isEmpty || floor.sensors.contains(where: { $0.id == ci }) || floor.pdus.contains(where: { $0.id == ci }) else {
                throw PageError.notFound("sensor \(text)")
            }
            let q = request.uri.queryParameters
            let rangeText = q.get("range").map { String($0) } ?? "day"
            guard let range = ChartRange(rawValue: rangeText) else { throw PageError(status: .badRequest, key: "error_bad_value", args: ["value": rangeText]) }
            let pointName = q.get("point").map { String($0) } ?? points.first(where: { $0.quantity == .temperature })?.id.name ?? points.first?.id.name ?? ""
            guard let descriptor = points.first(where: { $0.id.name == pointName }) ?? (points.isEmpty ? nil : nil) else {
                if points.isEmpty { return render("sensor", page, request, title: text, ["ci": text, "no_points": true]) }
                throw PageError.notFound("point \(text)/\(pointName)")
            }
            let now = Timestamp.now
            let to = now
            let from = now.adding(seconds: -range.seconds)
            let chart = try await chartSVG(descriptor, from: from, to: to, range: range, page: page)
            let latest = try await sources.samples.latest(ci: ci)
            var data: [String: Any] = [
                "ci": ci.rawValue, "point": descriptor.id.name, "unit": descriptor.unit.rawValue, "chart": chart.svg,
                "source_text": t(range.raw ? "chart_raw" : "chart_rollups", page, ["count": "\(chart.count)"]),
                "ranges": ChartRange.allCases.map { r in
                    ["href": "/sensors/\(ci)?point=\(Self.query(descriptor.id.name))&range=\(r.rawValue)", "label": t("range_" + r.rawValue, page), "current": r == range]
                        as [String: Any]
                },
                "points": points.map { d -> [String: Any] in
                    let r = latest.first { $0.point == d.id }
                    return [
                        "name": d.id.name, "href": "/sensors/\(ci)?point=\(Self.query(d.id.name))&range=\(range.rawValue)", "current": d.id == descriptor.id,
                        "value": r.map { $0.isUsable ? Self.number($0.value) + " " + d.unit.rawValue : $0.quality.description } ?? "—",
                        "time": r.map { page.time($0.time) } ?? "",
                    ]
                },
                "limits": sources.limits(descriptor.id).map { ["rule": $0.rule, "severity": t("severity_" + $0.severity.rawValue, page), "value": Self.number($0.value) + " " + descriptor.unit.rawValue] },
            ]
            if let s = floor.sensors.first(where: { $0.id == ci }) {
                data["kind"] = t("sensor_kind_" + s.kind.rawValue.replacingOccurrences(of: "-", with: "_"), page)
                if let rack = s.rack { data["rack"] = rack.rawValue }
            }
            if let pdu = floor.pdus.first(where: { $0.id == ci }) { data["rack"] = pdu.rack.rawValue }
            return render("sensor", page, request, title: "\(ci) · \(descriptor.id.name)", data)
        }
    }

    /// The chart of a point over a range, and how many readings or hours it drew.
    func chartSVG(_ d: PointDescriptor, from: Timestamp, to: Timestamp, range: ChartRange, page: PageView) async throws -> (svg: String, count: Int) {
        let tz = TimeZone(identifier: page.timeZone) ?? TimeZone(identifier: "UTC")!
        let offset = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(to.milliseconds) / 1000))) * 1000
        let limits = sources.limits(d.id).map {
            TimeChart.Threshold(value: $0.value, label: t("severity_" + $0.severity.rawValue, page) + " " + Self.number($0.value) + " " + d.unit.rawValue,
                severity: $0.severity == .critical ? .critical : .warning)
        }
        var chart: TimeChart
        var count = 0
        if range.raw {
            let readings = try await sources.samples.samples(d.id, from: from, to: to, limit: Self.rawLimit)
            count = readings.count
            let points = readings.map { TimeChart.Point(t: $0.time.milliseconds, value: $0.isUsable ? $0.value : nil) }
            chart = TimeChart(
                points: points, from: from.milliseconds, to: to.milliseconds, thresholds: limits, unit: d.unit.rawValue,
                gapAfterMs: Self.gapAfter(points.map(\.t)), title: "\(d.id)", utcOffsetMs: offset)
        } else {
            let hours = try await sources.samples.rollups(d.id, from: from, to: to)
            count = hours.count
            let buckets = hours.filter { $0.count > 0 }.map {
                TimeChart.Bucket(t: $0.hour.milliseconds, min: $0.min, max: $0.max, mean: $0.sum / Double($0.count))
            }
            chart = TimeChart(
                buckets: buckets, from: from.milliseconds, to: to.milliseconds, thresholds: limits, unit: d.unit.rawValue,
                gapAfterMs: 3_600_000, title: "\(d.id)", utcOffsetMs: offset)
        }
        var labels = TimeChart.Labels()
        labels.noReadings = t("chart_no_readings", page)
        labels.readings = t("chart_readings", page)
        labels.band = t("chart_band", page)
        labels.mean = t("chart_mean", page)
        var options = SVGOptions.inline
        options.cssClass = "chart-svg"
        let svg = chart.svg(labels: labels, options: options) { t, step in
            page.shortTime(Timestamp(milliseconds: t), withDate: step >= 86_400_000 || range != .hour && range != .day)
        }
        return (svg, count)
    }

    /// A gap is a pause longer than three times the usual interval between readings (the median),
    /// and at least 30 s: a missed poll or two is not a gap, a sensor that stopped is.
    static func gapAfter(_ times: [Int64]) -> Int64 {
        guard times.count > 2 else { return 3_600_000 }
        var steps = zip(times.dropFirst(), times).map { $0 - $1 }.filter { $0 > 0 }
        guard !steps.isEmpty else { return 3_600_000 }
        steps.sort()
        return max(30_000, steps[steps.count / 2] * 3)
    }

    /// A 24-hour sparkline of a point from its hourly rollups (mean per hour; an hour without
    /// readings is a gap).
    func sparkline(_ point: PointID, now: Timestamp, page: PageView) async throws -> String {
        let from = now.adding(seconds: -86_400)
        let hours = try await sources.samples.rollups(point, from: from, to: now)
        let points = hours.filter { $0.count > 0 }.map { TimeChart.Point(t: $0.hour.milliseconds + 1_800_000, value: $0.sum / Double($0.count)) }
        let s = Sparkline(points: points, from: from.milliseconds, to: now.milliseconds, gapAfterMs: 2 * 3_600_000, label: t("sparkline_label", page, ["point": point.description]))
        return s.svg(options: .inline)
    }
}
