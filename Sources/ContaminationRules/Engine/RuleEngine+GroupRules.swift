import Telemetry

extension RuleEngine {
    /// Evaluates a room, rack or device rule once for a batch that touched its inputs.
    mutating func evaluateGroupRule(_ i: Int, batch: [PointID: [Reading]], now: Timestamp, into out: inout RuleOutput) {
        switch rules.rules[i].kind {
        case .envelope(let probes, let maxAge):
            for (room, list) in probes.sorted(by: { $0.key < $1.key })
            where list.contains(where: { batch[$0.temperature] != nil || batch[$0.humidity] != nil }) {
                evaluateEnvelope(i, room: room, probes: list, maxAge: maxAge, batch: batch, now: now, into: &out)
            }
        case .capacity(let levels, let targets):
            for t in targets where t.points.contains(where: { batch[$0] != nil }) {
                evaluateCapacity(i, levels: levels, target: t, now: now, into: &out)
            }
        case .allocation(let over, let under, let targets):
            for t in targets where t.points.contains(where: { batch[$0] != nil }) {
                evaluateAllocation(i, over: over, under: under, target: t, now: now, into: &out)
            }
        case .corrosion(let target, let critical, let minSpan, let drop, let monitors):
            for m in monitors where [m.copper, m.silver].contains(where: { $0.map { batch[$0] != nil } ?? false }) {
                evaluateCorrosion(
                    i, target: target, critical: critical, minSpan: minSpan, drop: drop, monitor: m, batch: batch, now: now, into: &out)
            }
        case .particles(let target, let critical, let differential, let counters):
            for c in counters where c.channels.keys.contains(where: { batch[$0] != nil }) {
                evaluateParticles(
                    i, target: target, critical: critical, differential: differential, counter: c, batch: batch, now: now, into: &out)
            }
        default:
            break
        }
    }

    /// ASHRAE envelope of a room: the worst probe's class, written as `ROOM/ashrae_class`
    /// (0 recommended, 1–4 A1–A4, 5 outside A4); an event when worse than the room's class.
    mutating func evaluateEnvelope(
        _ i: Int, room: CIID, probes: [EnvelopeProbe], maxAge: Double, batch: [PointID: [Reading]], now: Timestamp,
        into out: inout RuleOutput
    ) {
        let policy = rules.rooms[room] ?? .standard
        var worst: (cls: ASHRAEClass, probe: EnvelopeProbe, t: Double, rh: Double)?
        var culprits: [PointID] = []
        var evidenced: [PointID] = []
        for probe in probes {
            guard let tr = latest(probe.temperature), let hr = latest(probe.humidity),
                now.seconds(since: tr.time) <= maxAge, now.seconds(since: hr.time) <= maxAge
            else { continue }
            let (t, rh) = (tr.value, hr.value)
            let cls = rules.guidelines.classify(temperature: t, rh: rh, highPollutants: policy.highPollutants)
            // A probe's dew point once per new reading of it (stamped with that reading's time),
            // not once per evaluation of the room: other probes' batches do not repeat it.
            if batch[probe.temperature] != nil || batch[probe.humidity] != nil,
                let dp = ThermalGuidelines.dewPoint(temperature: t, rh: rh), let id = PointID(ci: probe.temperature.ci, name: "dew_point")
            {
                out.derived.append(Reading(point: id, time: max(tr.time, hr.time), value: (dp * 100).rounded() / 100))
            }
            if worst == nil || cls > worst!.cls { worst = (cls, probe, t, rh) }
            if cls > policy.ashraeClass { culprits += [probe.temperature, probe.humidity] } else { evidenced += [probe.temperature, probe.humidity] }
        }
        guard let worst, let id = PointID(ci: room, name: "ashrae_class") else { return }
        out.derived.append(Reading(point: id, time: now, value: Double(worst.cls.rawValue)))
        let dp = ThermalGuidelines.dewPoint(temperature: worst.t, rh: worst.rh).map { ", dew point \(Format.number($0)) °C" } ?? ""
        let detail = "worst probe \(worst.probe.temperature.ci): \(Format.number(worst.t)) °C, \(Format.number(worst.rh)) % RH\(dp)"
        let verdict: Verdict = worst.cls > policy.ashraeClass ? .breach(worst.cls == .outside ? .critical : .warning) : .normal
        let message = "room \(room) is in ASHRAE \(worst.cls) (\(detail)); the room's class is \(policy.ashraeClass)"
        observe(
            i, scope: room, point: nil, verdict: verdict, message: message,
            evidence: evidence(worst.probe.temperature) + evidence(worst.probe.humidity), now: now, into: &out, culprits: culprits,
            evidenced: evidenced)
    }

    /// Capacity (Lampiran II D.3, I.1.b.1): measured power — the device's total, or the sum of
    /// the rack's power devices' totals, each counted once — against the budget or rating.
    mutating func evaluateCapacity(_ i: Int, levels: ThresholdLevels, target t: PowerTarget, now: Timestamp, into out: inout RuleOutput) {
        guard let m = measuredPower(of: t.ci, devices: t.devices, now: now), let watts = m.watts else { return }
        let ratio = watts / t.watts
        let key = Event.dedupKey(rule: rules.rules[i].id, scope: t.ci, point: nil)
        let verdict = levels.verdict(ratio, active: state.alerts[key]?.active)
        let what = rules.topology.racks[t.ci] != nil ? "budget" : "rating"
        var limits: [String] = []
        if let w = levels.warning { limits.append("warning at \(Format.percent(w))") }
        if let c = levels.critical { limits.append("critical at \(Format.percent(c))") }
        observe(
            i, power: m, target: t, verdict: verdict,
            "\(t.ci) draws \(Format.number(watts / 1000)) kW (\(m.basis)), \(Format.percent(ratio)) of its \(Format.number(t.watts / 1000)) kW \(what) (\(limits.joined(separator: ", ")))",
            now: now, into: &out)
    }

    /// Allocation gap (D.3): measured above allocated (warning) or far below it (info: stranded).
    mutating func evaluateAllocation(
        _ i: Int, over: Double, under: Double?, target t: PowerTarget, now: Timestamp, into out: inout RuleOutput
    ) {
        guard let m = measuredPower(of: t.ci, devices: t.devices, now: now), let watts = m.watts else { return }
        let ratio = watts / t.watts
        let verdict: Verdict = ratio > over ? .breach(.warning) : (under.map { ratio < $0 } == true ? .breach(.info) : .normal)
        observe(
            i, power: m, target: t, verdict: verdict,
            "\(t.ci) measures \(Format.number(watts / 1000)) kW (\(m.basis)) against \(Format.number(t.watts / 1000)) kW allocated (\(Format.percent(ratio)), gap \(Format.number((watts - t.watts) / 1000)) kW)",
            now: now, into: &out)
    }

    /// A capacity or allocation verdict on a measurement: its points are the condition's inputs;
    /// a lower bound (a rack with an unmetered PDU) is never evidence that a breach cleared.
    mutating func observe(
        _ i: Int, power m: MeasuredPower, target t: PowerTarget, verdict: Verdict, _ message: String, now: Timestamp, into out: inout RuleOutput
    ) {
        observe(
            i, scope: t.ci, point: nil, verdict: verdict, message: message + whereSuffix(t.ci), evidence: m.evidence, now: now, into: &out,
            culprits: m.inputs, evidenced: m.unmetered.isEmpty ? m.inputs : [])
    }

    /// Corrosion (ISA-71.04, Lampiran II I.2.b.1): 30-day rate per metal from cumulative
    /// thickness, the worse level, derived `MON/copper.rate30`, `MON/silver.rate30`, `MON/isa_level` (1–4).
    mutating func evaluateCorrosion(
        _ i: Int, target: CorrosionLevel, critical: CorrosionLevel, minSpan: Double, drop: Double, monitor: CorrosionMonitor,
        batch: [PointID: [Reading]], now: Timestamp, into out: inout RuleOutput
    ) {
        var rates: [CorrosionMetal: Double] = [:]
        var ev: [Reading] = []
        var culprits: [PointID] = []
        var evidenced: [PointID] = []
        for (metal, point) in [(CorrosionMetal.copper, monitor.copper), (.silver, monitor.silver)] {
            guard let point else { continue }
            var series = state.corrosion[point] ?? CorrosionSeries()
            for r in batch[point] ?? [] where r.isUsable { series.add(time: r.time, value: r.value, replacementDrop: drop) }
            state.corrosion[point] = series
            ev += evidence(point)
            guard let rate = series.ratePer30Days(minSpan: minSpan) else { continue }
            rates[metal] = rate
            // Each metal's own level: the one worse than the target is what makes the event.
            let own = metal == .copper ? CorrosionClassifier.level(copper: rate, silver: nil) : CorrosionClassifier.level(copper: nil, silver: rate)
            if let own, own > target { culprits.append(point) } else { evidenced.append(point) }
            if let id = PointID(ci: monitor.ci, name: "\(metal.rawValue).rate30") {
                out.derived.append(Reading(point: id, time: now, value: (rate * 10).rounded() / 10))
            }
        }
        guard let level = CorrosionClassifier.level(copper: rates[.copper], silver: rates[.silver]) else { return }
        if let id = PointID(ci: monitor.ci, name: "isa_level") {
            out.derived.append(Reading(point: id, time: now, value: Double(level.rawValue)))
        }
        let parts = CorrosionMetal.allCases.compactMap { m in rates[m].map { "\(m.rawValue) \(Format.number($0)) Å/30d" } }
        let verdict: Verdict = level > target ? .breach(level >= critical ? .critical : .warning) : .normal
        let message =
            "\(monitor.ci) corrosivity is ISA-71.04 \(level) (\(parts.joined(separator: ", "))); target \(target)\(whereSuffix(monitor.ci))"
        observe(
            i, scope: monitor.ci, point: nil, verdict: verdict, message: message, evidence: ev, now: now, into: &out, culprits: culprits,
            evidenced: evidenced)
    }

    /// Particles (ISO 14644-1, Lampiran II I.2.b.1): concentration per m³ per channel of each new
    /// sample, derived `CTR/<channel>.per_m3` and `CTR/iso_class` (10 = worse than ISO 9).
    mutating func evaluateParticles(
        _ i: Int, target: ISOClass, critical: ISOClass?, differential: Bool, counter c: ParticleCounter, batch: [PointID: [Reading]],
        now: Timestamp, into out: inout RuleOutput
    ) {
        var byTime: [Timestamp: [PointID: Reading]] = [:]
        for p in Array(c.channels.keys) + c.volume.points {
            for r in batch[p] ?? [] where r.isUsable { byTime[r.time, default: [:]][p] = r }
        }
        let done = state.particleSamples[c.ci]
        for time in byTime.keys.sorted() where done.map({ time > $0 }) ?? true {
            guard let sample = byTime[time] else { continue }
            var counts: [Double: Double] = [:]
            for (p, size) in c.channels { if let r = sample[p] { counts[size] = r.value } }
            guard !counts.isEmpty, let m3 = sampleCubicMetres(c.volume, sample: sample) else { continue }
            state.particleSamples[c.ci] = time
            if differential { counts = ParticleClassifier.cumulative(fromDifferential: counts) }
            var conc: [Double: Double] = [:]
            for (size, n) in counts { if let v = ParticleClassifier.concentration(count: n, volumeCubicMetres: m3) { conc[size] = v } }
            guard !conc.isEmpty else { continue }
            for (p, size) in c.channels.sorted(by: { $0.value < $1.value }) {
                if let v = conc[size], let id = PointID(ci: c.ci, name: "\(p.name).per_m3") {
                    out.derived.append(Reading(point: id, time: time, value: v.rounded()))
                }
            }
            let cls = ParticleClassifier.classAchieved(concentrations: conc)
            if let id = PointID(ci: c.ci, name: "iso_class") {
                out.derived.append(Reading(point: id, time: time, value: cls?.number ?? 10))
            }
            let worse = cls.map { $0 > target } ?? true
            let isCritical = cls.map { c in critical.map { c >= $0 } ?? false } ?? true
            let verdict: Verdict = worse ? .breach(isCritical ? .critical : .warning) : .normal
            let detail = conc.sorted { $0.key < $1.key }.map { "≥\(Format.number($0.key)) µm: \(Format.number($0.value.rounded()))/m³" }
            let message =
                "\(c.ci) measures \(cls.map(\.description) ?? "worse than ISO 9") (\(detail.joined(separator: ", "))); target \(target)\(whereSuffix(c.ci))"
            let ev = sample.values.sorted { $0.point < $1.point }
            let inputs = ev.map(\.point)
            observe(
                i, scope: c.ci, point: nil, verdict: verdict, message: message, evidence: ev, now: now, into: &out, culprits: inputs,
                evidenced: inputs)
        }
    }

    /// The volume of air a sample drew, m³: its volume point, or flow × sample time, read from
    /// the sample itself or, for a point the sample lacks, its latest usable reading.
    func sampleCubicMetres(_ source: SampleVolumeSource, sample: [PointID: Reading]) -> Double? {
        func value(_ p: PointID) -> Double? { (sample[p] ?? latest(p))?.value }
        switch source {
        case .point(let p, let unit):
            return value(p).map { unit == .litre ? $0 / 1000 : $0 }
        case .flow(let point, let fixed, let duration):
            guard let seconds = value(duration), let lpm = point.flatMap(value) ?? fixed else { return nil }
            return lpm * seconds / 60 / 1000
        }
    }

    /// Yearly obligations (Lampiran II I.2.b.1, I.2.b.4, B.2.f.h): warning 30 days before due,
    /// critical when overdue or never recorded. Dedup key `rule/kind|room|`.
    mutating func evaluateObligations(
        _ i: Int, schedule: ObligationSchedule, kinds: [ObligationKind], rooms: [CIID], now: Timestamp, into out: inout RuleOutput
    ) {
        for s in schedule.statuses(rooms: rooms, kinds: kinds, records: records, now: now) {
            let verdict: Verdict
            let message: String
            let last = s.lastDone.map { " (last done \($0.doneAt) by \($0.doneBy)\($0.thirdParty.map { ", \($0)" } ?? ""))" } ?? ""
            let what = "\(s.kind.title) of room \(s.room)"
            switch s.standing {
            case .ok:
                verdict = .normal
                message = "\(what) is done\(last); next due \(s.due.map(\.description) ?? "now")"
            case .dueSoon:
                verdict = .breach(.warning)
                message = "\(what) is due on \(s.due.map(\.description) ?? "now")\(last) — \(s.kind.citation)"
            case .overdue:
                verdict = .breach(.critical)
                message =
                    s.due.map { "\(what) is overdue since \($0)\(last) — \(s.kind.citation)" }
                    ?? "\(what) has never been recorded — \(s.kind.citation)"
            }
            observe(
                i, scope: s.room, point: nil, keySuffix: "/\(s.kind.rawValue)", verdict: verdict, message: message, evidence: [], now: now,
                into: &out)
        }
    }
}
