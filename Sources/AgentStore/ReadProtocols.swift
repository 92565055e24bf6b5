public import ContaminationRules
public import FloorModel
public import Telemetry
import GRDB

/// What the web layer and other consumers read about events, whatever store holds them: the
/// site agent's SQLite (``EventStore``) or, later, the central PostgreSQL store. Readers never
/// see SQL or GRDB; every method reads through the store's own async API, off the cooperative
/// thread pool's blocking path.
public protocol EventReading: Sendable {
    /// Events matching a query, newest first.
    func events(_ query: EventQuery) async throws -> [StoredEvent]
    /// One event and its changes, oldest first; nil when there is no such event.
    func event(id: Int64) async throws -> (event: StoredEvent, changes: [StoredEventChange])?
    /// The change log after `seq`, oldest first, at most `limit` changes.
    func changes(after seq: Int64, limit: Int) async throws -> [StoredEventChange]
    /// The sequence number of the latest change (0 when there is none).
    func lastChangeSeq() async throws -> Int64
    /// Which ticket an opening became at each target, and why (or why none).
    func ticketLinks(of opening: OpeningKey) async throws -> [TicketLink]
}

extension EventStore: EventReading {
    public func events(_ query: EventQuery) async throws -> [StoredEvent] {
        try await database.writer.read { try Self.events(query, $0) }
    }

    public func event(id: Int64) async throws -> (event: StoredEvent, changes: [StoredEventChange])? {
        try await database.writer.read { try Self.event(id: id, $0) }
    }

    public func changes(after seq: Int64, limit: Int) async throws -> [StoredEventChange] {
        try await database.writer.read { try Self.changes(after: seq, limit: limit, $0) }
    }

    public func lastChangeSeq() async throws -> Int64 {
        try await database.writer.read { try Self.lastChangeSeq($0) }
    }

    public func ticketLinks(of opening: OpeningKey) async throws -> [TicketLink] {
        try await ITSMStore(database: database).links(of: opening)
    }
}

// MARK: - Follow-up of events

/// What the follow-up figures read (issue 15 item 6; `GET /api/v1/itsm/report`,
/// `dcagent itsm report`): each opening of a site's events in a window, with its first
/// acknowledgement, its resolve and its tickets.
public protocol FollowUpReading: Sendable {
    /// The openings of `site` first seen in `[from, to)`, oldest first.
    func followUps(site: CIID, from: Timestamp, to: Timestamp) async throws -> [OpeningFollowUp]
}

extension EventStore: FollowUpReading {}

// MARK: - The floor

/// What the web reads of the stored floors, whatever store holds them.
public protocol FloorReading: Sendable {
    /// Every stored floor, by site id.
    func floors() async throws -> [Floor]
    /// The floor holding a rack, device, PDU, sensor, room or other CI with this id; nil when
    /// none does.
    func floor(containing id: CIID) async throws -> Floor?
    /// Changes whenever any stored floor changes (an import, an add, a move, a lifecycle step).
    func revision() async throws -> String
}

/// Changes to the floor, each checked by the one fit check (DESIGN decision 9) and written
/// with its audit row; refusals are ``FloorEditError`` (lifecycle steps: ``StoreError``).
public protocol FloorEditing: Sendable {
    /// Adds a new device to the floor of its rack's site.
    func addDevice(_ device: Device, actor: String) async throws -> FloorEdit
    /// Moves a stored device within its site; `poweredBy` nil keeps its PDUs in the same rack
    /// and clears them in another.
    func moveDevice(_ id: CIID, to rack: CIID, position: HalfU?, face: RackFace, poweredBy: [CIID]?, actor: String) async throws -> FloorEdit
    /// Moves a device to another lifecycle state (decommissioning, …) with a reason.
    func setLifecycle(device id: CIID, to state: Lifecycle, reason: String, actor: String) async throws
    /// The problems a move of `device`, or an add of a new device of `type`, would be refused
    /// with — without writing; empty when it fits.
    func fitPreview(device: CIID?, type: String?, rack: CIID, position: HalfU?, face: RackFace) async throws -> [FitProblem]
    /// The problems adding exactly this device would be refused with, without writing.
    func fitPreview(adding device: Device) async throws -> [FitProblem]
}

extension FloorRepository: FloorReading, FloorEditing {}

// MARK: - Samples

/// What the web reads of readings and rollups, whatever store holds them.
public protocol SampleReading: Sendable {
    /// The last stored reading of each point of a CI (every point when nil), by point id.
    func latest(ci: CIID?) async throws -> [Reading]
    /// Raw samples of a point in `[from, to)`, oldest first, at most `limit`.
    func samples(_ point: PointID, from: Timestamp, to: Timestamp, limit: Int) async throws -> [Reading]
    /// Hourly rollups of a point whose hour starts in `[from, to)`, oldest first.
    func rollups(_ point: PointID, from: Timestamp, to: Timestamp) async throws -> [HourlyRollup]
    /// The registered points that have a quantity, by id.
    func descriptors() async throws -> [PointDescriptor]
}

extension SampleStore: SampleReading {}

// MARK: - The audit trail

/// What the web reads of the audit trail: a viewer, a CI's history, the chain's check.
public protocol AuditReading: Sendable {
    /// Rows newest first, at most `limit`, older than `beforeSeq`; `object` nil for all rows,
    /// `KIND/ID` for one object, a CI id for that CI's history
    /// (``AuditTrail/entries(object:limit:beforeSeq:)``).
    func entries(object: String?, limit: Int, beforeSeq: Int64?) async throws -> [AuditTrail.Entry]
    /// Recomputes the chain and compares it with the anchor file.
    func verify() async throws -> AuditTrail.Verification
}

extension AuditTrail: AuditReading {}

// MARK: - Checklists and records

/// What the web reads of checklist runs.
public protocol ChecklistReading: Sendable {
    /// Runs bound to a device or rack, oldest first.
    func runs(target: CIID) async throws -> [ChecklistRun]
    /// One run by id (`CL-3`), or nil.
    func run(id: String) async throws -> ChecklistRun?
}

extension ChecklistRepository: ChecklistReading {
    public func runs(target: CIID) async throws -> [ChecklistRun] {
        try await database.writer.read { try Self.runs(target: target, $0) }
    }

    public func run(id: String) async throws -> ChecklistRun? {
        try await database.writer.read { try Self.load(id, $0) }
    }
}

/// What the web reads of obligation records (DESIGN decision 10) and maintenance windows.
public protocol RecordReading: Sendable {
    /// Every obligation record, oldest first.
    func records() async throws -> [ObligationRecord]
    /// Maintenance windows that end after `since`, by start.
    func windows(endingAfter since: Timestamp) async throws -> [StoredMaintenanceWindow]
}

extension RecordsRepository: RecordReading {}
