public import Logging
import Synchronization
public import Telemetry

/// Reads one SNMP device with a compiled profile: one batched GET for scalars and decimal digits,
/// one GETBULK walk per table column; each failed varbind is a bad reading for that point only.
public final class SNMPDeviceReader: DeviceReader {
    /// The device's CI id.
    public let device: CIID
    /// The compiled profile.
    public let plan: SNMPReadPlan
    /// The client the reader talks through.
    public let client: SNMPClient
    private let logger: Logger
    private let state = Mutex(ReaderState())

    private struct ReaderState {
        var tablePoints: [PointDescriptor] = []
        var counters: [String: CounterRate.Sample] = [:]
    }

    /// Validates the target and profile for `device`; throws a configuration ``SNMPError`` naming it.
    public init(device: CIID, target: SNMPTarget, profile: SNMPProfileSpec, logger: Logger) throws(SNMPError) {
        try Self.validate(target, sensor: device)
        self.device = device
        self.plan = try SNMPReadPlan.compile(profile, sensor: device)
        self.client = SNMPClient(target: target, logger: logger)
        var l = logger
        l[metadataKey: "sensor.id"] = "\(device.rawValue)"
        self.logger = l
        l.debug(
            "SNMP plan: \(plan.scalars.count) scalar point(s), \(plan.tables.count) table column(s)",
            metadata: ["snmp.target": "\(target)"])
    }

    /// Scalar points, then the table rows found by the last read (empty before the first read).
    public var points: [PointDescriptor] {
        plan.scalarPoints + state.withLock { $0.tablePoints }
    }

    /// Reads every point once.
    public func readOnce(now: Timestamp) async throws -> [Reading] {
        try await inspect(now: now).map { $0.reading(at: now) }
    }

    /// Reads every point once and returns raw and engineering values side by side (for `dcagent probe snmp`).
    public func inspect(now: Timestamp) async throws -> [SNMPPointInspection] {
        var rows: [TableRow] = []
        var walked: [SNMPOID: [SNMPVarBind]] = [:]
        for table in plan.tables {
            if walked[table.root] == nil {
                walked[table.root] = try await client.walk(table.root, maxRepetitions: plan.maxRepetitions)
            }
            for vb in walked[table.root] ?? [] {
                guard let index = vb.oid.index(under: table.root), table.matches(index),
                    let name = table.pointName(index), PointID(ci: device, name: name) != nil
                else { continue }
                rows.append(
                    TableRow(
                        table: table, name: name, varBind: vb, decimalsOID: table.decimalsOID(index),
                        conditionOIDs: table.conditions.map { $0.oid(index) }))
            }
        }
        var wanted: [SNMPOID] = []
        var seen: Set<SNMPOID> = []
        let scalarOIDs = plan.scalars.flatMap { s in [s.oid, s.decimalsOID].compactMap { $0 } + s.conditions.compactMap { $0.oid([]) } }
        let rowOIDs = rows.flatMap { [$0.decimalsOID].compactMap { $0 } + $0.conditionOIDs.compactMap { $0 } }
        for o in scalarOIDs + rowOIDs where seen.insert(o).inserted {
            wanted.append(o)
        }
        let got = wanted.isEmpty ? [] : try await client.get(wanted, maxVarBinds: plan.maxVarBinds)
        let byOID = Dictionary(zip(wanted, got), uniquingKeysWith: { a, _ in a })

        var out: [SNMPPointInspection] = []
        for s in plan.scalars {
            guard let vb = byOID[s.oid] else { continue }
            let verdict = Self.verdict(s.conditions, oids: s.conditions.map { $0.oid([]) }, byOID)
            out.append(
                convert(
                    name: s.rule.name, rule: s.rule, varBind: vb, decimals: s.decimalsOID.map { byOID[$0] },
                    verdict: verdict, now: now))
        }
        var discovered: [PointDescriptor] = []
        for r in rows {
            let verdict = Self.verdict(r.table.conditions, oids: r.conditionOIDs, byOID)
            let row = convert(
                name: r.name, rule: r.table.rule, varBind: r.varBind, decimals: r.decimalsOID.map { byOID[$0] },
                verdict: verdict, now: now)
            out.append(row)
            if let d = plan.descriptor(name: r.name, rule: r.table.rule) { discovered.append(d) }
        }
        state.withLock { $0.tablePoints = discovered }
        let bad = out.filter { !$0.quality.hasValue && $0.quality != .absent }.count
        logger.debug("SNMP read: \(out.count) point(s), \(bad) bad")
        return out
    }

    private struct TableRow {
        var table: SNMPReadPlan.Table
        var name: String
        var varBind: SNMPVarBind
        var decimalsOID: SNMPOID?
        /// One per condition of the table, nil when the row index lacks an arc the template names.
        var conditionOIDs: [SNMPOID?]
    }

    /// What a point's `absent_if` / `bad_if` conditions say, from the varbinds read beside it.
    static func verdict(_ conditions: [SNMPReadPlan.Condition], oids: [SNMPOID?], _ byOID: [SNMPOID: SNMPVarBind])
        -> ConditionVerdict
    {
        SNMPReadPlan.verdict(conditions, oids: oids) { byOID[$0]?.value }
    }

    private func convert(
        name: String, rule: SNMPPointRule, varBind: SNMPVarBind, decimals: SNMPVarBind??, verdict: ConditionVerdict,
        now: Timestamp
    ) -> SNMPPointInspection {
        let point = PointID(ci: device, name: name)!
        var row = SNMPPointInspection(
            point: point, oid: varBind.oid, raw: varBind.value, decimals: 0, value: .nan, unit: rule.unit,
            stateName: nil, quality: .bad(reason: "unread"), fault: nil)
        if let q = verdict.quality {
            row.quality = q
            return row
        }
        let value: SNMPValue
        switch varBind.result {
        case .failure(let fault):
            row.quality = .bad(reason: "\(fault): varbind \(varBind.oid) did not decode")
            row.fault = fault
            return row
        case .success(let v): value = v
        }
        var digits = 0
        if let decimals {
            do {
                guard let d = decimals else { throw SNMPValueFault.noSuchObject }
                digits = try SNMPPointRule.decimalDigits(try d.result.get())
            } catch {
                let fault = error as? SNMPValueFault ?? .wrongType
                row.quality = .bad(reason: "\(fault): decimal digits for \(name)")
                row.fault = fault
                return row
            }
        }
        row.decimals = digits
        var outcome = rule.convert(value, decimals: digits)
        if rule.rate, outcome.quality.hasValue {
            outcome = rule.ranged(rate(name: name, rule: rule, value: value, now: now, decimals: digits))
        }
        row.value = outcome.value
        row.quality = verdict.qualify(outcome.quality)
        row.fault = outcome.fault
        if let raw = outcome.raw, let n = Int(exactly: raw) { row.stateName = rule.states[n] }
        return row
    }

    private func rate(name: String, rule: SNMPPointRule, value: SNMPValue, now: Timestamp, decimals: Int)
        -> SNMPPointOutcome
    {
        let current = CounterRate.Sample(value: value, milliseconds: now.milliseconds)
        let previous = state.withLock { s in
            defer { s.counters[name] = current }
            return s.counters[name]
        }
        guard let previous else {
            return SNMPPointOutcome(
                raw: nil, value: .nan, quality: .bad(reason: "rate: first sample of the counter"), fault: nil)
        }
        switch CounterRate.rate(from: previous, to: current) {
        case .rate(let perSecond, _):
            let v = rule.scale.apply(perSecond, extraDecimals: decimals) + rule.offset
            return SNMPPointOutcome(raw: perSecond, value: v, quality: .good, fault: nil)
        case .reset:
            return SNMPPointOutcome(raw: nil, value: .nan, quality: .bad(reason: "rate: counter reset"), fault: nil)
        case .noInterval:
            return SNMPPointOutcome(
                raw: nil, value: .nan, quality: .bad(reason: "rate: no time between samples"), fault: nil)
        case .notCounters:
            return .failed(.wrongType, "rate point \(name) changed counter type")
        }
    }

    static func validate(_ target: SNMPTarget, sensor: CIID) throws(SNMPError) {
        func fail(_ text: String) -> SNMPError { .configuration(sensor: sensor.rawValue, text) }
        guard !target.host.isEmpty else { throw fail("SNMP target has no host") }
        guard target.timeout > 0, target.timeout.isFinite else { throw fail("SNMP timeout must be positive") }
        guard (0...10).contains(target.retries) else { throw fail("SNMP retries \(target.retries) is not in 0…10") }
        switch target.version {
        case .v1(let c), .v2c(let c):
            guard !c.reveal.isEmpty else { throw fail("SNMP \(target.version) needs a community") }
        case .v3(let cred):
            guard !cred.user.isEmpty else { throw fail("SNMPv3 needs a user name") }
            if cred.level != .noAuthNoPriv {
                guard cred.authProtocol != nil else { throw fail("SNMPv3 \(cred.level.rawValue) needs auth protocol") }
                guard let k = cred.authKey, k.reveal.utf8.count >= 8 else {
                    throw fail("SNMPv3 \(cred.level.rawValue) needs an auth key of at least 8 characters")
                }
            }
            if cred.level == .authPriv {
                guard cred.privProtocol != nil else { throw fail("SNMPv3 authPriv needs priv protocol") }
                guard let k = cred.privKey, k.reveal.utf8.count >= 8 else {
                    throw fail("SNMPv3 authPriv needs a priv key of at least 8 characters")
                }
            }
        }
    }
}
