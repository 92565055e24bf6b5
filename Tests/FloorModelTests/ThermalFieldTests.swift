import FloorModel
import Telemetry
import Testing

/// Inverse-distance weighting (Shepard, power 2) with numbers worked by hand.
@Suite struct ThermalFieldTests {
    static let a = ThermalField.Probe(id: "T-A", x: 0, y: 0, value: 20)
    static let b = ThermalField.Probe(id: "T-B", x: 3, y: 0, value: 30)

    @Test func valueAtAProbeIsThatProbe() {
        let f = ThermalField(probes: [Self.a, Self.b, .init(id: "T-C", x: 1, y: 4, value: 17.3)])
        #expect(f.value(x: 0, y: 0) == 20)
        #expect(f.value(x: 3, y: 0) == 30)
        #expect(f.value(x: 1, y: 4) == 17.3)
    }

    @Test func midpointOfTwentyAndThirtyIsTwentyFive() {
        // Both probes 1.5 tiles away: equal weights 1 / 1.5² → (20 + 30) / 2.
        let f = ThermalField(probes: [Self.a, Self.b])
        #expect(f.value(x: 1.5, y: 0) == 25)
        // Anywhere on the perpendicular bisector too: x = 1.5, y = 2 → both at distance 2.5.
        #expect(f.value(x: 1.5, y: 2) == 25)
    }

    @Test func twiceAsFarWeighsAQuarter() {
        // Point (2, 0): 2 tiles from A (20 °C), 1 tile from B (30 °C).
        // wA = 1/2² = 0.25, wB = 1/1² = 1: B weighs four times A.
        // value = (0.25 × 20 + 1 × 30) / (0.25 + 1) = (5 + 30) / 1.25 = 28.
        let f = ThermalField(probes: [Self.a, Self.b])
        #expect(f.value(x: 2, y: 0) == 28)
        // The mirror case, point (1, 0): 1 tile from A, 2 from B → (1 × 20 + 0.25 × 30) / 1.25 = 22.
        #expect(f.value(x: 1, y: 0) == 22)
    }

    @Test func everyValueLiesWithinTheProbes() throws {
        let f = ThermalField(probes: [
            .init(id: "T-1", x: 0.5, y: 0.5, value: 18.2), .init(id: "T-2", x: 5.5, y: 1, value: 31.7),
            .init(id: "T-3", x: 2, y: 4.5, value: 22.9), .init(id: "T-4", x: 4, y: 3, value: 25.1),
        ])
        let range = try #require(f.range)
        #expect(range == 18.2...31.7)
        for i in 0...60 {
            for j in 0...50 {
                let v = try #require(f.value(x: Double(i) / 10, y: Double(j) / 10))
                #expect(range.contains(v), "(\(i), \(j)) → \(v)")
            }
        }
        // Far outside the grid it tends to the mean of the probes, still inside the range.
        let far = try #require(f.value(x: 1e6, y: -1e6))
        #expect(range.contains(far))
    }

    @Test func noProbesIsNilEverywhereAndOneProbeIsEverywhere() {
        let none = ThermalField(probes: [])
        #expect(none.value(x: 0, y: 0) == nil)
        #expect(none.value(x: 2.5, y: 7) == nil)
        #expect(none.range == nil)
        let one = ThermalField(probes: [.init(id: "T-1", x: 1, y: 1, value: 23.4)])
        for (x, y) in [(1.0, 1.0), (0, 0), (5.5, 3.25), (-100, 100)] { #expect(one.value(x: x, y: y) == 23.4) }
    }

    @Test func beyondReachThereIsNoValue() {
        // Reach 2 tiles: (1.5, 0) is 1.5 from A → interpolated as before; (1.5, 2.5) is
        // √(1.5² + 2.5²) ≈ 2.92 from both → nil; a probe's own spot is always its value.
        let f = ThermalField(probes: [Self.a, Self.b], reach: 2)
        #expect(f.value(x: 1.5, y: 0) == 25)
        #expect(f.value(x: 1.5, y: 2.5) == nil)
        #expect(f.value(x: 3, y: 0) == 30)
        // Exactly at the reach still counts: (0, 2) is 2 from A.
        #expect(f.value(x: 0, y: 2) != nil)
    }

    @Test func nonFiniteProbesAreLeftOut() {
        let f = ThermalField(probes: [Self.a, .init(id: "T-NaN", x: 1, y: 0, value: .nan)])
        #expect(f.probes.map(\.id) == ["T-A"])
        #expect(f.value(x: 2, y: 2) == 20)
    }

    @Test func probePositionsFromTheFloor() throws {
        // T-R01 is at B02 facing south; its inlet probe sits on the south edge of B02, an
        // exhaust probe on the north edge; a tile probe at the centre of its tile.
        var floor = Support.floor()
        floor.sensors = [
            SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front)),
            SensorPlacement(id: "T-R01-TH2", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .rear)),
            SensorPlacement(id: "T-H1-TH9", kind: .temperatureHumidity, location: .tile(room: "T-H1", tile: Tile("E03")!)),
            SensorPlacement(id: "T-H1-TH8", kind: .temperatureHumidity, location: .tile(room: "T-H1", tile: Tile("E04")!)),
        ]
        let f = ThermalField(floor: floor, room: "T-H1", values: ["T-R01-TH1": 21, "T-R01-TH2": 35, "T-H1-TH9": 19])
        let byID = Dictionary(uniqueKeysWithValues: f.probes.map { ($0.id, $0) })
        #expect(byID.count == 3)  // TH8 has no value
        // B02: column 2 → x from 1 to 2, centre 1.5; row B → y from 1 to 2, centre 1.5.
        #expect(byID["T-R01-TH1"].map { [$0.x, $0.y] } == [1.5, 2])
        #expect(byID["T-R01-TH2"].map { [$0.x, $0.y] } == [1.5, 1])
        // E03: x centre 2.5, row E = 4 → y centre 4.5.
        #expect(byID["T-H1-TH9"].map { [$0.x, $0.y] } == [2.5, 4.5])
    }
}
