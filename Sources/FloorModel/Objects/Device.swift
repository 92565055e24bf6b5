public import Telemetry

/// A device mounted in a rack (or not yet racked): a CI built from a device type.
public struct Device: Hashable, Sendable, Codable {
    /// CI id (`DC-R05-SRV01`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// Slug of its device type.
    public var type: String
    /// The rack it is in, nil when not racked.
    public var rack: CIID?
    /// Its lowest unit, nil for 0U devices and unplaced ones.
    public var position: HalfU?
    /// The rack face it is mounted on.
    public var face: RackFace
    /// Airflow when it differs from the type's (reversed fans), nil to use the type's.
    public var airflow: Airflow?
    /// Weight in kg when it differs from the type's.
    public var weightKg: Double?
    /// Power allocated in the capacity plan, watts; nil to use the type's draw.
    public var allocatedPowerW: Double?
    /// Last measured power, watts.
    public var measuredPowerW: Double?
    /// PDUs its power supplies are plugged into (A and B).
    public var poweredBy: [CIID]
    /// Manufacturer serial number.
    public var serial: String?
    /// Asset tag.
    public var assetTag: String?
    /// The unit that owns it.
    public var ownerUnit: String?
    /// Where it is in its life.
    public var lifecycle: Lifecycle

    /// Creates a device.
    public init(
        id: CIID, name: String? = nil, type: String, rack: CIID?, position: HalfU?, face: RackFace = .front,
        airflow: Airflow? = nil, weightKg: Double? = nil, allocatedPowerW: Double? = nil,
        measuredPowerW: Double? = nil, poweredBy: [CIID] = [], serial: String? = nil, assetTag: String? = nil,
        ownerUnit: String? = nil, lifecycle: Lifecycle = .active
    ) {
        self.id = id
        self.name = name ?? id.rawValue
        self.type = type
        self.rack = rack
        self.position = position
        self.face = face
        self.airflow = airflow
        self.weightKg = weightKg
        self.allocatedPowerW = allocatedPowerW
        self.measuredPowerW = measuredPowerW
        self.poweredBy = poweredBy
        self.serial = serial
        self.assetTag = assetTag
        self.ownerUnit = ownerUnit
        self.lifecycle = lifecycle
    }
}

/// A rack power distribution unit, fed from one power feed on the A or B side.
/// A 0U PDU has no position; a horizontal PDU occupies units like a device.
public struct PDU: Hashable, Sendable, Codable {
    /// CI id (`DC-R05-PDU-A`).
    public var id: CIID
    /// The rack it is in.
    public var rack: CIID
    /// A or B.
    public var side: FeedSide
    /// The power feed it is plugged into.
    public var feed: CIID?
    /// Slug of its device type, nil when unknown.
    public var type: String?
    /// Its lowest unit when it is a horizontal (rack-mounted) PDU.
    public var position: HalfU?
    /// The face it is mounted on.
    public var face: RackFace = .rear
    /// The most it may carry, kW (its own breaker/inlet rating), nil when unknown.
    public var ratingKW: Double?
    /// Manufacturer serial number.
    public var serial: String?
    /// CI status.
    public var lifecycle: Lifecycle = .active
}

/// A circuit from a power panel to a rack (NetBox `PowerFeed`).
public struct PowerFeed: Hashable, Sendable, Codable {
    /// CI id (`DC-H1-PPA-F05`).
    public var id: CIID
    /// The panel it comes from.
    public var panel: String
    /// A or B.
    public var side: FeedSide
    /// Single or three phase.
    public var phase: Phase = .single
    /// Nominal voltage (line-to-neutral for single phase, line-to-line for three phase).
    public var voltage: Double = 230
    /// Breaker rating in amperes.
    public var breakerAmps: Double = 32
    /// Share of the breaker rating that may be used, percent (NetBox default 80).
    public var maxUtilizationPercent: Double = 80
    /// CI status.
    public var lifecycle: Lifecycle = .active

    /// Usable power in kW: V × A × utilisation (× √3 for three phase), as NetBox computes it.
    public var availableKW: Double {
        let base = voltage * breakerAmps * maxUtilizationPercent / 100 / 1000
        return phase == .three ? base * 3.0.squareRoot() : base
    }
}
