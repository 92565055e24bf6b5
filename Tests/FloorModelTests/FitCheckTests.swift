@testable import FloorModel
import Telemetry
import Testing

/// The one fit check, rule by rule, including NetBox's mounting cases (half-U, rear face,
/// 0U PDUs, half-depth devices sharing a unit on opposite faces).
@Suite(.timeLimit(.minutes(1))) struct FitCheckTests {
    struct SpaceCase: CustomStringConvertible, Sendable {
        let name: String
        let existing: [Device]
        let type: String
        let position: Double?
        let face: RackFace
        let expected: [FloorProblem.Code]
        var description: String { name }
    }

    static let spaceCases: [SpaceCase] = [
        .init(name: "empty rack, U12", existing: [], type: "srv-2u", position: 12, face: .front, expected: []),
        .init(name: "bottom unit U1", existing: [], type: "srv-1u", position: 1, face: .front, expected: []),
        .init(name: "top unit U42", existing: [], type: "srv-1u", position: 42, face: .front, expected: []),
        .init(name: "2U at U42 sticks out", existing: [], type: "srv-2u", position: 42, face: .front, expected: [.outsideRack]),
        .init(name: "U0 is below the rack", existing: [], type: "srv-1u", position: 0.5, face: .front, expected: [.halfUPosition]),
        .init(name: "U43 above the rack", existing: [], type: "srv-1u", position: 43, face: .front, expected: [.outsideRack]),
        .init(name: "full depth on full depth overlaps", existing: [Support.device("A", "srv-2u", at: 12)], type: "srv-1u", position: 13, face: .front, expected: [.uOverlap]),
        .init(name: "adjacent above is free", existing: [Support.device("A", "srv-2u", at: 12)], type: "srv-1u", position: 14, face: .front, expected: []),
        .init(name: "adjacent below is free", existing: [Support.device("A", "srv-2u", at: 12)], type: "srv-1u", position: 11, face: .front, expected: []),
        .init(name: "half depth front + half depth rear share a unit", existing: [Support.device("A", "sw-half", at: 20, face: .front)], type: "sw-half", position: 20, face: .rear, expected: []),
        .init(name: "half depth on the same face overlaps", existing: [Support.device("A", "sw-half", at: 20, face: .front)], type: "sw-half", position: 20, face: .front, expected: [.uOverlap]),
        .init(name: "full depth behind a rear half-depth overlaps", existing: [Support.device("A", "sw-half", at: 20, face: .rear)], type: "srv-1u", position: 20, face: .front, expected: [.uOverlap]),
        .init(name: "two overlaps reported", existing: [Support.device("A", "srv-1u", at: 10), Support.device("B", "srv-1u", at: 11)], type: "srv-2u", position: 10, face: .front, expected: [.uOverlap, .uOverlap]),
        .init(name: "half-U device at U10.5", existing: [], type: "apu", position: 10.5, face: .front, expected: []),
        .init(name: "half-U devices stack in one unit", existing: [Support.device("A", "apu", at: 10)], type: "apu", position: 10.5, face: .front, expected: []),
        .init(name: "half-U devices collide", existing: [Support.device("A", "apu", at: 10.5)], type: "apu", position: 10.5, face: .front, expected: [.uOverlap]),
        .init(name: "half-U device into a 1U server", existing: [Support.device("A", "srv-1u", at: 10)], type: "apu", position: 10.5, face: .front, expected: [.uOverlap]),
        .init(name: "half-U position for a full-U type", existing: [], type: "srv-1u", position: 10.5, face: .front, expected: [.halfUPosition]),
        .init(name: "0U type given a position", existing: [], type: "pdu-0u", position: 10, face: .rear, expected: [.zeroUPosition]),
        .init(name: "0U type without position", existing: [Support.device("A", "srv-1u", at: 10)], type: "pdu-0u", position: nil, face: .rear, expected: []),
        .init(name: "racked 1U type without position", existing: [], type: "srv-1u", position: nil, face: .front, expected: [.missingPosition]),
        .init(name: "horizontal PDU on the rear of a half-depth front device", existing: [Support.device("A", "sw-half", at: 5, face: .front)], type: "pdu-1u", position: 5, face: .rear, expected: []),
    ]

    @Test(arguments: spaceCases)
    func space(_ c: SpaceCase) throws {
        let floor = Support.floor(devices: c.existing)
        let type = try #require(floor.deviceType(c.type))
        let m = Mountable(id: "NEW", type: type, position: c.position.flatMap { HalfU(exactly: $0) }, face: c.face, powerW: 0)
        // Airflow is its own table below; here only space counts.
        let problems = FitCheck.problems(m, in: floor.racks[0], floor: floor).filter { $0.code != .exhaustIntoColdAisle }
        #expect(problems.map(\.code) == c.expected, "\(problems)")
    }

    @Test func overlapMessageNamesTheOtherDeviceAndUnits() throws {
        let floor = Support.floor(devices: [Support.device("T-R01-SRV01", "srv-2u", at: 12)])
        let m = Mountable(id: "NEW", type: Support.server1U, position: HalfU(units: 13), face: .front)
        let p = try #require(FitCheck.problems(m, in: floor.racks[0], floor: floor).first)
        #expect(p.field == "position")
        #expect(p.message.contains("T-R01-SRV01"))
        #expect(p.message.contains("U12–U13"))
    }

    @Test func startingUnitShiftsTheRackSpan() {
        var floor = Support.floor()
        floor.racks[0].startingUnit = 10
        floor.racks[0].heightU = 10  // U10–U19
        let rack = floor.racks[0]
        func codes(_ u: Int) -> [FloorProblem.Code] {
            FitCheck.problems(Mountable(id: "X", type: Support.server1U, position: HalfU(units: u), face: .front, powerW: 0), in: rack, floor: floor).map(\.code)
        }
        #expect(codes(9) == [.outsideRack])
        #expect(codes(10) == [])
        #expect(codes(19) == [])
        #expect(codes(20) == [.outsideRack])
    }

    struct LoadCase: CustomStringConvertible, Sendable {
        let name: String
        let existingPowerW: [Double]
        let newPowerW: Double
        let newWeightKg: Double
        let expected: Set<FloorProblem.Code>
        var description: String { name }
    }

    // Rack: 500 kg, 5 kW power, 4 kW cooling; PDUs 3.7 kW; feeds 230 V × 32 A × 80 % = 5.888 kW.
    static let loadCases: [LoadCase] = [
        .init(name: "well within", existingPowerW: [1000], newPowerW: 500, newWeightKg: 10, expected: []),
        .init(name: "PDU at exactly its rating", existingPowerW: [3000], newPowerW: 700, newWeightKg: 10, expected: []),
        .init(name: "PDU 1 W over its rating", existingPowerW: [3000], newPowerW: 701, newWeightKg: 10, expected: [.overPDURating]),
        .init(name: "cooling exactly at budget", existingPowerW: [2000, 1000], newPowerW: 700, newWeightKg: 10, expected: []),
        .init(name: "over cooling, PDU", existingPowerW: [2000, 1500], newPowerW: 600, newWeightKg: 10, expected: [.overCoolingBudget, .overPDURating]),
        .init(name: "weight at the limit", existingPowerW: [100], newPowerW: 0, newWeightKg: 485, expected: []),
        .init(name: "weight over the limit", existingPowerW: [100], newPowerW: 0, newWeightKg: 485.5, expected: [.overWeight]),
    ]

    @Test(arguments: loadCases)
    func loads(_ c: LoadCase) {
        let existing = c.existingPowerW.enumerated().map { i, w in Support.device("E\(i)", "srv-1u", at: Double(2 + i), power: w) }
        let floor = Support.floor(devices: existing)
        let m = Mountable(id: "NEW", type: Support.server1U, position: HalfU(units: 30), face: .front, weightKg: c.newWeightKg, powerW: c.newPowerW, poweredBy: ["T-R01-PDU-A", "T-R01-PDU-B"])
        let codes = FitCheck.problems(m, in: floor.racks[0], floor: floor).map(\.code)
        // Each PDU carries the full load (failover), so a PDU overload is reported per side.
        #expect(Set(codes) == c.expected, "\(codes)")
        if c.expected.contains(.overPDURating) { #expect(codes.filter { $0 == .overPDURating }.count == 2) }
    }

    @Test func powerBudgetAndFeedCapacity() {
        var floor = Support.floor(devices: [Support.device("E0", "srv-1u", at: 2, power: 3000)])
        floor.racks[0].coolingBudgetKW = nil
        floor.pdus = floor.pdus.map { var p = $0; p.ratingKW = nil; return p }
        floor.feeds[0].breakerAmps = 16  // 230 × 16 × 0.8 = 2.944 kW on side A
        let m = Mountable(id: "NEW", type: Support.server1U, position: HalfU(units: 30), face: .front, powerW: 2100, poweredBy: ["T-R01-PDU-A", "T-R01-PDU-B"])
        let problems = FitCheck.problems(m, in: floor.racks[0], floor: floor)
        #expect(problems.map(\.code) == [.overPowerBudget, .overFeedCapacity])
        #expect(problems.last?.message.contains("T-FA") == true)
        #expect(PowerFeed(id: "F", panel: "P", side: .a, phase: .three, voltage: 400, breakerAmps: 32).availableKW > 17.7)
    }

    @Test func unknownAndForeignPDUs() {
        var floor = Support.floor()
        floor.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("B03")!, facing: .south))
        floor.pdus.append(PDU(id: "T-R02-PDU-A", rack: "T-R02", side: .a, feed: nil))
        let m = Mountable(id: "NEW", type: Support.server1U, position: HalfU(units: 30), face: .front, poweredBy: ["NOPE", "T-R02-PDU-A"])
        #expect(FitCheck.problems(m, in: floor.racks[0], floor: floor).map(\.code) == [.unknownReference, .wrongRack])
    }

    struct AirCase: CustomStringConvertible, Sendable {
        let type: String
        let face: RackFace
        let airflow: Airflow?
        let facing: Direction
        let expectColdExhaust: Bool
        var description: String { "\(type) \(face) \(airflow?.rawValue ?? "type") rack→\(facing)" }
    }

    // Rack at B02; cold aisle row C (south), hot aisle row A (north).
    static let airCases: [AirCase] = [
        .init(type: "srv-1u", face: .front, airflow: nil, facing: .south, expectColdExhaust: false),
        .init(type: "srv-1u", face: .front, airflow: nil, facing: .north, expectColdExhaust: true),
        .init(type: "sw-r2f", face: .front, airflow: nil, facing: .south, expectColdExhaust: true),
        .init(type: "sw-r2f", face: .rear, airflow: nil, facing: .south, expectColdExhaust: false),
        .init(type: "sw-half", face: .rear, airflow: nil, facing: .south, expectColdExhaust: true),
        .init(type: "srv-1u", face: .front, airflow: .rearToFront, facing: .south, expectColdExhaust: true),
        .init(type: "apu", face: .front, airflow: nil, facing: .south, expectColdExhaust: false),
        .init(type: "srv-1u", face: .front, airflow: .leftToRight, facing: .north, expectColdExhaust: false),
    ]

    @Test(arguments: airCases)
    func airflow(_ c: AirCase) throws {
        var floor = Support.floor()
        floor.racks[0].facing = c.facing
        let type = try #require(floor.deviceType(c.type))
        let m = Mountable(id: "NEW", type: type, position: HalfU(units: 20), face: c.face, powerW: 0, airflow: c.airflow)
        let codes = FitCheck.problems(m, in: floor.racks[0], floor: floor).map(\.code)
        #expect(codes.contains(.exhaustIntoColdAisle) == c.expectColdExhaust, "\(codes)")
    }
}
