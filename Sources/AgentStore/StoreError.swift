import Foundation
public import GRDB
public import Telemetry

/// An error of the store, with the context a person needs to act on it: a ``StoreErrorCode`` and
/// the message (the shape every coded failure of DCAgent has, ``CodedFailure``).
public typealias StoreError = CodedFailure<StoreErrorCode>

/// The classes of ``StoreError``.
public enum StoreErrorCode: Hashable, Sendable {
    case notWritable, newerSchema, olderSchema, locked, notADatabase, integrity, unknownUser, userDisabled
    case notAllowed, duplicateUser, invalid, audit, io, busy, notFound, conflict
}

extension CodedFailure where Class == StoreErrorCode {
    /// What went wrong, for a person.
    public var message: String { detail }

    /// The database path cannot be created or written.
    public static func notWritable(_ path: String, _ reason: String) -> Self {
        Self(.notWritable, "database \(path) is not writable: \(reason)")
    }
    /// The database was written by a newer DCAgent (unknown migrations).
    public static func newerSchema(_ path: String, unknown: [String]) -> Self {
        Self(
            .newerSchema,
            "database \(path) was written by a newer DCAgent (unknown schema migrations: \(unknown.joined(separator: ", "))); upgrade dcagent or restore an older backup"
        )
    }
    /// A read-only command met a database not yet upgraded to this DCAgent's schema.
    public static func olderSchema(_ path: String, missing: [String]) -> Self {
        Self(
            .olderSchema,
            "database \(path) has not been upgraded to this DCAgent yet (missing schema migrations: \(missing.joined(separator: ", "))); start the daemon, or run a command that changes data, once to upgrade it"
        )
    }
    /// Another process (a running daemon) holds the database.
    public static func locked(_ path: String, holder: String) -> Self {
        Self(.locked, "database \(path) is in use by \(holder); stop the daemon first")
    }
    /// True when another process held the database's write lock past the busy timeout: the
    /// operation may succeed if tried again.
    public var isBusy: Bool { code == .busy }

    /// Another process held the write lock longer than the busy timeout (SQLITE_BUSY, or
    /// SQLITE_LOCKED); nil when `error` is something else.
    public static func busy(_ path: String, timeout: Duration, ifBusy error: DatabaseError) -> Self? {
        guard error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED else { return nil }
        return Self(
            .busy,
            "database \(path) is busy: another process (the daemon or another dcagent command) held its write lock longer than storage.busy_timeout (\(DurationText.format(timeout))); try again (\(error.message ?? "database is locked"))"
        )
    }
    /// A file is not a DCAgent database.
    public static func notADatabase(_ path: String, _ reason: String) -> Self {
        Self(.notADatabase, "\(path) is not a usable DCAgent database: \(reason)")
    }
    /// `PRAGMA integrity_check` failed.
    public static func integrity(_ path: String, _ detail: String) -> Self {
        Self(.integrity, "database \(path) failed its integrity check: \(detail)")
    }
    /// The named user does not exist.
    public static func unknownUser(_ name: String) -> Self {
        Self(.unknownUser, "user '\(name)' is not registered (add one with `dcagent user add NAME --role ROLE`)")
    }
    /// The named user is disabled.
    public static func userDisabled(_ name: String) -> Self {
        Self(.userDisabled, "user '\(name)' is disabled")
    }
    /// The actor's role does not allow the action.
    public static func notAllowed(_ actor: String, role: Role, action: String, needs: Role) -> Self {
        Self(.notAllowed, "user '\(actor)' (role \(role.rawValue)) may not \(action); it needs role \(needs.rawValue) or higher")
    }
    /// A user of that name exists already.
    public static func duplicateUser(_ name: String) -> Self {
        Self(.duplicateUser, "user '\(name)' exists already")
    }
    /// Invalid input to a store operation.
    public static func invalid(_ message: String) -> Self { Self(.invalid, message) }
    /// What the operation names does not exist.
    public static func notFound(_ message: String) -> Self { Self(.notFound, message) }
    /// The operation does not fit the state of what it names (acknowledging a resolved event).
    public static func conflict(_ message: String) -> Self { Self(.conflict, message) }
    /// The audit trail cannot be written or read.
    public static func audit(_ message: String) -> Self { Self(.audit, message) }
    /// A file operation failed.
    public static func io(_ path: String, _ reason: String) -> Self { Self(.io, "\(path): \(reason)") }
}
