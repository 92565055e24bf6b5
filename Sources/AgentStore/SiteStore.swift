public import FloorModel
public import Logging
public import Telemetry

/// The store of one site agent behind one façade: the SQLite database and every repository kept
/// in it, opened once. Callers use its repositories and the read protocols (``EventReading``);
/// none of them sees GRDB. The daemon runs its ``changes`` feed as a service; a CLI command
/// simply never starts it.
public final class SiteStore: Sendable {
    public let database: AgentDatabase
    public let audit: AuditTrail
    public let users: UserRepository
    /// API tokens for machines.
    public let tokens: TokenRepository
    /// The web's login sessions.
    public let sessions: WebSessionTable
    /// Readings, point descriptors and rollups.
    public let samples: SampleStore
    /// The stored floors (sites, rooms, racks, devices…).
    public let floor: FloorRepository
    public let checklists: ChecklistRepository
    /// Obligation records and maintenance windows.
    public let records: RecordsRepository
    /// Events, their change log and the rules engine's state; tells ``changes`` of each commit.
    public let events: EventStore
    /// Operators' actions on events (acknowledge, note, assign, silence).
    public let eventActions: EventActionRepository
    /// The ITSM seam: cursors, the outbox, each opening's ticket links.
    public let itsm: ITSMStore
    /// Built-in incident tickets.
    public let tickets: BuiltinTickets
    /// Problems and known errors, drafted changes and their approval (issue 15).
    public let followUps: ITSMFollowUps
    /// Wakes the event log's consumers on each commit, this process's or another's.
    public let changes: ChangeFeed<ContinuousClock>

    /// Opens (and migrates, unless read-only) the database at `path`; the audit key and anchor
    /// files are created on first use. `logger` is the change feed's.
    public init(
        path: String, options: AgentDatabase.Options = .init(), auditKeyFile: String, auditAnchorFile: String, logger: Logger
    ) throws {
        let database = try AgentDatabase(path: path, options: options)
        let audit = try AuditTrail(database: database, keyFile: auditKeyFile, anchorFile: auditAnchorFile)
        let users = UserRepository(database: database, audit: audit)
        let samples = SampleStore(database: database)
        let changes = ChangeFeed(database: database, clock: ContinuousClock(), logger: logger)
        self.database = database
        self.audit = audit
        self.users = users
        self.tokens = TokenRepository(database: database, audit: audit)
        self.sessions = WebSessionTable(database: database)
        self.samples = samples
        self.floor = FloorRepository(database: database, audit: audit)
        self.checklists = ChecklistRepository(database: database, audit: audit, users: users)
        self.records = RecordsRepository(database: database, audit: audit)
        self.events = EventStore(database: database, samples: samples, feed: changes)
        self.eventActions = EventActionRepository(database: database, audit: audit, feed: changes)
        self.itsm = ITSMStore(database: database)
        self.tickets = BuiltinTickets(database: database)
        self.followUps = ITSMFollowUps(database: database, audit: audit, users: users)
        self.changes = changes
    }

    /// The stored floor holding a CI, or an error naming it.
    public func floor(containing id: String) throws -> Floor {
        guard let f = try floor.floor(containing: CIID(unchecked: id)) else {
            throw StoreError.invalid("\(id) is not on any stored floor (import one with `dcagent floor import FILE`)")
        }
        return f
    }
}
