/// A rack in the floor document, with what is mounted in it.
public struct RackDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Tile (`B05`).
    public var tile: String
    /// Direction the front faces: `north`, `east`, `south`, `west`.
    public var facing: String
    /// Height in U (default 42).
    public var heightU: Int?
    /// Lowest unit number (default 1).
    public var startingUnit: Int?
    /// Width, mm (default 600).
    public var widthMM: Int?
    /// Depth, mm (default 1200).
    public var depthMM: Int?
    /// Maximum load, kg.
    public var maxWeightKg: Double?
    /// Power budget, kW.
    public var powerBudgetKW: Double?
    /// Cooling budget, kW.
    public var coolingBudgetKW: Double?
    /// Lifecycle (default `active`).
    public var status: String?
    /// PDUs.
    public var pdus: [PDUDoc]?
    /// Devices.
    public var devices: [DeviceDoc]?
    /// Sensors in the rack.
    public var sensors: [RackSensorDoc]?

    enum CodingKeys: String, CodingKey {
        case id, tile, facing, status, pdus, devices, sensors
        case heightU = "height_u"
        case startingUnit = "starting_unit"
        case widthMM = "width_mm"
        case depthMM = "depth_mm"
        case maxWeightKg = "max_weight_kg"
        case powerBudgetKW = "power_budget_kw"
        case coolingBudgetKW = "cooling_budget_kw"
    }
}

/// A PDU in the floor document.
public struct PDUDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// `A` or `B`.
    public var side: String
    /// Power feed id.
    public var feed: String?
    /// Device type slug.
    public var type: String?
    /// Lowest unit of a horizontal PDU.
    public var position: Double?
    /// `front` or `rear` (default rear).
    public var face: String?
    /// Rating, kW.
    public var ratingKW: Double?
    /// Serial number.
    public var serial: String?
    /// Lifecycle (default `active`).
    public var lifecycle: String?

    enum CodingKeys: String, CodingKey {
        case id, side, feed, type, position, face, serial, lifecycle
        case ratingKW = "rating_kw"
    }
}

/// A device in the floor document.
public struct DeviceDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Human name (default: the id).
    public var name: String?
    /// Device type slug.
    public var type: String
    /// Lowest unit, a multiple of 0.5; absent for 0U devices.
    public var position: Double?
    /// `front` or `rear` (default front).
    public var face: String?
    /// Airflow override.
    public var airflow: String?
    /// Weight override, kg.
    public var weightKg: Double?
    /// Allocated power, W.
    public var allocatedPowerW: Double?
    /// Last measured power, W.
    public var measuredPowerW: Double?
    /// PDU ids.
    public var poweredBy: [String]?
    /// Serial number.
    public var serial: String?
    /// Asset tag.
    public var assetTag: String?
    /// Owning unit.
    public var ownerUnit: String?
    /// Lifecycle (default `active`).
    public var lifecycle: String?

    enum CodingKeys: String, CodingKey {
        case id, name, type, position, face, airflow, serial, lifecycle
        case weightKg = "weight_kg"
        case allocatedPowerW = "allocated_power_w"
        case measuredPowerW = "measured_power_w"
        case poweredBy = "powered_by"
        case assetTag = "asset_tag"
        case ownerUnit = "owner_unit"
    }
}

/// A sensor mounted in a rack, in the floor document.
public struct RackSensorDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Sensor kind (`th-probe`, …).
    public var kind: String
    /// Unit it is fixed at.
    public var position: Double
    /// `front` or `rear`.
    public var face: String
    /// Make and model.
    public var model: String?
}

/// A sensor on a floor tile, in the floor document.
public struct TileSensorDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Sensor kind (`particle-counter`, `corrosion-monitor`, …).
    public var kind: String
    /// Tile (`C06`).
    public var tile: String
    /// Make and model.
    public var model: String?
}

/// A power feed in the floor document.
public struct FeedDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Panel name.
    public var panel: String
    /// `A` or `B`.
    public var side: String
    /// `single` or `three` (default single).
    public var phase: String?
    /// Volts (default 230).
    public var voltage: Double?
    /// Breaker, A (default 32).
    public var breakerA: Double?
    /// Usable share, percent (default 80).
    public var maxUtilizationPercent: Double?

    enum CodingKeys: String, CodingKey {
        case id, panel, side, phase, voltage
        case breakerA = "breaker_a"
        case maxUtilizationPercent = "max_utilization_percent"
    }
}

/// A cable in the floor document.
public struct CableDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// End A.
    public var a: PortRefDoc
    /// End B.
    public var b: PortRefDoc
    /// Medium (`cat6a`, `om4`, …).
    public var type: String
    /// Printed label.
    public var label: String?
    /// Length, m.
    public var lengthM: Double?
    /// `planned`, `connected`, `decommissioning` (default connected).
    public var status: String?

    enum CodingKeys: String, CodingKey {
        case id, a, b, type, label, status
        case lengthM = "length_m"
    }
}

/// A cable end in the floor document.
public struct PortRefDoc: Hashable, Sendable, Codable {
    /// Device id.
    public var device: String
    /// Port name.
    public var port: String
}

/// A service in the floor document.
public struct ServiceDoc: Hashable, Sendable, Codable {
    /// CI id.
    public var id: String
    /// Human name.
    public var name: String
    /// Device ids hosting it.
    public var hostedOn: [String]
    /// 1 (most critical) … 3 (least); absent counts as 3.
    public var criticality: Int?

    enum CodingKeys: String, CodingKey {
        case id, name, criticality
        case hostedOn = "hosted_on"
    }
}
