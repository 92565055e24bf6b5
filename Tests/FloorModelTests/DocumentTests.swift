import Foundation
import FloorModel
import Telemetry
import Testing
import Yams

/// The floor YAML document: the demo floor, the cross-check of its device types against the
/// NetBox importer, and bad input refused with every problem and nothing partially used.
@Suite(.timeLimit(.minutes(1))) struct DocumentTests {
    static func demo() throws -> FloorDocument {
        try YAMLDecoder().decode(FloorDocument.self, from: Support.read(Support.repoRoot.appendingPathComponent("config/floor/demo.yaml")))
    }

    @Test func demoFloorValidatesWithZeroProblems() throws {
        let floors = try Self.demo().floors()
        #expect(floors.map(\.site.id) == ["DC", "DRC"])
        for f in floors { #expect(f.validate().isEmpty) }
        let dc = floors[0]
        #expect(dc.racks.count >= 20)
        #expect(dc.rooms.map(\.id) == ["DC-H1"])
        // Two rows of ten racks.
        #expect(Set(dc.racks.map(\.tile.row)).count == 2)
        #expect(Dictionary(grouping: dc.racks, by: \.tile.row).values.allSatisfy { $0.count == 10 })
        #expect(Set(dc.aisles.map(\.kind)) == [.hot, .cold])
        for id: CIID in ["DC-R01", "DC-R20", "DC-R05-TH1", "DC-H1-PC1", "DC-H1-CM1", "DC-R05-PDU-A", "DC-R05-PDU-B"] {
            #expect(dc.configurationItems().contains { $0.id == id }, "\(id)")
        }
        #expect(dc.devices.count > 150)
        #expect(Set(dc.devices.map(\.lifecycle)).isSuperset(of: [.planned, .staged, .active, .decommissioning, .offline]))
        let drc = floors[1]
        #expect(drc.racks.count >= 4 && drc.racks.count < dc.racks.count)
        #expect(drc.sensors.contains { $0.kind == .particleCounter })
    }

    @Test func demoDeviceTypesMatchTheNetBoxImporter() throws {
        let doc = try Self.demo()
        let types = try #require(try doc.floors().first?.deviceTypes)
        #expect(types.count == doc.deviceTypes.count)
        for (entry, type) in zip(doc.deviceTypes, types) {
            let source = try #require(entry.source)
            let path = String(source.dropFirst("netbox devicetype-library ".count))
            let imported = try #require(try Support.importNetBox(path).deviceType, "\(path)")
            #expect(imported == type, "\(path)")
        }
    }

    @Test func demoRoundTripsThroughCodable() throws {
        let floors = try Self.demo().floors()
        let data = try JSONEncoder().encode(floors)
        #expect(try JSONDecoder().decode([Floor].self, from: data) == floors)
    }

    @Test func exportedDocumentReimportsToTheSameFloors() throws {
        let floors = try Self.demo().floors()
        let yaml = try YAMLEncoder().encode(FloorDocument(floors: floors))
        let again = try YAMLDecoder().decode(FloorDocument.self, from: yaml).floors()
        #expect(again == floors)
    }

    @Test func unrackedDevicesSurviveExport() throws {
        var f = try YAMLDecoder().decode(FloorDocument.self, from: Self.minimal).floors()
        f[0].devices.append(Device(id: "T-SPARE", type: "s1", rack: nil, position: nil, lifecycle: .planned))
        #expect(f[0].validate().isEmpty)
        let again = try YAMLDecoder().decode(FloorDocument.self, from: YAMLEncoder().encode(FloorDocument(floors: f))).floors()
        #expect(again == f)
    }

    static let minimal = """
        version: 1
        device_types:
          - {slug: s1, manufacturer: A, model: S1, u_height: 1, airflow: front-to-rear, weight_kg: 10}
        sites:
          - id: T
            kind: DC
            rooms:
              - id: T-H1
                grid: {tile_mm: 600, rows: 3, columns: 4}
                racks:
                  - id: T-R01
                    tile: B02
                    facing: south
                    devices:
                      - {id: T-R01-S1, type: s1, position: 10}
        """

    @Test func minimalDocumentConverts() throws {
        let floors = try YAMLDecoder().decode(FloorDocument.self, from: Self.minimal).floors()
        let d = try #require(floors.first?.devices.first)
        #expect(d.position == HalfU(units: 10))
        #expect(d.face == .front)
        #expect(d.lifecycle == .active)
        #expect(floors[0].racks[0].heightU == 42)
    }

    struct Bad: CustomStringConvertible, Sendable {
        let name: String
        let from: String
        let to: String
        let expected: [String]  // "object.field code"
        var description: String { name }
    }

    static let bad: [Bad] = [
        .init(name: "unknown enum values", from: "facing: south", to: "facing: up", expected: ["T-R01.facing unknown-enum-value"]),
        .init(name: "unknown lifecycle", from: "position: 10}", to: "position: 10, lifecycle: broken}", expected: ["T-R01-S1.lifecycle unknown-enum-value"]),
        .init(name: "half-U position for a full-U type", from: "position: 10}", to: "position: 10.5}", expected: ["T-R01-S1.position half-u-position"]),
        .init(name: "position not a multiple of 0.5", from: "position: 10}", to: "position: 10.3}", expected: ["T-R01-S1.position invalid-value"]),
        .init(name: "negative size", from: "u_height: 1,", to: "u_height: -2,", expected: ["s1.u_height invalid-value"]),
        .init(name: "negative weight", from: "weight_kg: 10}", to: "weight_kg: -10}", expected: ["s1.weight_kg invalid-value"]),
        .init(name: "unknown reference", from: "type: s1,", to: "type: s9,", expected: ["T-R01-S1.type unknown-reference"]),
        .init(name: "duplicate ids", from: "id: T-R01-S1,", to: "id: T-R01,", expected: ["T-R01.id duplicate-id"]),
        .init(name: "bad CI id", from: "id: T-R01-S1,", to: "id: 'T R01 S1',", expected: ["T R01 S1.id invalid-value"]),
        .init(name: "bad tile", from: "tile: B02", to: "tile: 2B", expected: ["T-R01.tile invalid-value"]),
    ]

    @Test(arguments: bad)
    func badInputIsRefusedWithEveryProblem(_ b: Bad) throws {
        let text = Self.minimal.replacingOccurrences(of: b.from, with: b.to)
        #expect(text != Self.minimal)
        let doc = try YAMLDecoder().decode(FloorDocument.self, from: text)
        do {
            let floors = try doc.floors()
            Issue.record("accepted: \(floors.count) floor(s)")
        } catch {
            #expect(error.problems.map { "\($0.object).\($0.field) \($0.code.rawValue)" } == b.expected, "\(error)")
            #expect(error.description.contains(b.expected[0].split(separator: " ")[0]))
        }
    }
}
