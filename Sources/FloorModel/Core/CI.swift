public import Telemetry

/// The type of a configuration item (B.2.f).
public enum CIType: String, Hashable, Sendable, Codable, CaseIterable {
    case site, room, aisle, rack, device, pdu, powerFeed = "power-feed", sensor, cable, service
}

/// How one CI relates to another (B.2.f: relations to other CIs).
public enum CIRelationKind: String, Hashable, Sendable, Codable, CaseIterable {
    case containedIn = "contained-in"
    case poweredBy = "powered-by"
    case connectedTo = "connected-to"
    case monitoredBy = "monitored-by"
    case hostsService = "hosts-service"
}

/// A directed relation from one CI to another.
public struct CIRelation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kind of relation.
    public var kind: CIRelationKind
    /// The other CI.
    public var target: CIID

    /// Creates a relation.
    public init(_ kind: CIRelationKind, _ target: CIID) {
        self.kind = kind
        self.target = target
    }

    /// `contained-in DC-R05`.
    public var description: String { "\(kind.rawValue) \(target)" }
}

/// The configuration-item view of any floor object: unique id, type, description, relations
/// and status (B.2.f).
public struct CI: Hashable, Sendable, Codable {
    /// Unique id in the site.
    public var id: CIID
    /// Its type.
    public var type: CIType
    /// One line for a person.
    public var description: String
    /// Relations to other CIs, sorted.
    public var relations: [CIRelation]
    /// Status (lifecycle state, or cable status).
    public var status: String
    /// Serial number, where the object has one.
    public var serial: String?
    /// Asset tag, where the object has one.
    public var assetTag: String?
    /// Owning unit, where known.
    public var ownerUnit: String?
    /// Where it is, for a person (`DC-H1 B05 U12–U13 front`).
    public var location: String

    /// Creates a CI view.
    public init(
        id: CIID, type: CIType, description: String, relations: [CIRelation], status: String, serial: String? = nil,
        assetTag: String? = nil, ownerUnit: String? = nil, location: String = ""
    ) {
        self.id = id
        self.type = type
        self.description = description
        self.relations = relations.sorted { ($0.kind.rawValue, $0.target) < ($1.kind.rawValue, $1.target) }
        self.status = status
        self.serial = serial
        self.assetTag = assetTag
        self.ownerUnit = ownerUnit
        self.location = location
    }
}

/// One row of the yearly CI audit list (B.2.f: CI information is audited at least once a year).
public struct CIAuditRow: Hashable, Sendable, Codable {
    /// The CI.
    public var ci: CI
    /// What the auditor checks on the floor for this CI.
    public var checks: [String]

    /// Creates a row.
    public init(ci: CI, checks: [String]) {
        self.ci = ci
        self.checks = checks
    }

    /// Columns for CSV export: id, type, description, location, status, serial, asset tag,
    /// owner, relations, checks.
    public var columns: [String] {
        [
            ci.id.rawValue, ci.type.rawValue, ci.description, ci.location, ci.status, ci.serial ?? "", ci.assetTag ?? "",
            ci.ownerUnit ?? "", ci.relations.map(\.description).joined(separator: "; "), checks.joined(separator: "; "),
        ]
    }

    /// Header matching ``columns``.
    public static let header = ["id", "type", "description", "location", "status", "serial", "asset_tag", "owner_unit", "relations", "checks"]
}
