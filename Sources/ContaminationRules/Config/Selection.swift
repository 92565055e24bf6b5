import Foundation
import Telemetry

/// A selector resolved against a topology.
struct Selection {
    var points: [PointID]
    var devices: [CIID]
    var rooms: [CIID]
}

extension RuleTopology {
    /// Resolves a selector; unknown ids and quantities become problems naming the key.
    func resolve(_ sel: RawSelector?, rule: String, problems: inout [RuleProblem]) -> Selection {
        let sel = sel ?? RawSelector()
        func ids(_ list: [String]?, key: String, known: (CIID) -> Bool, what: String) -> Set<CIID>? {
            guard let list else { return nil }
            var out: Set<CIID> = []
            for (i, text) in list.enumerated() {
                if let id = CIID(validating: text), known(id) {
                    out.insert(id)
                } else {
                    problems.append(RuleProblem(rule: rule, key: "select.\(key)[\(i)]", message: "unknown \(what) '\(text)'"))
                }
            }
            return out
        }
        let devs = ids(sel.devices, key: "devices", known: { devices[$0] != nil }, what: "device")
        let racksSel = ids(sel.racks, key: "racks", known: { racks[$0] != nil }, what: "rack")
        let roomsSel = ids(sel.rooms, key: "rooms", known: { rooms[$0] != nil }, what: "room")
        var explicit: Set<PointID>?
        if let list = sel.points {
            var out: Set<PointID> = []
            for (i, text) in list.enumerated() {
                if let p = PointID(text), points[p] != nil {
                    out.insert(p)
                } else {
                    problems.append(RuleProblem(rule: rule, key: "select.points[\(i)]", message: "unknown point '\(text)'"))
                }
            }
            explicit = out
        }
        var quantity: Quantity?
        if let q = sel.quantity {
            quantity = Quantity(rawValue: q)
            if quantity == nil {
                let known = Quantity.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append(RuleProblem(rule: rule, key: "select.quantity", message: "unknown quantity '\(q)' (known: \(known))"))
            }
        }
        func deviceMatches(_ d: Device) -> Bool {
            (devs?.contains(d.id) ?? true) && (racksSel.map { r in d.rack.map { r.contains($0) } ?? false } ?? true)
                && (roomsSel?.contains(d.room) ?? true)
        }
        let matchedPoints = points.values.filter { desc in
            guard let d = devices[desc.id.ci], deviceMatches(d) else { return false }
            if let explicit, !explicit.contains(desc.id) { return false }
            if let quantity, desc.quantity != quantity { return false }
            if let pattern = sel.name, !Glob.matches(pattern, desc.id.name) { return false }
            return true
        }.map(\.id).sorted(by: PointID.byParts)
        let pointFilter = explicit != nil || quantity != nil || sel.name != nil
        let matchedDevices: [CIID] =
            pointFilter
            ? Array(Set(matchedPoints.map(\.ci))).sorted()
            : devices.values.filter(deviceMatches).map(\.id).sorted()
        let matchedRooms: [CIID] = roomsSel.map { Array($0).sorted() } ?? rooms.keys.sorted()
        return Selection(points: matchedPoints, devices: matchedDevices, rooms: matchedRooms)
    }
}

/// `*` wildcard matching of point names.
enum Glob {
    /// True when `text` matches `pattern`, where `*` matches any run of characters.
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return pattern == text }
        guard text.hasPrefix(parts[0]) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let r = rest.range(of: part) else { return false }
            rest = rest[r.upperBound...]
        }
        let last = parts.last ?? ""
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}
