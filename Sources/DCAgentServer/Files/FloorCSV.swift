package import AgentStore
package import FloorModel
package import Foundation
package import Telemetry

/// The floor as one CSV table (docs/floor.md, "Storing and editing the floor"): one row per
/// object, columns ``header``. Every row carries the object's full value in `json`, so the
/// round trip is lossless; for devices the readable columns `name, rack, type, position, face,
/// lifecycle` are authoritative (a spreadsheet edits them, or adds device rows with `json`
/// empty).
package enum FloorCSV {
    /// The columns.
    package static let header = ["site", "kind", "id", "name", "rack", "type", "position", "face", "lifecycle", "json"]

    package static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    package static func json<T: Encodable>(_ v: T) -> String { (try? String(decoding: encoder.encode(v), as: UTF8.self)) ?? "" }

    /// The CSV text of some floors.
    package static func export(_ floors: [Floor]) -> String {
        var rows = [header]
        for f in floors {
            let s = f.site.id.rawValue
            func row<T: Encodable>(_ kind: String, _ id: String, _ name: String, _ v: T) -> [String] { [s, kind, id, name, "", "", "", "", "", json(v)] }
            rows.append(row("site", s, f.site.name, f.site))
            rows += f.rooms.map { row("room", $0.id.rawValue, $0.name, $0) }
            rows += f.aisles.map { row("aisle", $0.id.rawValue, "", $0) }
            rows += f.racks.map { row("rack", $0.id.rawValue, "", $0) }
            rows += f.deviceTypes.map { row("device-type", $0.slug, $0.model, $0) }
            rows += f.feeds.map { row("feed", $0.id.rawValue, "", $0) }
            rows += f.pdus.map { row("pdu", $0.id.rawValue, "", $0) }
            rows += f.sensors.map { row("sensor", $0.id.rawValue, "", $0) }
            rows += f.devices.map { d in
                [s, "device", d.id.rawValue, d.name, d.rack?.rawValue ?? "", d.type, d.position?.description ?? "", d.face.rawValue, d.lifecycle.rawValue, json(d)]
            }
            rows += f.cables.map { row("cable", $0.id.rawValue, $0.label, $0) }
            rows += f.services.map { row("service", $0.id.rawValue, $0.name, $0) }
        }
        return CSV.write(rows)
    }

    /// Reads floors from CSV text; throws every problem, by object and field.
    package static func floors(_ text: String) throws -> [Floor] {
        let rows: [[String]]
        do { rows = try CSV.parse(text) } catch { throw FloorFileError(file: "CSV", reason: error.description) }
        guard let head = rows.first, head == header else {
            throw FloorFileError(file: "CSV", reason: "the first row must be the header \(header.joined(separator: ","))")
        }
        var problems: [FloorProblem] = []
        var floors: [Floor] = []
        func index(_ site: String) -> Int? { floors.firstIndex { $0.site.id.rawValue == site } }
        for (n, r) in rows.dropFirst().enumerated() {
            let line = n + 2
            guard r.count == header.count else {
                problems.append(.init(object: "line \(line)", field: "columns", code: .invalidValue, message: "has \(r.count) columns, expected \(header.count)"))
                continue
            }
            let (site, kind, id, jsonText) = (r[0], r[1], r[2], r[9])
            let object = id.isEmpty ? "line \(line)" : id
            func decode<T: Decodable>(_ t: T.Type) -> T? {
                do { return try JSONDecoder().decode(t, from: Data(jsonText.utf8)) } catch {
                    problems.append(.init(object: object, field: "json", code: .invalidValue, message: "line \(line): \(jsonText.isEmpty ? "json is empty" : "cannot decode: \(error)")"))
                    return nil
                }
            }
            if kind == "site" {
                if let s = decode(Site.self) {
                    if index(s.id.rawValue) != nil {
                        problems.append(.init(object: object, field: "id", code: .duplicateID, message: "line \(line): site \(s.id) appears twice"))
                    } else { floors.append(Floor(site: s)) }
                }
                continue
            }
            guard let i = index(site) else {
                problems.append(.init(object: object, field: "site", code: .unknownReference, message: "line \(line): site '\(site)' has no site row before it"))
                continue
            }
            switch kind {
            case "room": if let v = decode(Room.self) { floors[i].rooms.append(v) }
            case "aisle": if let v = decode(Aisle.self) { floors[i].aisles.append(v) }
            case "rack": if let v = decode(Rack.self) { floors[i].racks.append(v) }
            case "device-type": if let v = decode(DeviceType.self) { floors[i].deviceTypes.append(v) }
            case "feed": if let v = decode(PowerFeed.self) { floors[i].feeds.append(v) }
            case "pdu": if let v = decode(PDU.self) { floors[i].pdus.append(v) }
            case "sensor": if let v = decode(SensorPlacement.self) { floors[i].sensors.append(v) }
            case "cable": if let v = decode(Cable.self) { floors[i].cables.append(v) }
            case "service": if let v = decode(Service.self) { floors[i].services.append(v) }
            case "device": if let d = device(r, line: line, json: jsonText.isEmpty ? nil : decode(Device.self), &problems) { floors[i].devices.append(d) }
            default:
                problems.append(.init(object: object, field: "kind", code: .unknownEnumValue, message: "line \(line): '\(kind)' is not one of site, room, aisle, rack, device-type, feed, pdu, sensor, device, cable, service"))
            }
        }
        guard problems.isEmpty else { throw FloorImportError(problems: problems) }
        return floors
    }

    /// A device row: the readable columns over the JSON value.
    package static func device(_ r: [String], line: Int, json: Device?, _ problems: inout [FloorProblem]) -> Device? {
        let id = r[2]
        guard let cid = CIID(validating: id) else {
            problems.append(.init(object: id.isEmpty ? "line \(line)" : id, field: "id", code: .invalidValue, message: "line \(line): '\(id)' is not a valid CI id"))
            return nil
        }
        var d = json ?? Device(id: cid, type: r[5], rack: nil, position: nil)
        d.id = cid
        d.name = r[3].isEmpty ? id : r[3]
        d.rack = r[4].isEmpty ? nil : CIID(unchecked: r[4])
        d.type = r[5]
        if r[6].isEmpty {
            d.position = nil
        } else if let v = Double(r[6]), let h = HalfU(exactly: v), h.halves > 0 {
            d.position = h
        } else {
            problems.append(.init(object: id, field: "position", code: .invalidValue, message: "line \(line): position '\(r[6])' must be a positive multiple of 0.5"))
        }
        if r[7].isEmpty {
            // Keep the JSON value (or the default, front).
        } else if let f = RackFace(rawValue: r[7]) { d.face = f } else {
            problems.append(.init(object: id, field: "face", code: .unknownEnumValue, message: "line \(line): '\(r[7])' is not one of \(RackFace.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        if r[8].isEmpty {
            // Keep the JSON value (or the default, active).
        } else if let l = Lifecycle(rawValue: r[8]) { d.lifecycle = l } else {
            problems.append(.init(object: id, field: "lifecycle", code: .unknownEnumValue, message: "line \(line): '\(r[8])' is not one of \(Lifecycle.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return d
    }
}
