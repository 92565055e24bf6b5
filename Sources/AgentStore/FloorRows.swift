import FloorModel
import Foundation
import GRDB
import Telemetry

/// The mapping between a ``Floor`` and the `floor_sites` / `floor_objects` rows of migration
/// `v2-floor-checklists`: one row per object, its model value as canonical JSON, its place in
/// the floor's array in `ord`. Runs inside the caller's transaction.
enum FloorRows {
    /// Object kinds as stored in `floor_objects.kind`.
    enum Kind: String, CaseIterable {
        case room, aisle, rack, device, deviceType = "device-type", feed, pdu, sensor, cable, service
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try encoder.encode(v), as: UTF8.self) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw StoreError.invalid("stored \(what) cannot be read: \(error)")
        }
    }

    /// Object counts of a floor by kind.
    static func counts(_ f: Floor) -> [String: Int] {
        [
            Kind.room.rawValue: f.rooms.count, Kind.aisle.rawValue: f.aisles.count, Kind.rack.rawValue: f.racks.count,
            Kind.device.rawValue: f.devices.count, Kind.deviceType.rawValue: f.deviceTypes.count, Kind.feed.rawValue: f.feeds.count,
            Kind.pdu.rawValue: f.pdus.count, Kind.sensor.rawValue: f.sensors.count, Kind.cable.rawValue: f.cables.count,
            Kind.service.rawValue: f.services.count,
        ]
    }

    /// Deletes the site's rows and writes the floor.
    static func replace(_ f: Floor, _ db: Database) throws {
        let site = f.site.id.rawValue
        try db.execute(sql: "DELETE FROM floor_objects WHERE site = ?", arguments: [site])
        try db.execute(sql: "DELETE FROM floor_sites WHERE site = ?", arguments: [site])
        try db.execute(
            sql: "INSERT INTO floor_sites(site, json, updated_ms) VALUES (?, ?, ?)",
            arguments: [site, try json(f.site), Timestamp.now.milliseconds])
        func put<T: Encodable>(_ kind: Kind, _ items: [T], key: (T) -> String) throws {
            for (i, item) in items.enumerated() {
                try db.execute(
                    sql: "INSERT INTO floor_objects(site, kind, key, ord, json) VALUES (?, ?, ?, ?, ?)",
                    arguments: [site, kind.rawValue, key(item), i, try json(item)])
            }
        }
        try put(.room, f.rooms) { $0.id.rawValue }
        try put(.aisle, f.aisles) { $0.id.rawValue }
        try put(.rack, f.racks) { $0.id.rawValue }
        try put(.device, f.devices) { $0.id.rawValue }
        try put(.deviceType, f.deviceTypes) { $0.slug }
        try put(.feed, f.feeds) { $0.id.rawValue }
        try put(.pdu, f.pdus) { $0.id.rawValue }
        try put(.sensor, f.sensors) { $0.id.rawValue }
        try put(.cable, f.cables) { $0.id.rawValue }
        try put(.service, f.services) { $0.id.rawValue }
    }

    /// Loads a site's floor, or nil.
    static func load(site: String, _ db: Database) throws -> Floor? {
        guard let siteJSON = try String.fetchOne(db, sql: "SELECT json FROM floor_sites WHERE site = ?", arguments: [site]) else { return nil }
        func all<T: Decodable>(_ kind: Kind, _ type: T.Type) throws -> [T] {
            try Row.fetchAll(
                db, sql: "SELECT key, json FROM floor_objects WHERE site = ? AND kind = ? ORDER BY ord", arguments: [site, kind.rawValue]
            ).map { row in try decode(type, row[1], "\(kind.rawValue) \(row[0] as String) of site \(site)") }
        }
        return Floor(
            site: try decode(Site.self, siteJSON, "site \(site)"), rooms: try all(.room, Room.self), aisles: try all(.aisle, Aisle.self),
            racks: try all(.rack, Rack.self), devices: try all(.device, Device.self), deviceTypes: try all(.deviceType, DeviceType.self),
            feeds: try all(.feed, PowerFeed.self), pdus: try all(.pdu, PDU.self), sensors: try all(.sensor, SensorPlacement.self),
            cables: try all(.cable, Cable.self), services: try all(.service, Service.self))
    }

    /// The site holding a CI id (first by site id), or nil.
    static func site(of id: String, _ db: Database) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT site FROM floor_objects WHERE key = ? AND kind <> ? ORDER BY site LIMIT 1"),
            arguments: [id, Kind.deviceType.rawValue])
    }

    /// A device by id (first site by id), or nil.
    static func device(_ id: String, _ db: Database) throws -> Device? {
        try String.fetchOne(
            db, sql: "SELECT json FROM floor_objects WHERE kind = ? AND key = ? ORDER BY site LIMIT 1", arguments: [Kind.device.rawValue, id]
        ).map { try decode(Device.self, $0, "device \(id)") }
    }

    /// Rewrites a stored device's value in place (its position in the floor is kept).
    static func updateDevice(_ d: Device, _ db: Database) throws {
        let site = try String.fetchOne(
            db, sql: "SELECT site FROM floor_objects WHERE kind = ? AND key = ? ORDER BY site LIMIT 1", arguments: [Kind.device.rawValue, d.id.rawValue])
        guard let site else { throw StoreError.invalid("device \(d.id) is not on any stored floor") }
        try db.execute(
            sql: "UPDATE floor_objects SET json = ? WHERE site = ? AND kind = ? AND key = ?",
            arguments: [try json(d), site, Kind.device.rawValue, d.id.rawValue])
        try touch(site: site, db)
    }

    /// Adds a device to a stored site's floor, after its other devices.
    static func insertDevice(_ d: Device, site: String, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO floor_objects(site, kind, key, ord, json)
                VALUES (?1, ?2, ?3, (SELECT COALESCE(max(ord), -1) + 1 FROM floor_objects WHERE site = ?1 AND kind = ?2), ?4)
                """,
            arguments: [site, Kind.device.rawValue, d.id.rawValue, try json(d)])
        try touch(site: site, db)
    }

    /// Marks a site's floor as changed so that ``FloorRepository/revision()`` changes: its
    /// `updated_ms` becomes now, or one past the latest of all sites when that is later (two
    /// edits in one millisecond, or a clock set back, still give a new revision).
    static func touch(site: String, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE floor_sites SET updated_ms = max(?, (SELECT max(updated_ms) FROM floor_sites) + 1) WHERE site = ?",
            arguments: [Timestamp.now.milliseconds, site])
    }

    /// What already holds a CI id in any stored site, as (site, kind) — a site id is its own
    /// site, of kind `site`; nil when the id is free. Device types are not CIs.
    static func owner(of id: String, _ db: Database) throws -> (site: String, kind: String)? {
        if try String.fetchOne(db, sql: "SELECT site FROM floor_sites WHERE site = ?", arguments: [id]) != nil { return (id, "site") }
        let row = try Row.fetchOne(
            db, sql: "SELECT site, kind FROM floor_objects WHERE key = ? AND kind <> ? ORDER BY site LIMIT 1",
            arguments: [id, Kind.deviceType.rawValue])
        return row.map { ($0[0], $0[1]) }
    }
}
