package import AgentStore
package import ContaminationRules
import Crypto
package import FloorModel
package import Foundation
package import Telemetry
package import Yams

/// A rule file compiled against the floor and points it will watch.
package struct LoadedRules: Sendable {
    /// The compiled rules.
    package var compiled: CompiledRuleSet
    /// SHA-256 of the file's text, stored with the engine state.
    package var digest: String
    /// The file.
    package var file: String
}

/// A rule file that cannot be used: YAML or type problems (with line and column), or the
/// compiler's problems naming each rule and key.
package struct RuleFileError: Error, CustomStringConvertible {
    package var lines: [String]
    package var description: String { lines.joined(separator: "\n") }
    package init(lines: [String]) { self.lines = lines }
}

/// Reads rule files the way the config is read: YAML node tree, positions in every type error,
/// every problem reported; then compiles them against a topology.
package enum RuleFiles {
    /// Reads and compiles `file` against `topology`.
    package static func load(_ file: String, topology: RuleTopology) throws(RuleFileError) -> LoadedRules {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw RuleFileError(lines: ["\(file): the rule file cannot be read"])
        }
        var context = DecodeContext(file: file)
        let node: Node
        do {
            guard let n = try Yams.compose(yaml: text) else { throw RuleFileError(lines: ["\(file): the rule file is empty"]) }
            node = n
        } catch let e as RuleFileError {
            throw e
        } catch {
            throw RuleFileError(lines: [context.yamlProblem(error).description])
        }
        context.root = node
        if context.refuseOversized(node) { throw RuleFileError(lines: context.problems.map(\.description)) }
        guard let raw = context.decodeReportingOwnKeys(RawRuleFile.self, node) else {
            throw RuleFileError(lines: context.problems.map(\.description))
        }
        do {
            let compiled = try RuleCompiler.compile(raw, topology: topology, source: file)
            let digest = SecretText.hex(SHA256.hash(data: Data(text.utf8)))
            return LoadedRules(compiled: compiled, digest: digest, file: file)
        } catch {
            throw RuleFileError(lines: error.description.split(separator: "\n").map(String.init))
        }
    }

    /// Every checklist a rule's `needs_change:` names must be a template of the checklist folder
    /// (`checklists/` beside the config, else `/etc/dcagent/checklists`; issue 15): the RFC
    /// starts it on the rack. A name that is not there is refused naming the rule and why. With
    /// no checklist folder at all, RFCs are drafted without a run and each says so.
    package static func checkChangeChecklists(_ rules: CompiledRuleSet, file: String, configFile: String) throws(RuleFileError) {
        var lines: [String] = []
        guard let dir = ChecklistTemplates.directory(besideConfig: configFile) else { return }
        for r in rules.rules {
            guard let name = r.needsChange?.checklist else { continue }
            do { _ = try ChecklistTemplates.load(name, from: dir) } catch {
                lines.append("\(file): \(r.id): needs_change.checklist '\(name)': \(error)")
            }
        }
        if !lines.isEmpty { throw RuleFileError(lines: lines) }
    }

    /// The topology the daemon's rules see: the stored floor, plus the points registered in the
    /// store and those of the configured sensors. With `polled`, stored points count only when
    /// their device is polled: a sensor removed from the config leaves its points in the store,
    /// and rules that still selected them would report them stale forever. Without it (offline
    /// tuning, obligations), every stored point counts.
    package static func topology(store: SiteStore, extraPoints: [PointDescriptor] = [], polled: Set<CIID>? = nil) throws -> RuleTopology {
        topology(stored: try store.samples.descriptors(), floors: try store.floor.floors(), extraPoints: extraPoints, polled: polled)
    }

    /// The same, through the store's async reads (the rules service's path).
    package static func topology(store: SiteStore, extraPoints: [PointDescriptor] = [], polled: Set<CIID>? = nil) async throws -> RuleTopology {
        topology(stored: try await store.samples.descriptors(), floors: try await store.floor.floors(), extraPoints: extraPoints, polled: polled)
    }

    private static func topology(stored: [PointDescriptor], floors: [Floor], extraPoints: [PointDescriptor], polled: Set<CIID>?) -> RuleTopology {
        var points: [PointID: PointDescriptor] = [:]
        for d in stored where !d.derived && polled?.contains(d.id.ci) != false {
            points[d.id] = d
        }
        for d in extraPoints { points[d.id] = d }
        return RuleTopologyBuilder.topology(floors: floors, points: points.values.sorted { $0.id.description < $1.id.description })
    }
}

/// What the rules know of the floor, built from the stored floor and the registered points.
package enum RuleTopologyBuilder {
    package static func topology(floors: [Floor], points: [PointDescriptor]) -> RuleTopology {
        var rooms: [RuleTopology.Room] = []
        var racks: [RuleTopology.Rack] = []
        var devices: [RuleTopology.Device] = []
        for floor in floors {
            for r in floor.rooms {
                let side = Double(r.grid.tileMM) / 1000
                rooms.append(.init(id: r.id, areaSquareMetres: Double(r.grid.rows * r.grid.columns) * side * side))
            }
            var roomOfRack: [CIID: CIID] = [:]
            for rack in floor.racks {
                roomOfRack[rack.id] = rack.room
                let allocated = floor.devices.filter { $0.rack == rack.id }.compactMap(\.allocatedPowerW).reduce(0, +)
                racks.append(.init(id: rack.id, room: rack.room, powerBudgetWatts: rack.powerBudgetKW.map { $0 * 1000 }, allocatedWatts: allocated))
            }
            for s in floor.sensors {
                switch s.location {
                case .rack(let rack, _, _):
                    if let room = roomOfRack[rack] { devices.append(.init(id: s.id, rack: rack, room: room)) }
                case .tile(let room, _):
                    devices.append(.init(id: s.id, room: room))
                }
            }
            for pdu in floor.pdus {
                if let room = roomOfRack[pdu.rack] {
                    devices.append(.init(id: pdu.id, rack: pdu.rack, room: room, powerRatingWatts: pdu.ratingKW.map { $0 * 1000 }))
                }
            }
        }
        // Only points of known CIs take part (a point's CI must be a device of the topology).
        let known = Set(devices.map(\.id))
        return RuleTopology(rooms: rooms, racks: racks, devices: devices, points: points.filter { known.contains($0.id.ci) })
    }
}
