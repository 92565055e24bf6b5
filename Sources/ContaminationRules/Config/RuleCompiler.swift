import Telemetry

/// Validates a rule file against a topology, once, and compiles it into an immutable rule set.
public enum RuleCompiler {
    /// Keys every rule may carry.
    static let commonKeys: Set<String> = ["id", "kind", "select", "for", "flapping", "needs_change"]
    /// Keys each kind accepts besides the common ones.
    static let kindKeys: [RuleKindName: Set<String>] = [
        .threshold: ["direction", "warning", "critical", "clear"],
        .rate: ["window", "limit", "limit_tape", "limit_no_tape", "min_readings"],
        .stale: ["interval", "intervals"],
        .frozen: ["polls"],
        .clock: ["max_drift"],
        .quality: ["polls"],
        .offline: [],
        .state: ["warning_states", "critical_states"],
        .envelope: ["temperature", "humidity", "max_age"],
        .capacity: ["scope", "warning", "critical", "clear"],
        .allocation: ["over", "under"],
        .corrosion: ["copper", "silver", "target", "critical_class", "min_span", "replacement_drop"],
        .particles: ["channels", "volume", "flow", "duration", "counts", "target", "critical_class"],
        .obligation: ["obligations", "every", "warn_before"],
    ]

    /// Compiles `file` for `topology`; throws every problem found, each naming its rule and key.
    public static func compile(
        _ file: RawRuleFile, topology: RuleTopology, source: String = "rules", guidelines: ThermalGuidelines = .ashrae2021
    ) throws(RuleConfigError) -> CompiledRuleSet {
        var problems: [RuleProblem] = file.unknownKeys.map {
            RuleProblem(rule: "(file)", key: $0, message: "unknown key (expected version, flapping, room_defaults, rooms, rules)")
        }
        if let v = file.version, v != 1 {
            problems.append(RuleProblem(rule: "(file)", key: "version", message: "unsupported version \(v); expected 1"))
        }
        let flapping = compileFlapping(file.flapping, base: .standard, rule: "(file)", problems: &problems)
        let rooms = compileRooms(file, topology: topology, problems: &problems)
        let pointsByDevice = Dictionary(grouping: topology.points.keys.sorted(by: PointID.byParts), by: \.ci)
        let power = PowerTree(topology: topology)
        var seen: Set<String> = []
        var compiled: [CompiledRule] = []
        for (index, raw) in file.rules.enumerated() {
            let name = raw.id ?? "#\(index + 1)"
            var ruleProblems: [RuleProblem] = []
            if raw.id == nil || raw.id?.isEmpty == true {
                ruleProblems.append(RuleProblem(rule: name, key: "id", message: "every rule needs an id"))
            } else if !seen.insert(name).inserted {
                ruleProblems.append(RuleProblem(rule: name, key: "id", message: "duplicate rule id"))
            }
            if let rule = compileRule(
                raw, name: name, topology: topology, rooms: rooms, flapping: flapping, pointsByDevice: pointsByDevice, power: power,
                problems: &ruleProblems),
                ruleProblems.isEmpty
            {
                compiled.append(rule)
            }
            problems += ruleProblems
        }
        guard problems.isEmpty else { throw .invalidRules(problems, source: source) }
        return CompiledRuleSet(rules: compiled, rooms: rooms, topology: topology, guidelines: guidelines, power: power)
    }

    static func compileFlapping(_ raw: RawFlapping?, base: FlappingPolicy, rule: String, problems: inout [RuleProblem]) -> FlappingPolicy {
        var policy = base
        guard let raw else { return policy }
        for k in raw.unknownKeys {
            problems.append(RuleProblem(rule: rule, key: "flapping.\(k)", message: "unknown key (expected transitions, window)"))
        }
        if let t = raw.transitions {
            if t < 2 { problems.append(RuleProblem(rule: rule, key: "flapping.transitions", message: "must be at least 2, got \(t)")) }
            policy.transitions = t
        }
        if let w = duration(raw.window, key: "flapping.window", rule: rule, problems: &problems) { policy.window = w }
        return policy
    }

    static func compileRooms(_ file: RawRuleFile, topology: RuleTopology, problems: inout [RuleProblem]) -> [CIID: RoomPolicy] {
        func apply(_ raw: RawRoomPolicy?, to base: RoomPolicy, section: String) -> RoomPolicy {
            var p = base
            guard let raw else { return p }
            for k in raw.unknownKeys {
                problems.append(
                    RuleProblem(rule: section, key: k, message: "unknown key (expected ashrae_class, tape_drives, high_pollutants, sensitive)"))
            }
            if let cls = parsed(
                raw.ashraeClass, ASHRAEClass.init(name:), expected: "recommended, A1, A2, A3 or A4", rule: section, key: "ashrae_class",
                problems: &problems)
            {
                p.ashraeClass = cls
            }
            if let v = raw.tapeDrives { p.tapeDrives = v }
            if let v = raw.highPollutants { p.highPollutants = v }
            if let v = raw.sensitive { p.sensitive = v }
            return p
        }
        let defaults = apply(file.roomDefaults, to: .standard, section: "room_defaults")
        var result: [CIID: RoomPolicy] = [:]
        for id in topology.rooms.keys { result[id] = defaults }
        for (text, raw) in (file.rooms ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let id = CIID(validating: text), topology.rooms[id] != nil else {
                problems.append(RuleProblem(rule: "rooms", key: "rooms.\(text)", message: "unknown room '\(text)'"))
                continue
            }
            result[id] = apply(raw, to: defaults, section: "rooms.\(text)")
        }
        return result
    }

    /// What `parse` makes of a text that may be absent (nil then); when it makes nothing, nil and
    /// the problem "'<text>' is not <expected>" at the rule and key.
    static func parsed<T>(
        _ text: String?, _ parse: (String) -> T?, expected: String, rule: String, key: String, problems: inout [RuleProblem]
    ) -> T? {
        guard let text else { return nil }
        if let value = parse(text) { return value }
        problems.append(RuleProblem(rule: rule, key: key, message: "'\(text)' is not \(expected)"))
        return nil
    }

    static func duration(_ text: String?, key: String, rule: String, problems: inout [RuleProblem]) -> Double? {
        parsed(text, RuleDuration.init(parsing:), expected: RuleDuration.textForm, rule: rule, key: key, problems: &problems)?.seconds
    }

    static func compileRule(
        _ raw: RawRule, name: String, topology: RuleTopology, rooms: [CIID: RoomPolicy], flapping: FlappingPolicy,
        pointsByDevice: [CIID: [PointID]], power: PowerTree, problems: inout [RuleProblem]
    ) -> CompiledRule? {
        for key in raw.unknownKeys {
            problems.append(RuleProblem(rule: name, key: key, message: "unknown key"))
        }
        guard let kindText = raw.kind else {
            problems.append(RuleProblem(rule: name, key: "kind", message: "every rule needs a kind"))
            return nil
        }
        guard let kind = RuleKindName(rawValue: kindText), kind != .agent else {
            let known = RuleKindName.configurable.map(\.rawValue).joined(separator: ", ")
            problems.append(RuleProblem(rule: name, key: "kind", message: "unknown kind '\(kindText)' (known: \(known))"))
            return nil
        }
        let allowed = commonKeys.union(kindKeys[kind] ?? [])
        for key in presentKeys(raw) where !allowed.contains(key) {
            problems.append(RuleProblem(rule: name, key: key, message: "does not apply to a \(kind.rawValue) rule"))
        }
        let sustain = duration(raw.sustain, key: "for", rule: name, problems: &problems) ?? 0
        let flap = compileFlapping(raw.flapping, base: flapping, rule: name, problems: &problems)
        for k in raw.select?.unknownKeys ?? [] {
            problems.append(
                RuleProblem(rule: name, key: "select.\(k)", message: "unknown key (expected points, devices, racks, rooms, quantity, name)"))
        }
        let selection = topology.resolve(raw.select, rule: name, problems: &problems)
        var ctx = KindContext(
            raw: raw, name: name, topology: topology, rooms: rooms, selection: selection, pointsByDevice: pointsByDevice, power: power)
        let compiled = ctx.compile(kind)
        problems += ctx.problems
        var need: ChangeNeed?
        if let n = raw.needsChange {
            for k in n.unknownKeys {
                problems.append(RuleProblem(rule: name, key: "needs_change.\(k)", message: "unknown key (expected summary, checklist)"))
            }
            let summary = n.summary ?? ""
            if summary.allSatisfy(\.isWhitespace) {
                problems.append(RuleProblem(rule: name, key: "needs_change.summary", message: "say in one line what change the anomaly needs"))
            } else if let c = n.checklist, c.allSatisfy(\.isWhitespace) {
                problems.append(RuleProblem(rule: name, key: "needs_change.checklist", message: "empty: name a checklist template or leave the key out"))
            } else {
                need = ChangeNeed(summary: summary, checklist: n.checklist)
            }
        }
        guard let compiled else { return nil }
        return CompiledRule(id: name, kind: compiled, sustain: sustain, flapping: flap, needsChange: need)
    }

    /// The keys a decoded rule carries (for the does-not-apply check).
    static func presentKeys(_ r: RawRule) -> [String] {
        let pairs: [(String, Bool)] = [
            ("direction", r.direction != nil), ("warning", r.warning != nil), ("critical", r.critical != nil), ("clear", r.clear != nil),
            ("window", r.window != nil), ("limit", r.limit != nil), ("limit_tape", r.limitTape != nil),
            ("limit_no_tape", r.limitNoTape != nil), ("min_readings", r.minReadings != nil), ("interval", r.interval != nil),
            ("intervals", r.intervals != nil), ("polls", r.polls != nil), ("warning_states", r.warningStates != nil),
            ("critical_states", r.criticalStates != nil), ("temperature", r.temperature != nil), ("humidity", r.humidity != nil),
            ("scope", r.scope != nil), ("over", r.over != nil), ("under", r.under != nil), ("copper", r.copper != nil),
            ("silver", r.silver != nil), ("target", r.target != nil), ("critical_class", r.criticalClass != nil),
            ("min_span", r.minSpan != nil), ("replacement_drop", r.replacementDrop != nil), ("channels", r.channels != nil),
            ("volume", r.volume != nil), ("flow", r.flow != nil), ("duration", r.duration != nil), ("counts", r.counts != nil), ("obligations", r.obligations != nil),
            ("every", r.every != nil), ("warn_before", r.warnBefore != nil), ("max_age", r.maxAge != nil),
            ("max_drift", r.maxDrift != nil),
        ]
        return pairs.filter(\.1).map(\.0)
    }
}
