public import Telemetry

/// What the running site says, for the checklist items that read it (`sensor-readings`): the
/// latest reading of each point of the sensors concerned and the events firing now. The store
/// gathers it; the model only judges it (FloorModel does no IO).
public struct LiveSite: Hashable, Sendable {
    /// An event firing now, as far as a checklist needs it.
    public struct FiringEvent: Hashable, Sendable {
        /// The CI it concerns (sensor, device, rack or room).
        public var scope: CIID
        /// `warning` or `critical` (or `info`).
        public var severity: String
        /// The event's message.
        public var message: String
        /// Creates a firing event.
        public init(scope: CIID, severity: String, message: String) {
            self.scope = scope
            self.severity = severity
            self.message = message
        }
    }

    /// The latest reading of each point of the sensors concerned.
    public var latest: [Reading]
    /// Events firing now.
    public var firing: [FiringEvent]
    /// When it was gathered.
    public var now: Timestamp
    /// Readings older than this (seconds) do not count as "after power-on".
    public var maxAge: Double
    /// The latest `power_total` (W, DESIGN decision 18) of the rack and its PDUs, as the rules
    /// engine wrote it: the fit check's measured side.
    public var power: [Reading]

    /// Creates a snapshot.
    public init(latest: [Reading], firing: [FiringEvent], now: Timestamp, maxAge: Double = 900, power: [Reading] = []) {
        self.latest = latest
        self.firing = firing
        self.now = now
        self.maxAge = maxAge
        self.power = power
    }

    /// Watts measured on each CI whose `power_total` is usable and fresh (within ``maxAge``).
    public var measuredW: [CIID: Double] {
        var out: [CIID: Double] = [:]
        for r in power where r.isUsable && now.seconds(since: r.time) <= maxAge { out[r.point.ci] = r.value }
        return out
    }

    /// The rack whose sensors a target's readings come from: the rack itself, or the device's rack.
    public static func rack(of target: ChecklistTarget, floor: Floor) -> CIID? {
        target.kind == .rack ? target.id : floor.device(target.id)?.rack
    }

    /// The sensors mounted in a rack, by id.
    public static func sensors(inRack rack: CIID, floor: Floor) -> [CIID] {
        floor.sensors.compactMap { s in
            if case .rack(let r, _, _) = s.location, r == rack { return s.id }
            return nil
        }.sorted()
    }

    /// The `sensor-readings` verdict: pass when every sensor of the rack has a recent usable
    /// reading and no event fires on them, the rack or the target; fail naming the firing
    /// events; nil (a person answers) when a sensor has no recent reading or the rack has none.
    func sensorReadings(_ target: ChecklistTarget, floor: Floor) -> AutoResult {
        guard let rack = Self.rack(of: target, floor: floor) else { return AutoResult(nil, "\(target.id) has no rack: answer by hand") }
        let sensors = Self.sensors(inRack: rack, floor: floor)
        guard !sensors.isEmpty else { return AutoResult(nil, "no sensor is mounted in \(rack): answer by hand") }
        let concerned = Set(sensors + [rack, target.id])
        let firingHere = firing.filter { concerned.contains($0.scope) }
        if !firingHere.isEmpty {
            return AutoResult(.fail, "firing: " + firingHere.map { "\($0.severity) \($0.message)" }.joined(separator: "; "))
        }
        var seen: [String] = []
        for s in sensors {
            let recent = latest.filter { $0.point.ci == s && $0.isUsable && now.seconds(since: $0.time) <= maxAge }
            guard !recent.isEmpty else {
                return AutoResult(nil, "no usable reading from \(s) in the last \(Int(maxAge / 60)) minutes: answer by hand")
            }
            let values = recent.sorted { $0.point.name < $1.point.name }.prefix(3).map { "\($0.point.name) \(Self.show($0.value))" }
            seen.append("\(s): \(values.joined(separator: ", "))")
        }
        return AutoResult(.pass, "\(seen.joined(separator: "; ")); no event firing on \(rack) or its sensors")
    }

    static func show(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
