public import FloorModel
public import Telemetry
import Foundation
import GRDB

/// Why a floor import was refused: every problem of every site, by object and field. Nothing
/// was written.
public struct FloorImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every problem found.
    public var problems: [FloorProblem]

    /// Creates the error.
    public init(problems: [FloorProblem]) { self.problems = problems }

    /// One line per problem.
    public var description: String {
        "floor import refused, nothing written; \(problems.count) problem(s):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// What an import wrote.
public struct FloorImportSummary: Sendable, Equatable {
    /// Sites replaced or created, in import order.
    public var sites: [CIID]
    /// Objects written per kind (`device: 120`).
    public var counts: [String: Int]
}

/// The floor in the database (DESIGN decision 3): import all-or-nothing, load a site's
/// ``Floor`` exactly as imported, and device lifecycle changes; every change is written with its
/// audit row in one transaction.
public struct FloorRepository: Sendable {
    let database: AgentDatabase
    let audit: AuditTrail

    /// Creates the repository.
    public init(database: AgentDatabase, audit: AuditTrail) {
        self.database = database
        self.audit = audit
    }

    /// The sites stored, by id.
    public func siteIDs() throws -> [CIID] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT site FROM floor_sites ORDER BY site").map { CIID(unchecked: $0) }
        }
    }

    /// Changes whenever any stored floor changes (an import, a lifecycle change on approval): for
    /// the rules engine to notice that its topology is out of date.
    public func revision() throws -> String {
        try database.writer.read { try Self.revision($0) }
    }

    public func revision() async throws -> String {
        try await database.writer.read { try Self.revision($0) }
    }

    static func revision(_ db: Database) throws -> String {
        let row = try Row.fetchOne(db, sql: "SELECT count(*), COALESCE(max(updated_ms), 0) FROM floor_sites")
        return "\(row?[0] as Int64? ?? 0):\(row?[1] as Int64? ?? 0)"
    }

    /// True when no floor is stored.
    public func isEmpty() throws -> Bool { try siteIDs().isEmpty }

    /// One site's floor, or nil when the site is not stored.
    public func floor(site: CIID) throws -> Floor? {
        try database.writer.read { db in try FloorRows.load(site: site.rawValue, db) }
    }

    /// Every stored floor, by site id.
    public func floors() throws -> [Floor] {
        try database.writer.read { try Self.floors($0) }
    }

    public func floors() async throws -> [Floor] {
        try await database.writer.read { try Self.floors($0) }
    }

    static func floors(_ db: Database) throws -> [Floor] {
        try String.fetchAll(db, sql: "SELECT site FROM floor_sites ORDER BY site").compactMap { try FloorRows.load(site: $0, db) }
    }

    /// The floor holding a rack, device, PDU, sensor, room or other CI with this id (first site
    /// by id when several hold it).
    public func floor(containing id: CIID) throws -> Floor? {
        try database.writer.read { db in
            guard let site = try FloorRows.site(of: id.rawValue, db) else { return nil }
            return try FloorRows.load(site: site, db)
        }
    }

    /// Imports floors all-or-nothing: each floor is validated (``Floor/validate()``); when any
    /// has a problem nothing is written and every problem is thrown as ``FloorImportError``.
    /// Otherwise each named site is replaced by its new floor in ONE transaction with its audit
    /// row (`floor.import`, by `actor`, naming `source`).
    @discardableResult
    public func importFloors(_ floors: [Floor], actor: String, source: String) throws -> FloorImportSummary {
        var problems = floors.flatMap { $0.validate() }
        var seen: Set<CIID> = []
        for f in floors where !seen.insert(f.site.id).inserted {
            problems.append(FloorProblem(object: f.site.id.rawValue, field: "id", code: .duplicateID, message: "site \(f.site.id) appears twice in the import"))
        }
        if floors.isEmpty {
            problems.append(FloorProblem(object: "document", field: "sites", code: .invalidValue, message: "the import holds no site"))
        }
        problems += try idsUsedInOtherSites(floors)
        guard problems.isEmpty else { throw FloorImportError(problems: problems) }
        var counts: [String: Int] = [:]
        for f in floors {
            for (kind, n) in FloorRows.counts(f) { counts[kind, default: 0] += n }
        }
        let sites = floors.map(\.site.id)
        var details = counts.mapValues(String.init)
        details["sites"] = sites.map(\.rawValue).joined(separator: ",")
        details["source"] = source
        try audit.append(actor: actor, action: "floor.import", object: "site/" + sites.map(\.rawValue).joined(separator: ","), details: details) { db in
            for f in floors { try FloorRows.replace(f, db) }
        }
        return FloorImportSummary(sites: sites, counts: counts)
    }

    /// One agent keeps CI ids unique across all its sites (DESIGN decision 1 asks it per site):
    /// readings, events, checklists and tickets name a CI by its id alone, so an id in two sites
    /// would merge two sensors' readings or send an event to the wrong room. Checks the import
    /// against itself and against the stored sites it does not replace.
    private func idsUsedInOtherSites(_ floors: [Floor]) throws -> [FloorProblem] {
        let replaced = Set(floors.map(\.site.id.rawValue))
        var owner: [String: String] = try database.writer.read { db in
            var out: [String: String] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT key, site FROM floor_objects WHERE kind <> ? UNION SELECT site, site FROM floor_sites",
                arguments: [FloorRows.Kind.deviceType.rawValue])
            for row in rows where !replaced.contains(row[1] as String) { out[row[0]] = row[1] }
            return out
        }
        var problems: [FloorProblem] = []
        var reported: Set<String> = []
        for f in floors {
            let site = f.site.id.rawValue
            for (id, kind) in f.ciIDs {
                if let other = owner[id.rawValue], other != site {
                    if reported.insert(id.rawValue).inserted {
                        problems.append(
                            FloorProblem(
                                object: id.rawValue, field: "id", code: .duplicateID,
                                message: "\(kind) id \(id) of site \(site) is also used in site \(other); one agent needs CI ids unique across its sites (readings, events and tickets name a CI by its id alone)"
                            ))
                    }
                } else {
                    owner[id.rawValue] = site
                }
            }
        }
        return problems
    }

    /// Moves a device to another lifecycle state, if the model allows that step
    /// (``Lifecycle/allowedNext``); audited as `device.lifecycle` with the reason.
    public func setLifecycle(device id: CIID, to state: Lifecycle, reason: String, actor: String) throws {
        guard !reason.isEmpty else { throw StoreError.invalid("device \(id): field lifecycle: a lifecycle change needs a reason") }
        guard let before = try database.writer.read({ db in try FloorRows.device(id.rawValue, db) }) else {
            throw StoreError.invalid("device \(id) is not on any stored floor")
        }
        let from = before.lifecycle
        guard from.allowedNext.contains(state) else {
            throw StoreError.invalid(
                "device \(id): field lifecycle: cannot move from \(from.rawValue) to \(state.rawValue) (allowed: \(from.allowedNext.map(\.rawValue).sorted().joined(separator: ", ")))"
            )
        }
        try audit.append(
            actor: actor, action: "device.lifecycle", object: "device/\(id)", details: ["from": from.rawValue, "to": state.rawValue, "reason": reason]
        ) { db in
            guard var device = try FloorRows.device(id.rawValue, db), device.lifecycle == from else {
                throw StoreError.invalid("device \(id) changed while its lifecycle was being set; try again")
            }
            device.lifecycle = state
            try FloorRows.updateDevice(device, db)
        }
    }
}
