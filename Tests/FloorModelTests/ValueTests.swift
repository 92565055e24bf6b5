import FloorModel
import Telemetry
import Testing

/// Half units, spans and tiles.
@Suite(.timeLimit(.minutes(1))) struct ValueTests {
    @Test(arguments: [(0.0, 0), (0.5, 1), (1.0, 2), (2.0, 4), (12.5, 25), (42.0, 84)])
    func halfUnitsFromDecimals(_ units: Double, _ halves: Int) {
        #expect(HalfU(exactly: units)?.halves == halves)
        #expect(HalfU(exactly: units)?.units == units)
    }

    @Test(arguments: [0.3, 1.25, Double.nan, Double.infinity])
    func notAMultipleOfAHalf(_ units: Double) { #expect(HalfU(exactly: units) == nil) }

    @Test func spansOverlapAndPrint() {
        let a = USpan(bottom: HalfU(units: 12), height: HalfU(units: 2))
        #expect(a.description == "U12–U13")
        #expect(USpan(bottom: HalfU(units: 7), height: HalfU(units: 1)).description == "U7")
        #expect(USpan(bottom: HalfU(halves: 21), height: HalfU(halves: 1)).description == "U10.5 (0.5U)")
        #expect(a.overlaps(USpan(bottom: HalfU(units: 13), height: HalfU(units: 1))))
        #expect(!a.overlaps(USpan(bottom: HalfU(units: 14), height: HalfU(units: 1))))
        #expect(!a.overlaps(USpan(bottom: HalfU(units: 11), height: HalfU(units: 1))))
        #expect(a.overlaps(USpan(bottom: HalfU(halves: 27), height: HalfU(halves: 1))))
        #expect(!a.overlaps(USpan(bottom: HalfU(units: 12), height: .zero)))
    }

    @Test func tilesParsePrintAndMove() throws {
        let t = try #require(Tile("C7"))
        #expect(t.row == 2 && t.column == 7)
        #expect(t.description == "C07")
        #expect(Tile("C07") == t)
        #expect(t.moved(.north).description == "B07")
        #expect(t.moved(.east).description == "C08")
        #expect(Tile("c07") == nil && Tile("C0") == nil && Tile("7C") == nil && Tile("") == nil)
        let rect = TileRect(from: Tile("C12")!, to: Tile("A01")!)
        #expect(rect.from.description == "A01" && rect.contains(Tile("B05")!) && !rect.contains(Tile("D05")!))
    }

    @Test func lifecycleTransitions() {
        #expect(Lifecycle.planned.allowedNext.contains(.staged))
        #expect(!Lifecycle.planned.allowedNext.contains(.active))
        #expect(Lifecycle.disposed.allowedNext.isEmpty)
    }
}
