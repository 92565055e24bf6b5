import Telemetry

/// A rack's or device's power as the rules see it (DESIGN decision 18).
struct MeasuredPower: Hashable, Sendable {
    /// Watts, nil while a point it needs has no fresh usable reading.
    var watts: Double?
    /// How it was counted, for messages: `total point`, `sum of 3 phases`, or per device.
    var basis: String
    /// The readings it comes from.
    var evidence: [Reading]
    /// The points it needs that have no fresh usable reading.
    var missing: [PointID]
    /// The time of its newest reading.
    var time: Timestamp?
    /// PDUs of the rack that report no power: while there are any, the sum is a lower bound —
    /// enough to show a breach, never that one cleared.
    var unmetered: [CIID]

    /// The points it is computed from (or waits for): the inputs of its events.
    var inputs: [PointID] { evidence.map(\.point) + missing }
}

extension RuleEngine {
    /// A device's total from its power points' latest readings, by ``DevicePower/total(_:now:maxAge:)``.
    func deviceTotal(_ device: CIID, now: Timestamp) -> DevicePower.Total? {
        let inputs = (rules.power.devices[device] ?? []).compactMap { p in
            rules.topology.points[p].map { DevicePower.Input(descriptor: $0, latest: state.points[p]?.last) }
        }
        return DevicePower.total(inputs, now: now, maxAge: rules.power.maxAge)
    }

    /// The power of `ci` — one device, or a rack from its power devices — the sum of their
    /// totals, unknown while any of them is.
    func measuredPower(of ci: CIID, devices: [CIID], now: Timestamp) -> MeasuredPower? {
        var watts = 0.0
        var known = true
        var evidence: [Reading] = []
        var missing: [PointID] = []
        var bases: [String] = []
        for d in devices {
            guard let t = deviceTotal(d, now: now) else { continue }
            if let w = t.watts { watts += w } else { known = false }
            evidence += t.evidence
            missing += t.missing
            let n = t.evidence.count + t.missing.count
            let basis = t.role == .total ? "total point" : "sum of \(n) \(t.role.rawValue)\(n == 1 ? "" : "s")"
            bases.append(devices.count == 1 ? basis : "\(d): \(basis)")
        }
        guard !bases.isEmpty else { return nil }
        let unmetered = rules.power.unmetered[ci] ?? []
        if !unmetered.isEmpty { bases.append("a lower bound: \(unmetered.map(\.rawValue).joined(separator: ", ")) not metered") }
        return MeasuredPower(
            watts: known ? watts : nil, basis: bases.joined(separator: "; "), evidence: evidence, missing: missing,
            time: evidence.map(\.time).max(), unmetered: unmetered)
    }

    /// Writes `CI/power_total` (W) for each power device whose points the batch touched, and
    /// `RACK/power_total` for their racks: a bad reading naming the missing points while the
    /// total is unknown, never a partial sum.
    func powerTotals(batch: [PointID: [Reading]], now: Timestamp) -> [Reading] {
        var out: [Reading] = []
        var racks: Set<CIID> = []
        for (device, points) in rules.power.devices.sorted(by: { $0.key < $1.key }) where points.contains(where: { batch[$0] != nil }) {
            if let r = totalReading(device, devices: [device], now: now) { out.append(r) }
            if let rack = rules.topology.devices[device]?.rack { racks.insert(rack) }
        }
        for rack in racks.sorted() {
            if let r = totalReading(rack, devices: rules.power.racks[rack] ?? [], now: now) { out.append(r) }
        }
        return out
    }

    private func totalReading(_ ci: CIID, devices: [CIID], now: Timestamp) -> Reading? {
        guard let id = PointID(ci: ci, name: PowerTree.totalPointName), let m = measuredPower(of: ci, devices: devices, now: now) else { return nil }
        let time = m.time ?? now
        // A rack with an unmetered PDU: the sum is a lower bound, written uncertain.
        let quality: Quality = m.unmetered.isEmpty ? .good : .uncertain
        if let w = m.watts { return Reading(point: id, time: time, value: (w * 10).rounded() / 10, quality: quality) }
        let names = m.missing.map(\.description).joined(separator: ", ")
        return .missing(id, at: time, .bad(reason: "no fresh usable reading of \(names)"))
    }
}
