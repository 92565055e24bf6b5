public import ContaminationRules
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
