/// Where an active-power point sits in a device's power tree (DESIGN decision 18). A PDU reports
/// its power several times over — the whole unit, each inlet, each phase, each outlet — and the
/// levels overlap: adding them up counts the same watts two, three or four times.
public enum PowerRole: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The whole device (APC rPDU2DeviceStatusPower).
    case total
    /// One inlet (Raritan measurementsInletSensorValue activePower); inlets add up to the total.
    case inlet
    /// One phase (APC rPDU2PhaseStatusPower); phases add up to the total.
    case phase
    /// One outlet (APC rPDU2OutletMeteredStatusPower); outlets add up to the total.
    case outlet

    /// Levels in the order a device's power is taken from.
    public static let precedence: [PowerRole] = [.total, .inlet, .phase, .outlet]

    public var description: String { rawValue }
}

/// A device's power, counted once (DESIGN decision 18): the point marked `total`; else the sum
/// of its inlets; else of its phases; else of its outlets — one level, never two. Capacity rules,
/// the fit check (through the derived `CI/power_total` point) and reports use this one function.
///
/// The level is chosen from what the device *has*, not from what happened to answer: a device
/// with a total point whose reading is stale does not silently fall back to its phases. Only a
/// level whose every point reads `absent` (the vendor's "not supported by this model") is passed
/// over — that is a fact of the hardware, not a gap in the data.
public enum DevicePower {
    /// The outcome for one device at one moment.
    public struct Total: Hashable, Sendable {
        /// The level the total comes from.
        public var role: PowerRole
        /// The device's power in watts; nil when a point of the level has no fresh usable reading.
        public var watts: Double?
        /// The readings it was computed from (the level's points with a usable value).
        public var evidence: [Reading]
        /// Points of the level without a fresh usable reading (stale, bad, never read): while any
        /// is missing, the total is unknown — a partial sum would read low and clear an alarm.
        public var missing: [PointID]
    }

    /// A power point with its role and unit, and its latest reading if any.
    public struct Input: Hashable, Sendable {
        /// The point's descriptor (quantity `active_power`, unit W or kW).
        public var descriptor: PointDescriptor
        /// Its latest reading of any quality, nil when never read.
        public var latest: Reading?
        /// Creates an input.
        public init(descriptor: PointDescriptor, latest: Reading?) {
            self.descriptor = descriptor
            self.latest = latest
        }
    }

    /// Watts per unit of a power point's value (1000 for kW); nil for a unit that is not power.
    public static func wattsPerUnit(_ unit: Unit) -> Double? {
        switch unit {
        case .watt: 1
        case .kilowatt: 1000
        default: nil
        }
    }

    /// The role a point plays when its profile gives none: a device with a single active-power
    /// point has nothing to double-count, so that point is its total.
    public static func effectiveRoles(_ descriptors: [PointDescriptor]) -> [PointID: PowerRole] {
        let power = descriptors.filter { $0.quantity == .activePower && wattsPerUnit($0.unit) != nil }
        var roles: [PointID: PowerRole] = [:]
        for d in power {
            if let r = d.powerRole {
                roles[d.id] = r
            } else if power.count == 1 {
                roles[d.id] = .total
            }
        }
        return roles
    }

    /// The device's total from its power points at `now`; a reading older than `maxAge` seconds
    /// is not fresh. Nil when the device has no power point with a role, or every level reads
    /// absent.
    public static func total(_ inputs: [Input], now: Timestamp, maxAge: Double) -> Total? {
        let roles = effectiveRoles(inputs.map(\.descriptor))
        for role in PowerRole.precedence {
            let level = inputs.filter { roles[$0.descriptor.id] == role }.sorted { $0.descriptor.id.description < $1.descriptor.id.description }
            guard !level.isEmpty else { continue }
            let present = level.filter { input in
                if case .absent? = input.latest?.quality { return false }
                return true
            }
            if present.isEmpty { continue }
            var watts = 0.0
            var evidence: [Reading] = []
            var missing: [PointID] = []
            for input in present {
                guard let r = input.latest, r.isUsable, now.seconds(since: r.time) <= maxAge,
                    let factor = wattsPerUnit(input.descriptor.unit)
                else {
                    missing.append(input.descriptor.id)
                    continue
                }
                watts += r.value * factor
                evidence.append(r)
            }
            return Total(role: role, watts: missing.isEmpty ? watts : nil, evidence: evidence, missing: missing)
        }
        return nil
    }
}
