public import Telemetry

/// Flapping detection: `transitions` fire/resolve transitions within `window` make one flapping event.
public struct FlappingPolicy: Hashable, Sendable, Codable {
    /// Transitions that make a condition flap.
    public var transitions: Int
    /// Window the transitions are counted in, seconds.
    public var window: Double
    /// Defaults: 6 transitions in 30 minutes (configurable in the rule file's `flapping:`).
    public static let standard = FlappingPolicy(transitions: 6, window: 1800)
}

/// A room's compiled policy.
public struct RoomPolicy: Hashable, Sendable, Codable {
    /// Worst ASHRAE class allowed without an event.
    public var ashraeClass: ASHRAEClass
    /// Tape drives present: rate limit 5 °C/h.
    public var tapeDrives: Bool
    /// High pollutants: recommended RH ceiling 50 %.
    public var highPollutants: Bool
    /// Sensitive area (escort needed for third-party cleaning).
    public var sensitive: Bool
    /// Defaults: A1, no tape, normal pollutants, sensitive.
    public static let standard = RoomPolicy(ashraeClass: .a1, tapeDrives: false, highPollutants: false, sensitive: true)
}

/// Threshold levels; for a falling threshold the comparisons are mirrored.
public struct ThresholdLevels: Hashable, Sendable, Codable {
    /// True when high values are bad.
    public var rising: Bool
    /// Warning level, if any.
    public var warning: Double?
    /// Critical level, if any.
    public var critical: Double?
    /// Clear level: a firing condition resolves only at or past it (hysteresis).
    public var clear: Double

    /// The verdict for a value, given the severity currently firing (for hysteresis).
    func verdict(_ v: Double, active: Severity?) -> Verdict {
        func past(_ level: Double?) -> Bool { level.map { rising ? v >= $0 : v <= $0 } ?? false }
        if past(critical) { return .breach(.critical) }
        if past(warning) { return .breach(.warning) }
        if let active {
            let cleared = rising ? v <= clear : v >= clear
            // In the band between clear and the first level the event holds, at most at warning.
            return cleared ? .normal : .hold(warning != nil ? min(active, .warning) : active)
        }
        return .normal
    }
}

/// A temperature/humidity probe bound to a room for the envelope rule.
public struct EnvelopeProbe: Hashable, Sendable, Codable {
    /// The probe's temperature point.
    public var temperature: PointID
    /// The probe's relative-humidity point.
    public var humidity: PointID
}

/// What is compared against a budget by a capacity or allocation rule: a device's total, or a
/// rack's (the sum of its power devices' totals), each counted once (DESIGN decision 18).
public struct PowerTarget: Hashable, Sendable, Codable {
    /// The rack or device.
    public var ci: CIID
    /// The devices whose totals make its power (the device itself, or the rack's power devices).
    public var devices: [CIID]
    /// Every power point of those devices (W or kW): a batch touching one re-evaluates the target.
    public var points: [PointID]
    /// The budget or rating (capacity) or the allocated power (allocation), watts.
    public var watts: Double
}

/// The power devices of the floor and the racks they stand in (DESIGN decision 18): the engine
/// writes `CI/power_total` for each device and `RACK/power_total` for each rack from them.
public struct PowerTree: Hashable, Sendable, Codable {
    /// Each device with active-power points (W or kW), with those points, sorted.
    public var devices: [CIID: [PointID]]
    /// Each rack holding power devices, with those devices, sorted.
    public var racks: [CIID: [CIID]]
    /// PDUs of those racks that report no power (not polled): a rack's total without them is
    /// only a lower bound — enough to raise an event, never to clear one.
    public var unmetered: [CIID: [CIID]]
    /// A power point whose latest usable reading is older than this (seconds) leaves its
    /// device's total, and its rack's, unknown.
    public var maxAge: Double

    /// The derived point every power device and rack gets: `CI/power_total`, in watts.
    public static let totalPointName = "power_total"

    /// The default freshness: ten minutes, as the envelope's probes.
    public static let defaultMaxAge: Double = 600

    /// The tree of a topology: every device with measured (not derived) power points.
    public init(topology: RuleTopology, maxAge: Double = PowerTree.defaultMaxAge) {
        var devices: [CIID: [PointID]] = [:]
        for d in topology.points.values
        where d.quantity == .activePower && !d.derived && DevicePower.wattsPerUnit(d.unit) != nil && topology.devices[d.id.ci] != nil {
            devices[d.id.ci, default: []].append(d.id)
        }
        var racks: [CIID: [CIID]] = [:]
        for ci in devices.keys {
            devices[ci]?.sort(by: PointID.byParts)
            if let rack = topology.devices[ci]?.rack { racks[rack, default: []].append(ci) }
        }
        for r in racks.keys { racks[r]?.sort() }
        // PDUs and feeds (a rating on the floor) in a metered rack that report no power: the
        // rack's sum leaves them out, so it is a lower bound.
        var unmetered: [CIID: [CIID]] = [:]
        for d in topology.devices.values where d.powerRatingWatts != nil && devices[d.id] == nil {
            if let rack = d.rack, racks[rack] != nil { unmetered[rack, default: []].append(d.id) }
        }
        for r in unmetered.keys { unmetered[r]?.sort() }
        self.devices = devices
        self.racks = racks
        self.unmetered = unmetered
        self.maxAge = maxAge
    }

    /// The points of some devices, sorted.
    public func points(of devices: [CIID]) -> [PointID] { devices.flatMap { self.devices[$0] ?? [] } }
}

/// A corrosion monitor's two metal points.
public struct CorrosionMonitor: Hashable, Sendable, Codable {
    /// The monitor CI.
    public var ci: CIID
    /// Cumulative copper thickness point, Å.
    public var copper: PointID?
    /// Cumulative silver thickness point, Å.
    public var silver: PointID?
}

/// Where a particle counter's sample volume comes from.
public enum SampleVolumeSource: Hashable, Sendable, Codable {
    /// A point giving the sampled volume, in L or m³.
    case point(PointID, Unit)
    /// Flow × sample time: the flow from a point (L/min) or a fixed rate (L/min), the time from
    /// a point (s). Lighthouse REMOTE counters report the sample time, not the volume.
    case flow(point: PointID?, litresPerMinute: Double?, duration: PointID)

    /// The points it reads.
    var points: [PointID] {
        switch self {
        case .point(let p, _): [p]
        case .flow(let f, _, let d): [f, d].compactMap { $0 }
        }
    }
}

/// A particle counter's channels.
public struct ParticleCounter: Hashable, Sendable, Codable {
    /// The counter CI.
    public var ci: CIID
    /// Count point → particle size (µm).
    public var channels: [PointID: Double]
    /// Where its sample volume comes from.
    public var volume: SampleVolumeSource
}

/// A compiled rule kind with its parameters and bindings.
public enum CompiledRuleKind: Hashable, Sendable {
    /// Threshold on each point.
    case threshold(ThresholdLevels, points: [PointID])
    /// Rate of change (slope over `window`) against a per-room limit per hour.
    case rate(window: Double, limits: [PointID: Double], minReadings: Int)
    /// No usable reading for `intervals × interval` seconds.
    case stale(after: Double, points: [PointID])
    /// The same raw value for `polls` consecutive readings.
    case frozen(polls: Int, points: [PointID])
    /// Bad-quality readings for `polls` consecutive readings.
    case quality(polls: Int, points: [PointID])
    /// A device's clock, read from the time it stamps a new record with (a `timestamp` point,
    /// Unix s), further than `maxDrift` seconds from the agent's.
    case clock(maxDrift: Double, points: [PointID])
    /// A device offline (from the drivers' health).
    case offline(devices: [CIID])
    /// A discrete point in a listed state.
    case state(severities: [PointID: [Int: Severity]])
    /// ASHRAE envelope per room; a probe whose readings are older than `maxAge` s is left out.
    case envelope(probes: [CIID: [EnvelopeProbe]], maxAge: Double)
    /// Measured power against budget/rating: fractions warning, critical, clear.
    case capacity(ThresholdLevels, targets: [PowerTarget])
    /// Measured against allocated power.
    case allocation(over: Double, under: Double?, targets: [PowerTarget])
    /// Corrosion rate and ISA-71.04 level.
    case corrosion(target: CorrosionLevel, critical: CorrosionLevel, minSpan: Double, replacementDrop: Double, monitors: [CorrosionMonitor])
    /// Particle concentrations and ISO class.
    case particles(target: ISOClass, critical: ISOClass?, differential: Bool, counters: [ParticleCounter])
    /// Yearly obligations per room.
    case obligation(ObligationSchedule, kinds: [ObligationKind], rooms: [CIID])

    /// The kind's name.
    public var name: RuleKindName {
        switch self {
        case .threshold: .threshold
        case .rate: .rate
        case .stale: .stale
        case .frozen: .frozen
        case .clock: .clock
        case .quality: .quality
        case .offline: .offline
        case .state: .state
        case .envelope: .envelope
        case .capacity: .capacity
        case .allocation: .allocation
        case .corrosion: .corrosion
        case .particles: .particles
        case .obligation: .obligation
        }
    }

    /// Every point whose readings the rule reads.
    public var inputPoints: [PointID] {
        switch self {
        case .threshold(_, let p), .stale(_, let p), .frozen(_, let p), .quality(_, let p), .clock(_, let p): p
        case .rate(_, let limits, _): limits.keys.sorted(by: PointID.byParts)
        case .state(let s): s.keys.sorted(by: PointID.byParts)
        case .envelope(let probes, _): probes.values.flatMap { $0.flatMap { [$0.temperature, $0.humidity] } }
        case .capacity(_, let t), .allocation(_, _, let t): t.flatMap(\.points)
        case .corrosion(_, _, _, _, let m): m.flatMap { [$0.copper, $0.silver].compactMap { $0 } }
        case .particles(_, _, _, let c): c.flatMap { Array($0.channels.keys) + $0.volume.points }
        case .offline, .obligation: []
        }
    }
}

/// One validated rule, immutable.
public struct CompiledRule: Hashable, Sendable {
    /// The rule's id.
    public var id: String
    /// Kind, parameters and bindings.
    public var kind: CompiledRuleKind
    /// Sustain time, seconds (0 fires at once).
    public var sustain: Double
    /// Flapping detection.
    public var flapping: FlappingPolicy
    /// The change its anomaly needs, when the rule declares one (`needs_change:`).
    public var needsChange: ChangeNeed? = nil
}

/// What change a rule's anomaly calls for (`needs_change:`; issue 15): the ITSM link drafts a
/// request for change with this summary, and starts `checklist` on the event's rack.
public struct ChangeNeed: Hashable, Sendable, Codable {
    /// One line: what to change (`Improve filtration and clean the room`).
    public var summary: String
    /// A checklist template id run on the rack with the RFC, when the change touches the floor.
    public var checklist: String?

    /// Creates one from its parts.
    public init(summary: String, checklist: String? = nil) {
        self.summary = summary
        self.checklist = checklist
    }
}

/// Verdict of one evaluation of one condition.
enum Verdict: Hashable, Sendable, Codable {
    /// The condition is normal: clear.
    case normal
    /// The condition breaches at a severity.
    case breach(Severity)
    /// Inside the hysteresis band: keep firing, at this severity.
    case hold(Severity)
}

/// The validated rule set: rules, room policies, and the topology they were bound with.
public struct CompiledRuleSet: Hashable, Sendable {
    /// Rules in file order.
    public var rules: [CompiledRule]
    /// Room policies by room id (every topology room).
    public var rooms: [CIID: RoomPolicy]
    /// The topology the rules were bound to.
    public var topology: RuleTopology
    /// The ASHRAE figures in force.
    public var guidelines: ThermalGuidelines
    /// The power devices and racks whose totals the engine writes and capacity rules read.
    public var power: PowerTree

    /// A one-line summary for the start-up log: `12 rules (3 threshold, …) on 40 points`.
    public var summary: String {
        var byKind: [RuleKindName: Int] = [:]
        for r in rules { byKind[r.kind.name, default: 0] += 1 }
        let kinds = RuleKindName.allCases.compactMap { k in byKind[k].map { "\($0) \(k.rawValue)" } }.joined(separator: ", ")
        let points = Set(rules.flatMap(\.kind.inputPoints)).count
        return "\(rules.count) rules (\(kinds)) reading \(points) points in \(rooms.count) rooms"
    }
}
