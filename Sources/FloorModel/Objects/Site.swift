public import Telemetry

/// A data centre site: the DC or the DRC (DESIGN decision 12).
public struct Site: Hashable, Sendable, Codable {
    /// CI id (`DC`, `DRC`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// DC or DRC.
    public var kind: SiteKind
    /// IANA time zone of the site (`Asia/Jakarta`).
    public var timeZone: String = "UTC"
    /// CI status.
    public var status: Lifecycle = .active
}

/// A computer room of a site with its tile grid.
public struct Room: Hashable, Sendable, Codable {
    /// CI id (`DC-H1`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// The tile grid.
    public var grid: FloorGrid
    /// CI status.
    public var status: Lifecycle = .active
}

/// A hot or cold aisle: a rectangle of tiles, contained or open.
public struct Aisle: Hashable, Sendable, Codable {
    /// CI id (`DC-H1-CA1`).
    public var id: CIID
    /// The room it is in.
    public var room: CIID
    /// Hot or cold.
    public var kind: AisleKind
    /// True when doors and a roof contain it.
    public var contained: Bool
    /// The tiles it covers.
    public var tiles: TileRect
}

/// An IT service a device hosts, so an anomaly's impact can name it and its priority can
/// weigh it (``Floor/impact(of:)``).
public struct Service: Hashable, Sendable, Codable {
    /// CI id (`SVC-EMAIL`).
    public var id: CIID
    /// Human name.
    public var name: String
    /// The devices hosting it.
    public var hostedOn: [CIID]
    /// CI status.
    public var status: Lifecycle = .active
    /// How critical the service is to the organisation: 1 most critical (core treasury,
    /// e-mail), 2 (internal tools), 3 least (test). Nil when the floor does not say, which
    /// counts as 3 (``effectiveCriticality``): a service nobody ranked does not raise a
    /// ticket's priority. Validation refuses values outside ``criticalities``.
    public var criticality: Int?

    /// The criticality levels: 1 (most critical) … 3 (least).
    public static let criticalities = 1...3

    /// Creates a service.
    public init(id: CIID, name: String, hostedOn: [CIID], status: Lifecycle = .active, criticality: Int? = nil) {
        self.id = id
        self.name = name
        self.hostedOn = hostedOn
        self.status = status
        self.criticality = criticality
    }

    /// ``criticality``, or 3 (the least critical) when it is not set.
    public var effectiveCriticality: Int { criticality ?? Self.criticalities.upperBound }
}
