import ContaminationRules
import Foundation
import Telemetry
import Yams

/// A small floor: two rooms, one rack, a T/H probe, a PDU, a particle counter, a corrosion
/// monitor and a door contact.
enum Floor {
    static let room: CIID = "DC-R1"
    static let tapeRoom: CIID = "DC-R2"
    static let rack: CIID = "DC-R1-A05"
    static let probe: CIID = "DC-R1-A05-TH1"
    static let probe2: CIID = "DC-R2-TH1"
    static let pdu: CIID = "DC-R1-A05-PDU-A"
    static let counter: CIID = "DC-R1-PC1"
    static let monitor: CIID = "DC-R1-CM1"
    static let door: CIID = "DC-R1-DOOR1"

    static func p(_ ci: CIID, _ name: String) -> PointID { PointID(ci: ci, name: name)! }
    static let temp = p(probe, "temperature")
    static let rh = p(probe, "relative_humidity")
    static let temp2 = p(probe2, "temperature")
    static let rh2 = p(probe2, "relative_humidity")
    static let power = p(pdu, "active_power")
    static let loadState = p(pdu, "load_state")
    static let ch05 = p(counter, "count.0.5um")
    static let ch1 = p(counter, "count.1.0um")
    static let ch5 = p(counter, "count.5.0um")
    static let volume = p(counter, "sample.volume")
    static let duration = p(counter, "sample.duration")
    static let copper = p(monitor, "copper.thickness")
    static let silver = p(monitor, "silver.thickness")
    static let doorState = p(door, "door")

    static let topology = RuleTopology(
        rooms: [.init(id: room, areaSquareMetres: 120), .init(id: tapeRoom, areaSquareMetres: 40)],
        racks: [.init(id: rack, room: room, powerBudgetWatts: 5000, allocatedWatts: 4000)],
        devices: [
            .init(id: probe, rack: rack, room: room), .init(id: probe2, room: tapeRoom),
            .init(id: pdu, rack: rack, room: room, powerRatingWatts: 7400),
            .init(id: counter, room: room), .init(id: monitor, room: room), .init(id: door, room: room),
        ],
        points: [
            PointDescriptor(id: temp, quantity: .temperature, unit: .celsius),
            PointDescriptor(id: rh, quantity: .relativeHumidity, unit: .percentRH),
            PointDescriptor(id: temp2, quantity: .temperature, unit: .celsius),
            PointDescriptor(id: rh2, quantity: .relativeHumidity, unit: .percentRH),
            PointDescriptor(id: power, quantity: .activePower, unit: .watt),
            PointDescriptor(
                id: loadState, quantity: .state, unit: .none, states: [1: "low", 2: "normal", 3: "nearOverload", 4: "overload"]),
            PointDescriptor(id: ch05, quantity: .particleCount, unit: .count),
            PointDescriptor(id: ch1, quantity: .particleCount, unit: .count),
            PointDescriptor(id: ch5, quantity: .particleCount, unit: .count),
            PointDescriptor(id: volume, quantity: .sampleVolume, unit: .litre),
            PointDescriptor(id: duration, quantity: .duration, unit: .second),
            PointDescriptor(id: copper, quantity: .corrosionThickness, unit: .angstrom),
            PointDescriptor(id: silver, quantity: .corrosionThickness, unit: .angstrom),
            PointDescriptor(id: doorState, quantity: .state, unit: .none, states: [0: "closed", 1: "open"]),
        ])

    /// 2026-01-01T00:00:00Z.
    static let t0 = Timestamp(seconds: 1_767_225_600)

    static func at(_ seconds: Double) -> Timestamp { t0.adding(seconds: seconds) }

    static func reading(_ point: PointID, _ seconds: Double, _ value: Double, _ quality: Quality = .good) -> Reading {
        Reading(point: point, time: at(seconds), value: value, quality: quality)
    }

    /// Decodes a YAML rule file.
    static func decode(_ yaml: String) throws -> RawRuleFile {
        try YAMLDecoder().decode(RawRuleFile.self, from: yaml)
    }

    /// Compiles YAML rules against the floor.
    static func compile(_ yaml: String) throws -> CompiledRuleSet {
        try RuleCompiler.compile(try decode(yaml), topology: topology, source: "test.yaml")
    }

    /// An engine for YAML rules.
    static func engine(_ yaml: String) throws -> RuleEngine { RuleEngine(rules: try compile(yaml)) }

    /// The repository's `config/rules/default.yaml`.
    static var defaultRulesURL: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("config/rules/default.yaml")
    }
}

extension RuleEngine {
    /// Ingests readings at the time of the latest one.
    mutating func feed(_ readings: Reading...) -> [EventChange] {
        ingest(readings, now: readings.map(\.time).max()!).changes
    }
}
