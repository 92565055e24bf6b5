public import FloorModel
public import Telemetry
import GRDB

/// What a floor edit wrote: the device before and after, and the floor's new revision.
public struct FloorEdit: Sendable, Hashable {
    /// The device as it was; nil for an add.
    public var before: Device?
    /// The device as stored now.
    public var device: Device
    /// ``FloorRepository/revision()`` after the edit (unchanged when nothing was written).
    public var revision: String
    /// False when the edit asked for what was already stored: nothing written, no audit row.
    public var changed: Bool
}

// MARK: - Editing the floor through the one fit check

extension FloorRepository {
    /// Adds a new device to a stored floor: its id must be a valid CI id used by nothing in any
    /// stored site, its rack must be stored (the rack decides the site) and its type in that
    /// site's library, and it must pass the one fit check (``FitCheck``, DESIGN decision 9)
    /// against the floor as stored — with the rack's measured power too when the device is
    /// planned or staged (not drawing yet). Otherwise throws ``FloorEditError`` and writes
    /// nothing; ``fitPreview(adding:)`` answers the same without writing.
    ///
    /// The device and its audit row (`device.add`, object `device/ID`, details `*.after`: type,
    /// rack, position, face, lifecycle, powered_by, and `revision.before`/`revision.after`) are
    /// written in one transaction; the floor's revision changes.
    @discardableResult
    public func addDevice(_ device: Device, actor: String) throws -> FloorEdit {
        var edit: FloorEdit?
        try audit.append(actor: actor, action: "device.add", object: "device/\(device.id)") { db in
            let revisionBefore = try Self.revision(db)
            let placement = try Self.placeNew(device, db, now: .now)
            guard placement.problems.isEmpty else {
                throw FloorEditError.doesNotFit(device.id.rawValue, rack: placement.rack, placement.problems)
            }
            try FloorRows.insertDevice(device, site: placement.site, db)
            // Points polled before their device was recorded may have been left without a site.
            try db.execute(sql: "UPDATE points SET site = ? WHERE ci = ? AND site IS NULL", arguments: [placement.site, device.id.rawValue])
            let revision = try Self.revision(db)
            edit = FloorEdit(before: nil, device: device, revision: revision, changed: true)
            var details = Self.placementDetails(nil, device)
            details["type.after"] = device.type
            details["lifecycle.after"] = device.lifecycle.rawValue
            details["site"] = placement.site
            details["revision.before"] = revisionBefore
            details["revision.after"] = revision
            return details
        }
        return edit!
    }

    /// Moves a stored device to a rack of its site, at a position (nil for 0U) and face, if it
    /// passes the one fit check there against the floor as stored (the device itself left
    /// out), with the rack's measured power when the device is not yet drawing in that rack.
    /// Otherwise throws ``FloorEditError`` and writes nothing.
    ///
    /// `poweredBy` names the PDUs it will draw from; nil keeps them when the rack stays the
    /// same and clears them on a move to another rack (PDUs stay in their rack). Asking for
    /// the place the device already has writes nothing (``FloorEdit/changed`` is false).
    ///
    /// The device and its audit row (`device.move`, object `device/ID`, details `rack.before`,
    /// `rack.after`, `position.*`, `face.*`, `powered_by.*`, `revision.*`) are written in one
    /// transaction; the floor's revision changes.
    @discardableResult
    public func moveDevice(
        _ id: CIID, to rack: CIID, position: HalfU?, face: RackFace, poweredBy: [CIID]? = nil, actor: String
    ) throws -> FloorEdit {
        // Already there: nothing to write, and no audit row for a change that did not happen.
        if let stored = try database.writer.read({ db in try FloorRows.device(id.rawValue, db) }),
            stored.rack == rack, stored.position == position, stored.face == face, poweredBy == nil || poweredBy == stored.poweredBy
        {
            return FloorEdit(before: stored, device: stored, revision: try revision(), changed: false)
        }
        var edit: FloorEdit?
        try audit.append(actor: actor, action: "device.move", object: "device/\(id)") { db in
            let revisionBefore = try Self.revision(db)
            // Checked inside the write transaction: against the floor as stored when the move is written.
            let placement = try Self.placeMove(id, to: rack, position: position, face: face, poweredBy: poweredBy, db, now: .now)
            guard placement.problems.isEmpty else { throw FloorEditError.doesNotFit(id.rawValue, rack: rack, placement.problems) }
            try FloorRows.updateDevice(placement.after, db)
            let revision = try Self.revision(db)
            edit = FloorEdit(before: placement.before, device: placement.after, revision: revision, changed: true)
            var details = Self.placementDetails(placement.before, placement.after)
            details["site"] = placement.site
            details["revision.before"] = revisionBefore
            details["revision.after"] = revision
            return details
        }
        return edit!
    }

    /// The problems the one fit check finds with placing a device — exactly the ones
    /// ``moveDevice(_:to:position:face:poweredBy:actor:)`` (with `poweredBy` nil) or an add
    /// would refuse with — without writing anything: for a live "does it fit" answer before
    /// saving. Empty means it fits.
    ///
    /// With `device`, previews moving that stored device (`type`, if given, must be its type).
    /// Without, previews a new, planned device of `type` with the type's weight, power and
    /// airflow and no PDUs. Throws ``FloorEditError`` for an unknown device, rack or type.
    public func fitPreview(device: CIID?, type: String?, rack: CIID, position: HalfU?, face: RackFace) throws -> [FitProblem] {
        try database.writer.read { db in try Self.preview(device: device, type: type, rack: rack, position: position, face: face, db) }
    }

    /// The fit problems of adding exactly this device (with its own weight, power, airflow, PDUs
    /// and lifecycle): what ``addDevice(_:actor:)`` would refuse with, without writing.
    public func fitPreview(adding device: Device) throws -> [FitProblem] {
        try database.writer.read { db in try Self.placeNew(device, db, now: .now).problems }
    }

    // MARK: Async variants

    /// ``addDevice(_:actor:)`` on a Dispatch thread, off the cooperative pool (the audit's file
    /// lock and the write block).
    @discardableResult
    public func addDevice(_ device: Device, actor: String) async throws -> FloorEdit {
        try await Blocking.run { try self.addDevice(device, actor: actor) }
    }

    /// ``moveDevice(_:to:position:face:poweredBy:actor:)`` on a Dispatch thread, off the
    /// cooperative pool.
    @discardableResult
    public func moveDevice(
        _ id: CIID, to rack: CIID, position: HalfU?, face: RackFace, poweredBy: [CIID]? = nil, actor: String
    ) async throws -> FloorEdit {
        try await Blocking.run { try self.moveDevice(id, to: rack, position: position, face: face, poweredBy: poweredBy, actor: actor) }
    }

    /// ``setLifecycle(device:to:reason:actor:)`` on a Dispatch thread, off the cooperative pool.
    public func setLifecycle(device id: CIID, to state: Lifecycle, reason: String, actor: String) async throws {
        try await Blocking.run { try self.setLifecycle(device: id, to: state, reason: reason, actor: actor) }
    }

    /// ``fitPreview(device:type:rack:position:face:)`` through the database's async read.
    public func fitPreview(device: CIID?, type: String?, rack: CIID, position: HalfU?, face: RackFace) async throws -> [FitProblem] {
        try await database.writer.read { db in try Self.preview(device: device, type: type, rack: rack, position: position, face: face, db) }
    }

    /// ``fitPreview(adding:)`` through the database's async read.
    public func fitPreview(adding device: Device) async throws -> [FitProblem] {
        try await database.writer.read { db in try Self.placeNew(device, db, now: .now).problems }
    }

    /// The floor holding a CI, through the database's async read (first site by id), or nil.
    public func floor(containing id: CIID) async throws -> Floor? {
        try await database.writer.read { db in
            guard let site = try FloorRows.site(of: id.rawValue, db) else { return nil }
            return try FloorRows.load(site: site, db)
        }
    }

    // MARK: The one path: place, then check

    /// A device placed on the floor as stored, with what the fit check says of it.
    struct Placement {
        /// The site whose floor holds it.
        var site: String
        /// The rack it goes into.
        var rack: CIID
        /// The device as stored, nil for a new one.
        var before: Device?
        /// The device as it would be stored.
        var after: Device
        /// Every reason it does not fit; empty when it fits.
        var problems: [FitProblem]
    }

    /// A stored device moved to `rack` at `position` and `face`, checked.
    static func placeMove(
        _ id: CIID, to rack: CIID, position: HalfU?, face: RackFace, poweredBy: [CIID]?, _ db: Database, now: Timestamp
    ) throws -> Placement {
        let name = id.rawValue
        guard let site = try FloorRows.site(of: name, db), let floor = try FloorRows.load(site: site, db), let before = floor.device(id) else {
            throw FloorEditError.unknownDevice(name)
        }
        guard before.lifecycle.occupiesSpace else {
            throw FloorEditError.invalid(name, field: "lifecycle", "device \(id) is \(before.lifecycle.rawValue); a disposed device takes no place in a rack")
        }
        guard floor.rack(rack) != nil else {
            if let owner = try FloorRows.owner(of: rack.rawValue, db), owner.kind == FloorRows.Kind.rack.rawValue {
                throw FloorEditError.invalid(name, field: "rack", "rack \(rack) is in site \(owner.site), device \(id) in site \(site); a device moves within its site")
            }
            throw FloorEditError.unknownRack(name, rack: rack)
        }
        var after = before
        after.rack = rack
        after.position = position
        after.face = face
        after.poweredBy = poweredBy ?? (before.rack == rack ? before.poweredBy : [])
        // Where it already is, it fits: the stored floor passed the same check.
        let problems = after == before ? [] : try fitProblems(after, before: before, floor: floor, site: site, db, now: now)
        return Placement(site: site, rack: rack, before: before, after: after, problems: problems)
    }

    /// A new device placed in its rack, checked; refuses a bad or used id, a missing or
    /// unknown rack and an unknown type.
    static func placeNew(_ device: Device, _ db: Database, now: Timestamp) throws -> Placement {
        let name = device.id.rawValue
        guard CIID.isValid(name) else {
            throw FloorEditError.invalid(name, field: "id", "'\(name)' is not a CI id (1–64 letters, digits, '-', '_' or '.', starting with a letter or digit)")
        }
        if let owner = try FloorRows.owner(of: name, db) { throw FloorEditError.idInUse(name, kind: owner.kind, site: owner.site) }
        guard let rack = device.rack else { throw FloorEditError.invalid(name, field: "rack", "a new device needs a rack (the rack decides its site)") }
        guard let site = try FloorRows.site(of: rack.rawValue, db), let floor = try FloorRows.load(site: site, db), floor.rack(rack) != nil else {
            throw FloorEditError.unknownRack(name, rack: rack)
        }
        let problems = try fitProblems(device, before: nil, floor: floor, site: site, db, now: now)
        return Placement(site: site, rack: rack, before: nil, after: device, problems: problems)
    }

    /// What ``fitPreview(device:type:rack:position:face:)`` answers, in a transaction.
    static func preview(device: CIID?, type: String?, rack: CIID, position: HalfU?, face: RackFace, _ db: Database) throws -> [FitProblem] {
        if let device {
            let placement = try placeMove(device, to: rack, position: position, face: face, poweredBy: nil, db, now: .now)
            if let type, type != placement.after.type {
                throw FloorEditError.invalid(device.rawValue, field: "type", "device \(device) is of type \(placement.after.type), not \(type)")
            }
            return placement.problems
        }
        guard let type else { throw FloorEditError.invalid("", field: "type", "a preview names a stored device or a device type") }
        guard let site = try FloorRows.site(of: rack.rawValue, db), let floor = try FloorRows.load(site: site, db), floor.rack(rack) != nil else {
            throw FloorEditError.unknownRack("", rack: rack)
        }
        let candidate = Device(id: CIID(unchecked: ""), type: type, rack: rack, position: position, face: face, lifecycle: .planned)
        return try fitProblems(candidate, before: nil, floor: floor, site: site, db, now: .now, hypothetical: true)
    }

    /// The one fit check (``FitCheck/problems(_:in:floor:context:)``) of `candidate` in its
    /// rack against the floor as stored, `before` (the stored device, when it moves) left out.
    ///
    /// The rack's measured power (``FitContext/measuredW``: the fresh `power_total` of the rack
    /// and its PDUs, read by ``MeasuredPower`` as checklist runs read it) counts only when the
    /// candidate is not drawing in that rack yet: planned or staged, or arriving from another
    /// rack. A running device recorded in place is already in the measurement, as
    /// ``AutoCheck`` reasons for a checklist.
    static func fitProblems(
        _ candidate: Device, before: Device?, floor: Floor, site: String, _ db: Database, now: Timestamp, hypothetical: Bool = false
    ) throws -> [FitProblem] {
        let name = candidate.id.rawValue
        guard let rackID = candidate.rack, let rack = floor.rack(rackID) else {
            throw FloorEditError.unknownRack(name, rack: candidate.rack ?? CIID(unchecked: ""))
        }
        guard var mountable = floor.mountable(candidate) else { throw FloorEditError.unknownType(name, type: candidate.type, site: site) }
        if hypothetical { mountable.id = nil }
        var context = FitContext(floor: floor, rack: rack.id, excluding: before?.id)
        let notYetDrawing = candidate.lifecycle == .planned || candidate.lifecycle == .staged
        let arriving = before.map { $0.rack != rack.id } ?? false
        if notYetDrawing || arriving {
            context.measuredW = try MeasuredPower.watts(db, floor: floor, rack: rack.id, now: now)
        }
        return FitCheck.problems(mountable, in: rack, floor: floor, context: context)
    }

    /// The placement fields of a device before and after, as audit details (`rack.before`,
    /// `rack.after`, …); an absent value is empty; a new device has only `*.after`.
    static func placementDetails(_ before: Device?, _ after: Device) -> [String: String] {
        func fields(_ d: Device) -> [String: String] {
            [
                "rack": d.rack?.rawValue ?? "", "position": d.position?.description ?? "", "face": d.face.rawValue,
                "powered_by": d.poweredBy.map(\.rawValue).joined(separator: ","),
            ]
        }
        var out: [String: String] = [:]
        for (k, v) in fields(after) { out[k + ".after"] = v }
        if let before { for (k, v) in fields(before) { out[k + ".before"] = v } }
        return out
    }
}
