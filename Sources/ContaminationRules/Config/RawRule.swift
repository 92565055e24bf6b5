/// One rule as written. Which keys apply depends on `kind`; validation reports keys that do not.
public struct RawRule: Decodable, Sendable, Hashable {
    /// The rule's id, unique in the file; part of every dedup key.
    public var id: String?
    /// The rule kind (`threshold`, `rate`, `stale`, `frozen`, `quality`, `offline`, `state`,
    /// `envelope`, `capacity`, `allocation`, `corrosion`, `particles`, `obligation`).
    public var kind: String?
    /// What the rule binds to.
    public var select: RawSelector?
    /// Sustain time: the condition must hold this long before the event fires (`2m`).
    public var sustain: String?
    /// Flapping detection override for this rule.
    public var flapping: RawFlapping?
    /// Threshold direction: `rising` (default) or `falling`.
    public var direction: String?
    /// Warning level (threshold; capacity as a fraction of the budget).
    public var warning: Double?
    /// Critical level (threshold; capacity as a fraction of the budget).
    public var critical: Double?
    /// Clear level (hysteresis): a firing event resolves only past it.
    public var clear: Double?
    /// Rate window (`15m`).
    public var window: String?
    /// Rate limit in units per hour; absent = by room: `limit_tape` or `limit_no_tape`.
    public var limit: Double?
    /// Rate limit where tape drives are present (5 °C/h).
    public var limitTape: Double?
    /// Rate limit elsewhere (20 °C/h).
    public var limitNoTape: Double?
    /// Fewest readings in the window for a slope.
    public var minReadings: Int?
    /// Expected poll interval (stale).
    public var interval: String?
    /// Missed intervals before a point is stale.
    public var intervals: Int?
    /// Consecutive polls (frozen: same raw value; quality: bad readings).
    public var polls: Int?
    /// States that raise a warning (state).
    public var warningStates: [RawStateRef]?
    /// States that raise a critical event (state).
    public var criticalStates: [RawStateRef]?
    /// Envelope: the point-name pattern of the temperature point of each probe.
    public var temperature: String?
    /// Envelope: the point-name pattern of the humidity point of each probe.
    public var humidity: String?
    /// Envelope: readings older than this (`10m`) leave their probe out of the room's class.
    public var maxAge: String?
    /// Capacity scope: `rack` (sum of its power points against its budget) or `device` (rating).
    public var scope: String?
    /// Allocation: measured/allocated ratio above which a warning fires.
    public var over: Double?
    /// Allocation: measured/allocated ratio below which an info event (stranded capacity) fires.
    public var under: Double?
    /// Corrosion: point name of the copper cumulative thickness.
    public var copper: String?
    /// Corrosion: point name of the silver cumulative thickness.
    public var silver: String?
    /// Corrosion: shortest history for a rate (`1d`); shorter series are extrapolated from it.
    public var minSpan: String?
    /// Corrosion drop (Å) that counts as a sensor replacement.
    public var replacementDrop: Double?
    /// Target class: `G1` (corrosion) or `8` (particles); worse raises a warning.
    public var target: String?
    /// Class at or past which the event is critical (`GX`; particles: `9`).
    public var criticalClass: String?
    /// Particles: point name → particle size in µm.
    public var channels: [String: Double]?
    /// Particles: point name of the sample volume.
    public var volume: String?
    /// Particles, instead of `volume`: the counter's flow — a point name (L/min), or a number
    /// in L/min (the instrument's rated flow from its datasheet).
    public var flow: RawFlow?
    /// Particles, with `flow`: point name of the sample time (s).
    public var duration: String?
    /// Particles: `cumulative` (≥ size, default) or `differential`.
    public var counts: String?
    /// Obligations: which kinds (`particle_measurement`, `corrosion_measurement`, `cleaning`, `ci_audit`).
    public var obligations: [String]?
    /// Obligations: required interval (`1y`).
    public var every: String?
    /// Obligations: how long before due a due-soon event fires (`30d`).
    public var warnBefore: String?
    /// Clock: how far a device's clock may be from the agent's (`2m`).
    public var maxDrift: String?
    /// Any kind: the anomaly needs a change (issue 15, Lampiran II H.2 with E.1): the ITSM link
    /// drafts a request for change when it opens an incident for this rule.
    public var needsChange: RawChangeNeed?
    /// Keys present in the file that no rule kind knows (typos).
    public var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, kind, select, flapping, direction, warning, critical, clear, window, limit, interval, intervals, polls
        case temperature, humidity, scope, over, under, copper, silver, target, channels, volume, flow, duration, counts, obligations, every
        case sustain = "for"
        case limitTape = "limit_tape"
        case limitNoTape = "limit_no_tape"
        case minReadings = "min_readings"
        case warningStates = "warning_states"
        case criticalStates = "critical_states"
        case minSpan = "min_span"
        case replacementDrop = "replacement_drop"
        case criticalClass = "critical_class"
        case warnBefore = "warn_before"
        case maxAge = "max_age"
        case maxDrift = "max_drift"
        case needsChange = "needs_change"
    }

    /// Creates a rule in code (tests); only the id and kind are required.
    public init(id: String, kind: String, select: RawSelector? = nil) {
        self.id = id
        self.kind = kind
        self.select = select
    }

    public init(from decoder: any Decoder) throws {
        unknownKeys = try UnknownKeys.in(decoder, known: CodingKeys.allCases.map(\.stringValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        select = try c.decodeIfPresent(RawSelector.self, forKey: .select)
        needsChange = try c.decodeIfPresent(RawChangeNeed.self, forKey: .needsChange)
        sustain = try c.decodeIfPresent(String.self, forKey: .sustain)
        flapping = try c.decodeIfPresent(RawFlapping.self, forKey: .flapping)
        direction = try c.decodeIfPresent(String.self, forKey: .direction)
        warning = try c.decodeIfPresent(Double.self, forKey: .warning)
        critical = try c.decodeIfPresent(Double.self, forKey: .critical)
        clear = try c.decodeIfPresent(Double.self, forKey: .clear)
        window = try c.decodeIfPresent(String.self, forKey: .window)
        limit = try c.decodeIfPresent(Double.self, forKey: .limit)
        limitTape = try c.decodeIfPresent(Double.self, forKey: .limitTape)
        limitNoTape = try c.decodeIfPresent(Double.self, forKey: .limitNoTape)
        minReadings = try c.decodeIfPresent(Int.self, forKey: .minReadings)
        interval = try c.decodeIfPresent(String.self, forKey: .interval)
        intervals = try c.decodeIfPresent(Int.self, forKey: .intervals)
        polls = try c.decodeIfPresent(Int.self, forKey: .polls)
        warningStates = try c.decodeIfPresent([RawStateRef].self, forKey: .warningStates)
        criticalStates = try c.decodeIfPresent([RawStateRef].self, forKey: .criticalStates)
        temperature = try c.decodeIfPresent(String.self, forKey: .temperature)
        humidity = try c.decodeIfPresent(String.self, forKey: .humidity)
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        over = try c.decodeIfPresent(Double.self, forKey: .over)
        under = try c.decodeIfPresent(Double.self, forKey: .under)
        copper = try c.decodeIfPresent(String.self, forKey: .copper)
        silver = try c.decodeIfPresent(String.self, forKey: .silver)
        minSpan = try c.decodeIfPresent(String.self, forKey: .minSpan)
        replacementDrop = try c.decodeIfPresent(Double.self, forKey: .replacementDrop)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        criticalClass = try c.decodeIfPresent(String.self, forKey: .criticalClass)
        channels = try c.decodeIfPresent([String: Double].self, forKey: .channels)
        volume = try c.decodeIfPresent(String.self, forKey: .volume)
        flow = try c.decodeIfPresent(RawFlow.self, forKey: .flow)
        duration = try c.decodeIfPresent(String.self, forKey: .duration)
        counts = try c.decodeIfPresent(String.self, forKey: .counts)
        obligations = try c.decodeIfPresent([String].self, forKey: .obligations)
        every = try c.decodeIfPresent(String.self, forKey: .every)
        warnBefore = try c.decodeIfPresent(String.self, forKey: .warnBefore)
        maxAge = try c.decodeIfPresent(String.self, forKey: .maxAge)
        maxDrift = try c.decodeIfPresent(String.self, forKey: .maxDrift)
    }
}

/// A particle counter's flow as written: a point name (`flow.rate`) or a number of L/min (`28.3`).
public enum RawFlow: Decodable, Sendable, Hashable {
    /// A point of the counter giving its flow in L/min.
    case point(String)
    /// A fixed flow in L/min.
    case litresPerMinute(Double)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            self = .litresPerMinute(v)
        } else {
            self = .point(try c.decode(String.self))
        }
    }
}

/// `needs_change:` of a rule as written: what change the anomaly calls for.
///
/// ```yaml
/// needs_change:
///   summary: Improve filtration and clean the room (corrosion worse than G1)
///   checklist: cable-check      # optional: a checklist template run on the rack
/// ```
public struct RawChangeNeed: Decodable, Sendable, Hashable {
    /// One line: what to change.
    public var summary: String?
    /// A checklist template id (`config/checklists/`) started on the event's rack with the RFC.
    public var checklist: String?
    /// Keys no one knows (typos).
    public var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable { case summary, checklist }

    /// Creates one in code (tests).
    public init(summary: String?, checklist: String? = nil) {
        self.summary = summary
        self.checklist = checklist
    }

    public init(from decoder: any Decoder) throws {
        unknownKeys = try UnknownKeys.in(decoder, known: CodingKeys.allCases.map(\.stringValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        checklist = try c.decodeIfPresent(String.self, forKey: .checklist)
    }
}
