import Telemetry

/// Compiles the kind-specific part of one rule, collecting problems.
struct KindContext {
    let raw: RawRule
    let name: String
    let topology: RuleTopology
    let rooms: [CIID: RoomPolicy]
    let selection: Selection
    /// Points by device, sorted (built once per file).
    let pointsByDevice: [CIID: [PointID]]
    /// The power devices and racks (DESIGN decision 18).
    let power: PowerTree
    var problems: [RuleProblem] = []

    mutating func problem(_ key: String, _ message: String) {
        problems.append(RuleProblem(rule: name, key: key, message: message))
    }

    mutating func duration(_ text: String?, key: String, default value: Double) -> Double {
        RuleCompiler.duration(text, key: key, rule: name, problems: &problems) ?? value
    }

    mutating func positive(_ value: Int?, key: String, default d: Int) -> Int {
        guard let value else { return d }
        if value < 1 { problem(key, "must be at least 1, got \(value)") }
        return value
    }

    mutating func compile(_ kind: RuleKindName) -> CompiledRuleKind? {
        switch kind {
        case .threshold: threshold()
        case .rate: rate()
        case .stale:
            .stale(
                after: duration(raw.interval, key: "interval", default: 60) * Double(positive(raw.intervals, key: "intervals", default: 3)),
                points: selection.points)
        case .frozen: .frozen(polls: positive(raw.polls, key: "polls", default: 30), points: selection.points)
        case .quality: .quality(polls: positive(raw.polls, key: "polls", default: 3), points: selection.points)
        case .clock: clock()
        case .offline: .offline(devices: selection.devices)
        case .state: state()
        case .envelope: envelope()
        case .capacity: capacity()
        case .allocation: allocation()
        case .corrosion: corrosion()
        case .particles: particles()
        case .obligation: obligation()
        case .agent: nil
        }
    }

    /// The physical range of a quantity, for the "clear level can never be reached" check.
    static func physicalRange(_ q: Quantity) -> ClosedRange<Double>? {
        switch q {
        case .relativeHumidity: 0...100
        case .temperature, .dewPoint: -273.15...Double.greatestFiniteMagnitude
        case .activePower, .apparentPower, .current, .particleCount, .particleConcentration, .sampleVolume,
            .corrosionThickness, .corrosionRate, .energy, .frequency:
            0...Double.greatestFiniteMagnitude
        case .powerFactor: -1...1
        default: nil
        }
    }

    mutating func levels(rising: Bool, warning: Double?, critical: Double?, clear: Double?, range: ClosedRange<Double>?) -> ThresholdLevels?
    {
        guard warning != nil || critical != nil else {
            problem("warning", "a threshold needs a warning or a critical level")
            return nil
        }
        let word = rising ? "above" : "below"
        if let w = warning, let c = critical, rising ? w > c : w < c {
            problem("warning", "warning level \(w) is \(word) the critical level \(c) on a \(rising ? "rising" : "falling") threshold")
        }
        let first = warning ?? critical ?? 0
        let clearLevel = clear ?? first
        if rising ? clearLevel > first : clearLevel < first {
            problem("clear", "clear level \(clearLevel) can never be reached: it is \(word) the first firing level \(first)")
        }
        if let range, clear != nil, rising ? clearLevel < range.lowerBound : clearLevel > range.upperBound {
            problem("clear", "clear level \(clearLevel) can never be reached: values lie in \(range.lowerBound)…\(range.upperBound)")
        }
        return ThresholdLevels(rising: rising, warning: warning, critical: critical, clear: clearLevel)
    }

    mutating func threshold() -> CompiledRuleKind? {
        var rising = true
        if let d = raw.direction {
            switch d {
            case "rising": rising = true
            case "falling": rising = false
            default: problem("direction", "'\(d)' is not rising or falling")
            }
        }
        let quantities = Set(selection.points.compactMap { topology.points[$0]?.quantity })
        let ranges = quantities.compactMap(Self.physicalRange)
        let range =
            ranges.count == quantities.count && !ranges.isEmpty
            ? ranges.dropFirst().reduce(ranges[0]) { max($0.lowerBound, $1.lowerBound)...min($0.upperBound, $1.upperBound) } : nil
        guard let l = levels(rising: rising, warning: raw.warning, critical: raw.critical, clear: raw.clear, range: range) else {
            return nil
        }
        return .threshold(l, points: selection.points)
    }

    mutating func rate() -> CompiledRuleKind? {
        let window = duration(raw.window, key: "window", default: 900)
        if window <= 0 { problem("window", "must be longer than zero") }
        let tape = raw.limitTape ?? 5
        let noTape = raw.limitNoTape ?? 20
        for (key, v) in [("limit", raw.limit), ("limit_tape", tape), ("limit_no_tape", noTape)] where (v ?? 1) <= 0 {
            problem(key, "a rate limit must be above zero")
        }
        var limits: [PointID: Double] = [:]
        for p in selection.points {
            let room = topology.room(of: p.ci).flatMap { rooms[$0] } ?? .standard
            limits[p] = raw.limit ?? (room.tapeDrives ? tape : noTape)
        }
        let minReadings = positive(raw.minReadings, key: "min_readings", default: 3)
        if minReadings < 2 { problem("min_readings", "a slope needs at least 2 readings") }
        return .rate(window: window, limits: limits, minReadings: minReadings)
    }

    mutating func stateNumbers(_ refs: [RawStateRef]?, key: String, point: PointID) -> [Int] {
        guard let refs else { return [] }
        let names = topology.points[point]?.states ?? [:]
        return refs.enumerated().compactMap { i, ref in
            switch ref {
            case .number(let n): return n
            case .name(let s):
                if let n = names.first(where: { $0.value.lowercased() == s.lowercased() })?.key { return n }
                problem(
                    "\(key)[\(i)]",
                    "point \(point) has no state named '\(s)' (states: \(names.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))"
                )
                return nil
            }
        }
    }

    mutating func clock() -> CompiledRuleKind? {
        let drift = duration(raw.maxDrift, key: "max_drift", default: 120)
        if drift <= 0 { problem("max_drift", "must be longer than zero") }
        let points = selection.points.filter { topology.points[$0]?.quantity == .timestamp }
        for p in selection.points where topology.points[p]?.quantity != .timestamp && raw.select?.points?.contains(p.description) == true {
            problem("select", "point \(p) is not a device timestamp (quantity timestamp, Unix seconds)")
        }
        return .clock(maxDrift: drift, points: points)
    }

    mutating func state() -> CompiledRuleKind? {
        guard raw.warningStates != nil || raw.criticalStates != nil else {
            problem("critical_states", "a state rule needs warning_states or critical_states")
            return nil
        }
        var map: [PointID: [Int: Severity]] = [:]
        for p in selection.points {
            var s: [Int: Severity] = [:]
            for n in stateNumbers(raw.warningStates, key: "warning_states", point: p) { s[n] = .warning }
            for n in stateNumbers(raw.criticalStates, key: "critical_states", point: p) { s[n] = .critical }
            map[p] = s
        }
        return .state(severities: map)
    }

    mutating func envelope() -> CompiledRuleKind? {
        let tPattern = raw.temperature ?? "*"
        let hPattern = raw.humidity ?? "*"
        var probes: [CIID: [EnvelopeProbe]] = [:]
        for room in selection.rooms { probes[room] = [] }
        for device in selection.devices {
            let pts = (pointsByDevice[device] ?? []).compactMap { topology.points[$0] }
            guard let room = topology.devices[device]?.room, probes[room] != nil,
                let t = pts.first(where: { $0.quantity == .temperature && Glob.matches(tPattern, $0.id.name) }),
                let h = pts.first(where: { $0.quantity == .relativeHumidity && Glob.matches(hPattern, $0.id.name) })
            else { continue }
            probes[room, default: []].append(EnvelopeProbe(temperature: t.id, humidity: h.id))
        }
        let maxAge = duration(raw.maxAge, key: "max_age", default: 600)
        if maxAge <= 0 { problem("max_age", "must be longer than zero") }
        return .envelope(probes: probes, maxAge: maxAge)
    }

    /// A target made of some power devices (a device alone, or a rack's), nil when none has power points.
    func target(_ ci: CIID, devices: [CIID], watts: Double) -> PowerTarget? {
        let devices = devices.filter { power.devices[$0] != nil }.sorted()
        guard !devices.isEmpty else { return nil }
        return PowerTarget(ci: ci, devices: devices, points: power.points(of: devices), watts: watts)
    }

    /// The racks of the selected devices that hold power devices, sorted.
    var selectedRacks: [CIID] {
        Set(selection.devices.compactMap { topology.devices[$0]?.rack }).filter { power.racks[$0] != nil }.sorted()
    }

    mutating func capacity() -> CompiledRuleKind? {
        guard
            let l = levels(
                rising: true, warning: raw.warning ?? 0.8, critical: raw.critical ?? 1.0, clear: raw.clear,
                range: 0...Double.greatestFiniteMagnitude)
        else { return nil }
        let scope = raw.scope ?? "device"
        var targets: [PowerTarget] = []
        switch scope {
        case "device":
            for d in selection.devices {
                guard let rating = topology.devices[d]?.powerRatingWatts, rating > 0, let t = target(d, devices: [d], watts: rating) else { continue }
                targets.append(t)
            }
        case "rack":
            for rack in selectedRacks {
                guard let budget = topology.racks[rack]?.powerBudgetWatts, budget > 0,
                    let t = target(rack, devices: power.racks[rack] ?? [], watts: budget)
                else { continue }
                targets.append(t)
            }
        default:
            problem("scope", "'\(scope)' is not rack or device")
        }
        return .capacity(l, targets: targets)
    }

    mutating func allocation() -> CompiledRuleKind? {
        let over = raw.over ?? 1.0
        if over <= 0 { problem("over", "must be above zero") }
        if let u = raw.under, u <= 0 || u >= over { problem("under", "must lie between 0 and over (\(over))") }
        var targets: [PowerTarget] = []
        for rack in selectedRacks {
            guard let allocated = topology.racks[rack]?.allocatedWatts, allocated > 0,
                let t = target(rack, devices: power.racks[rack] ?? [], watts: allocated)
            else { continue }
            targets.append(t)
        }
        return .allocation(over: over, under: raw.under, targets: targets)
    }

    mutating func parsed<T>(_ text: String?, key: String, _ parse: (String) -> T?, expected: String) -> T? {
        RuleCompiler.parsed(text, parse, expected: expected, rule: name, key: key, problems: &problems)
    }

    mutating func corrosionLevel(_ text: String?, key: String, default d: CorrosionLevel) -> CorrosionLevel {
        parsed(text, key: key, CorrosionLevel.init(name:), expected: "G1, G2, G3 or GX") ?? d
    }

    mutating func corrosion() -> CompiledRuleKind? {
        let target = corrosionLevel(raw.target, key: "target", default: .g1)
        let critical = corrosionLevel(raw.criticalClass, key: "critical_class", default: .gx)
        if critical <= target { problem("critical_class", "\(critical) must be worse than the target \(target)") }
        let copper = raw.copper ?? "copper.thickness"
        let silver = raw.silver ?? "silver.thickness"
        var monitors: [CorrosionMonitor] = []
        for d in selection.devices {
            let cu = PointID(ci: d, name: copper).flatMap { topology.points[$0] != nil ? $0 : nil }
            let ag = PointID(ci: d, name: silver).flatMap { topology.points[$0] != nil ? $0 : nil }
            if cu != nil || ag != nil { monitors.append(CorrosionMonitor(ci: d, copper: cu, silver: ag)) }
        }
        let drop = raw.replacementDrop ?? 50
        if drop <= 0 { problem("replacement_drop", "must be above zero") }
        return .corrosion(
            target: target, critical: critical, minSpan: duration(raw.minSpan, key: "min_span", default: 86_400), replacementDrop: drop,
            monitors: monitors)
    }

    mutating func isoClass(_ text: String?, key: String) -> ISOClass? {
        parsed(text, key: key, ISOClass.init(parsing:), expected: "an ISO 14644-1 class (1–9 in steps of 0.1)")
    }

    mutating func particles() -> CompiledRuleKind? {
        let target = isoClass(raw.target, key: "target") ?? ISOClass(8)
        let critical = isoClass(raw.criticalClass, key: "critical_class")
        if let critical, critical <= target { problem("critical_class", "\(critical) must be worse than the target \(target)") }
        guard let channels = raw.channels, !channels.isEmpty else {
            problem("channels", "a particles rule needs channels (point name: size in µm)")
            return nil
        }
        for (pointName, size) in channels.sorted(by: { $0.key < $1.key })
        where !ParticleClassifier.sizes.contains(where: { ParticleClassifier.sameSize($0, size) }) {
            problem("channels.\(pointName)", "\(size) µm is not a size of ISO 14644-1 (0.1, 0.2, 0.3, 0.5, 1, 5)")
        }
        var differential = false
        switch raw.counts ?? "cumulative" {
        case "cumulative": differential = false
        case "differential": differential = true
        case let other: problem("counts", "'\(other)' is not cumulative or differential")
        }
        if raw.volume != nil, raw.flow != nil { problem("flow", "give volume (a sample-volume point) or flow with duration, not both") }
        if raw.flow != nil, raw.duration == nil { problem("duration", "flow needs duration: the point giving each sample's time in seconds") }
        if raw.flow == nil, raw.duration != nil { problem("duration", "duration is used with flow only") }
        if case .litresPerMinute(let v)? = raw.flow, !(v > 0 && v.isFinite) { problem("flow", "a flow must be above zero L/min, got \(v)") }
        var counters: [ParticleCounter] = []
        for d in selection.devices {
            var ch: [PointID: Double] = [:]
            for (n, size) in channels { if let p = PointID(ci: d, name: n), topology.points[p] != nil { ch[p] = size } }
            guard !ch.isEmpty, let volume = sampleVolume(of: d) else { continue }
            counters.append(ParticleCounter(ci: d, channels: ch, volume: volume))
        }
        return .particles(target: target, critical: critical, differential: differential, counters: counters)
    }

    /// A counter's sample-volume source, reporting what it lacks.
    mutating func sampleVolume(of d: CIID) -> SampleVolumeSource? {
        func point(_ name: String, key: String, units: [Unit], what: String) -> (PointID, Unit)? {
            guard let p = PointID(ci: d, name: name), let desc = topology.points[p] else {
                problem(key, "particle counter \(d) has no point '\(name)'")
                return nil
            }
            guard units.contains(desc.unit) else {
                problem(key, "point \(p) is in '\(desc.unit.rawValue)'; \(what) must be in \(units.map(\.rawValue).joined(separator: " or "))")
                return nil
            }
            return (p, desc.unit)
        }
        guard let flow = raw.flow else {
            guard let (p, u) = point(raw.volume ?? "sample_volume", key: "volume", units: [.litre, .cubicMetre], what: "a sample volume")
            else { return nil }
            return .point(p, u)
        }
        guard let durationName = raw.duration,
            let (duration, _) = point(durationName, key: "duration", units: [.second], what: "a sample time")
        else { return nil }
        switch flow {
        case .litresPerMinute(let v):
            return .flow(point: nil, litresPerMinute: v, duration: duration)
        case .point(let name):
            guard let (p, _) = point(name, key: "flow", units: [.litrePerMinute], what: "a flow") else { return nil }
            return .flow(point: p, litresPerMinute: nil, duration: duration)
        }
    }

    mutating func obligation() -> CompiledRuleKind? {
        var kinds: [ObligationKind] = []
        for (i, text) in (raw.obligations ?? ObligationKind.allCases.map(\.rawValue)).enumerated() {
            if let k = ObligationKind(rawValue: text) {
                kinds.append(k)
            } else {
                problem(
                    "obligations[\(i)]",
                    "unknown obligation '\(text)' (known: \(ObligationKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let every = duration(raw.every, key: "every", default: 365 * 86_400)
        let warn = duration(raw.warnBefore, key: "warn_before", default: 30 * 86_400)
        if warn >= every { problem("warn_before", "must be shorter than every") }
        let schedule = ObligationSchedule(every: RuleDuration(seconds: every), warnBefore: RuleDuration(seconds: warn))
        return .obligation(schedule, kinds: kinds, rooms: selection.rooms)
    }
}
