public import AgentStore
import ContaminationRules
public import FloorModel
public import Telemetry

/// What a rack shows on the floor plan, by one metric (issue 14): the value, whether it can be
/// trusted, and the words for it. Pure: the floor, the latest readings and the firing events in,
/// the marks out — the page, its live stream and `dcagent floor render` draw from the same
/// numbers.
public struct RackMetrics: Sendable {
    /// The metrics a plan can be coloured by.
    public enum Metric: String, CaseIterable, Sendable {
        /// The highest inlet temperature among the rack's front (inlet) probes, °C.
        case inlet
        /// The rack's measured `power_total` (DESIGN decision 18) against its power budget, %.
        case power
        /// Rack units taken, % of the rack's height.
        case space
        /// The worst firing event on the rack or what it holds: 0 none, 1 warning, 2 critical.
        case alarm

        public var unit: String {
            switch self {
            case .inlet: "°C"
            case .power, .space: "%"
            case .alarm: ""
            }
        }

        /// The colour scale: ASHRAE's recommended inlet range 18–27 °C (STANDARDS.md) for
        /// temperature, 0–100 % for the budgets, none–critical for alarms.
        public var scale: ColorScale {
            switch self {
            case .inlet: ColorScale(min: 18, max: 27)
            case .power, .space: ColorScale(min: 0, max: 100, low: RGB(hex: 0x2e7d32), middle: RGB(hex: 0xffd54f), high: RGB(hex: 0xc62828))
            case .alarm: ColorScale(min: 0, max: 2, low: RGB(hex: 0x66bb6a), middle: RGB(hex: 0xffa726), high: RGB(hex: 0xe53935))
            }
        }
    }

    /// One rack's mark.
    public struct Mark: Sendable, Equatable {
        public var rack: CIID
        public var value: Double?
        public var state: RackState
        /// Why it is `no-data`, when it is (`no fresh reading`, the points of a `data_missing`
        /// event, a stale or offline sensor).
        public var reason: String?
    }

    /// How old (seconds) a reading may be and still be shown as a current value, on every page.
    public static let freshFor = 300.0

    /// A reading older than this (seconds) is not a current value.
    public var maxAge: Double = RackMetrics.freshFor

    public init(maxAge: Double = RackMetrics.freshFor) { self.maxAge = maxAge }

    /// The marks of every rack of `room`.
    public func marks(
        floor: Floor, room: CIID, metric: Metric, latest: [Reading], firing: [StoredEvent], now: Timestamp
    ) -> [Mark] {
        var byCI: [CIID: [Reading]] = [:]
        for r in latest { byCI[r.point.ci, default: []].append(r) }
        let fresh = { (r: Reading) in r.isUsable && now.seconds(since: r.time) <= maxAge }
        return floor.racks.filter { $0.room == room }.sorted { $0.id < $1.id }.map { rack in
            let inRack = Set(floor.sensors.filter { $0.rack == rack.id }.map(\.id) + floor.pdus.filter { $0.rack == rack.id }.map(\.id)
                + floor.devices(in: rack.id).map(\.id) + [rack.id])
            // The rack's own events (on it or on what it holds); the room's events count only
            // when they lost their evidence: a room without data is drawn "no data" everywhere,
            // but a room-wide obligation or envelope event is not an alarm of every rack.
            let events = firing.filter { e in
                e.event.state == .firing && e.event.kind != .obligation && (e.event.rack == rack.id || inRack.contains(e.event.scope))
            }
            let roomLost = firing.filter { e in
                e.event.state == .firing && e.event.dataMissing != nil && e.event.rack == nil && (e.event.scope == room || e.event.room == room)
            }
            // No data: a firing event lost its evidence, or a sensor of the rack is stale or offline.
            var reason: String?
            if let lost = events.first(where: { $0.event.dataMissing != nil }) ?? roomLost.first {
                reason = "data missing: " + (lost.event.dataMissing ?? []).joined(separator: ", ")
            } else if let stale = events.first(where: { [.stale, .offline, .quality].contains($0.event.kind) && $0.event.rack == rack.id }) {
                reason = stale.event.message
            }
            var value: Double?
            switch metric {
            case .inlet:
                let probes = floor.sensors.filter { s in
                    guard s.kind == .temperatureHumidity, case .rack(let r, _, let face) = s.location, r == rack.id else { return false }
                    return face == .front
                }
                let readings = probes.flatMap { byCI[$0.id] ?? [] }.filter { $0.point.name == "temperature" }
                let usable = readings.filter(fresh)
                if !probes.isEmpty && usable.count < probes.count && reason == nil { reason = "no fresh reading from " + probes.map(\.id.rawValue).joined(separator: ", ") }
                value = usable.map(\.value).max()
            case .power:
                let total = (byCI[rack.id] ?? []).first { $0.point.name == "power_total" }
                if let total, fresh(total), let budget = rack.powerBudgetKW, budget > 0 {
                    value = total.value / (budget * 1000) * 100
                } else if rack.powerBudgetKW != nil, reason == nil {
                    reason = total == nil ? "no power_total reading" : "no fresh power_total reading"
                }
            case .space:
                let e = RackElevation(floor: floor, rack: rack)
                value = rack.heightU > 0 ? Double(e.usedHalves) / Double(rack.heightU * 2) * 100 : nil
                reason = nil  // the floor model, not a sensor: never "no data"
            case .alarm:
                value = Double(events.map { $0.event.severity == .critical ? 2 : $0.event.severity == .warning ? 1 : 0 }.max() ?? 0)
            }
            let alarmed = events.contains { $0.event.severity >= .warning }
            let state: RackState = reason != nil ? .noData : value == nil ? .noData : alarmed ? .alarm : .ok
            return Mark(rack: rack.id, value: value, state: state, reason: state == .noData ? (reason ?? "no value") : nil)
        }
    }

    /// The inlet probes' values of a room for the thermal view: each th-probe's latest fresh
    /// temperature (in a rack or on a tile). A probe without a fresh reading is left out, so
    /// the view never interpolates from a value that is no longer measured.
    public func probeValues(floor: Floor, room: CIID, latest: [Reading], now: Timestamp) -> [CIID: Double] {
        let racks = Set(floor.racks.filter { $0.room == room }.map(\.id))
        var out: [CIID: Double] = [:]
        for s in floor.sensors where s.kind == .temperatureHumidity {
            switch s.location {
            case .rack(let r, _, let face) where racks.contains(r) && face == .front: break
            case .tile(let r, _) where r == room: break
            default: continue
            }
            if let r = latest.first(where: { $0.point.ci == s.id && $0.point.name == "temperature" }), r.isUsable, now.seconds(since: r.time) <= maxAge {
                out[s.id] = r.value
            }
        }
        return out
    }
}
