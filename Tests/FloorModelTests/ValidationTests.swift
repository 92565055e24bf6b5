@testable import FloorModel
import Telemetry
import Testing

/// `Floor.validate()`: every problem, keyed by object and field, one rule per case.
@Suite(.timeLimit(.minutes(1))) struct ValidationTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let mutate: @Sendable (inout Floor) -> Void
        let expected: [Key]
        var description: String { name }
    }

    struct Key: Hashable, Sendable, CustomStringConvertible {
        let object: String
        let field: String
        let code: FloorProblem.Code
        init(_ object: String, _ field: String, _ code: FloorProblem.Code) {
            self.object = object
            self.field = field
            self.code = code
        }
        var description: String { "\(object).\(field) \(code.rawValue)" }
    }

    static let cases: [Case] = [
        .init(name: "clean floor", mutate: { _ in }, expected: []),
        .init(name: "duplicate id across kinds", mutate: { f in f.devices.append(Support.device("T-R01", "srv-1u", at: 30)) }, expected: [.init("T-R01", "id", .duplicateID)]),
        .init(name: "duplicate device type", mutate: { f in f.deviceTypes.append(Support.server1U) }, expected: [.init("srv-1u", "slug", .duplicateID)]),
        .init(name: "U overlap reported once, on the upper device", mutate: { f in
            f.devices += [Support.device("D1", "srv-2u", at: 12), Support.device("D2", "srv-1u", at: 13)]
        }, expected: [.init("D2", "position", .uOverlap)]),
        .init(name: "device above the rack's height", mutate: { f in f.devices.append(Support.device("D1", "srv-2u", at: 42)) }, expected: [.init("D1", "position", .outsideRack)]),
        .init(name: "half-U position for a full-U type", mutate: { f in f.devices.append(Support.device("D1", "srv-1u", at: 12.5)) }, expected: [.init("D1", "position", .halfUPosition)]),
        .init(name: "0U PDU given a unit", mutate: { f in f.pdus[0].position = HalfU(units: 3) }, expected: [.init("T-R01-PDU-A", "position", .zeroUPosition)]),
        .init(name: "horizontal PDU collides with a device", mutate: { f in
            f.pdus[0].type = "pdu-1u"
            f.pdus[0].position = HalfU(units: 3)
            f.devices.append(Support.device("D1", "srv-1u", at: 3))
        }, expected: [.init("D1", "position", .uOverlap)]),
        .init(name: "weight over the rack limit", mutate: { f in
            f.devices += (0..<17).map { Support.device("D\($0)", "srv-2u", at: Double(1 + 2 * $0), power: 10) }
        }, expected: [.init("D16", "weight_kg", .overWeight)]),
        .init(name: "power over budget and PDU rating", mutate: { f in
            f.racks[0].coolingBudgetKW = nil
            f.devices += [Support.device("D1", "srv-1u", at: 1, power: 3000), Support.device("D2", "srv-1u", at: 2, power: 2500)]
        }, expected: [.init("D2", "allocated_power_w", .overPowerBudget), .init("D2", "powered_by", .overPDURating), .init("D2", "powered_by", .overPDURating)]),
        .init(name: "exhaust into the cold aisle", mutate: { f in f.devices.append(Support.device("D1", "sw-r2f", at: 40, face: .front)) }, expected: [.init("D1", "airflow", .exhaustIntoColdAisle)]),
        .init(name: "two racks on one tile", mutate: { f in f.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("B02")!, facing: .south)) }, expected: [.init("T-R02", "tile", .tileTaken)]),
        .init(name: "rack outside the room", mutate: { f in f.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("B09")!, facing: .south)) }, expected: [.init("T-R02", "tile", .outsideRoom)]),
        .init(name: "rack in an aisle", mutate: { f in f.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("C03")!, facing: .south)) }, expected: [.init("T-R02", "tile", .tileTaken)]),
        .init(name: "negative rack sizes", mutate: { f in
            f.racks[0].depthMM = -1
            f.racks[0].maxWeightKg = -5
        }, expected: [.init("T-R01", "depth_mm", .invalidValue), .init("T-R01", "max_weight_kg", .invalidValue)]),
        .init(name: "rack of 0 U", mutate: { f in f.racks[0].heightU = 0 }, expected: [.init("T-R01", "height_u", .invalidValue)]),
        .init(name: "unknown rack, type and PDU on a device", mutate: { f in
            f.devices.append(Device(id: "D1", type: "nope", rack: "T-R01", position: HalfU(units: 3)))
            f.devices.append(Device(id: "D2", type: "srv-1u", rack: "T-R09", position: HalfU(units: 3)))
            f.devices.append(Support.device("D3", "srv-1u", at: 5, pdus: ["T-R01-PDU-X"]))
        }, expected: [.init("D1", "type", .unknownReference), .init("D2", "rack", .unknownReference), .init("D3", "powered_by", .unknownReference)]),
        .init(name: "PDU on a feed of the other side", mutate: { f in f.pdus[0].feed = "T-FB" }, expected: [.init("T-R01-PDU-A", "feed", .feedSideMismatch)]),
        .init(name: "PDU on an unknown feed and rack", mutate: { f in
            f.pdus.append(PDU(id: "X-PDU", rack: "T-R09", side: .a, feed: "T-F9"))
        }, expected: [.init("X-PDU", "rack", .unknownReference), .init("X-PDU", "feed", .unknownReference)]),
        .init(name: "bad feed values", mutate: { f in
            f.feeds[0].voltage = 0
            f.feeds[0].maxUtilizationPercent = 120
        }, expected: [.init("T-FA", "voltage", .invalidValue), .init("T-FA", "max_utilization_percent", .invalidValue)]),
        .init(name: "cables to things that do not exist", mutate: { f in
            f.devices += [Support.device("D1", "srv-1u", at: 3), Support.device("D2", "sw-half", at: 4)]
            f.cables += [
                Cable(id: "C1", a: PortRef(device: "D1", port: "eth0"), b: PortRef(device: "D2", port: "1"), type: .cat6, label: "C1"),
                Cable(id: "C2", a: PortRef(device: "D1", port: "eth9"), b: PortRef(device: "GHOST", port: "1"), type: .cat6, label: "C2"),
                Cable(id: "C3", a: PortRef(device: "D1", port: "eth0"), b: PortRef(device: "D2", port: "2"), type: .cat6, label: "C3"),
            ]
        }, expected: [.init("C2", "a", .unknownReference), .init("C2", "b", .unknownReference), .init("C3", "a", .portInUse)]),
        .init(name: "sensor outside its rack and room", mutate: { f in
            f.sensors += [
                SensorPlacement(id: "S1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 43), face: .front)),
                SensorPlacement(id: "S2", kind: .particleCounter, location: .tile(room: "T-H1", tile: Tile("Z01")!)),
                SensorPlacement(id: "S3", kind: .leak, location: .tile(room: "T-H9", tile: Tile("A01")!)),
            ]
        }, expected: [.init("S1", "position", .outsideRack), .init("S2", "tile", .outsideRoom), .init("S3", "room", .unknownReference)]),
        .init(name: "service on a missing device", mutate: { f in f.services.append(Service(id: "SVC", name: "x", hostedOn: ["D9"])) }, expected: [.init("SVC", "hosted_on", .unknownReference)]),
        .init(name: "disposed devices take no space", mutate: { f in
            f.devices += [Support.device("D1", "srv-2u", at: 12), Support.device("D2", "srv-1u", at: 13, lifecycle: .disposed)]
        }, expected: []),
        .init(name: "every problem at once, none swallowed", mutate: { f in
            // D3 (at U12.5, placed bottom-up before D2) is refused for its half-U position but
            // still occupies U12.5–U13.5, so D2 overlaps both D1 and D3.
            f.devices += [Support.device("D1", "srv-2u", at: 12), Support.device("D2", "srv-1u", at: 13), Support.device("D3", "srv-1u", at: 12.5)]
            f.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("B02")!, facing: .south))
        }, expected: [.init("T-R02", "tile", .tileTaken), .init("D2", "position", .uOverlap), .init("D2", "position", .uOverlap), .init("D3", "position", .halfUPosition)]),
    ]

    @Test(arguments: cases)
    func rule(_ c: Case) {
        var floor = Support.floor()
        c.mutate(&floor)
        let got = floor.validate().map { Key($0.object, $0.field, $0.code) }
        #expect(Set(got) == Set(c.expected), "\(floor.validate())")
        #expect(got.count == c.expected.count, "\(got)")
    }

    @Test func problemsPrintObjectFieldAndReason() throws {
        var floor = Support.floor()
        floor.devices += [Support.device("D1", "srv-2u", at: 12), Support.device("D2", "srv-1u", at: 13)]
        let p = try #require(floor.validate().first)
        #expect(p.description == "D2.position: [u-overlap] U13 overlaps D1 at U12–U13 on both faces")
    }
}
