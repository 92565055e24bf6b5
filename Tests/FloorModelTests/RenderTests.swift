import Foundation
import FloorModel
import Telemetry
import Testing

/// SVG rack elevations and floor plans: geometry asserted in the SVG, then rendered to PNG by
/// `rsvg-convert` and sampled where a device, a free unit and a legend colour must be.
@Suite(.timeLimit(.minutes(2))) struct RenderTests {
    /// A 42U rack: a 2U full-depth server at U12–U13 (active), a half-depth rear switch at U40
    /// (planned), a half-depth front device at U20 (staged).
    static func floor() -> Floor {
        Support.floor(devices: [
            Support.device("T-R01-SRV", "srv-2u", at: 12, power: 500),
            Support.device("T-R01-REAR", "sw-r2f", at: 40, face: .rear, power: 100, lifecycle: .planned),
            Support.device("T-R01-FRONT", "sw-half", at: 20, face: .front, power: 50, lifecycle: .staged),
        ])
    }

    /// Attributes of every `<rect …/>` carrying `data-ci="id"`.
    static func rects(_ svg: String, ci: String) -> [[String: String]] {
        svg.split(separator: "\n").filter { $0.hasPrefix("<rect") && $0.contains("data-ci=\"\(ci)\"") }.map { attrs(String($0)) }
    }

    static func attrs(_ element: String) -> [String: String] {
        var out: [String: String] = [:]
        let parts = element.split(separator: "\"", omittingEmptySubsequences: false)
        var i = 0
        while i + 1 < parts.count {
            let key = parts[i].split(separator: " ").last.map { String($0.dropLast()) } ?? ""
            out[key] = String(parts[i + 1])
            i += 2
        }
        return out
    }

    static func close(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8), _ c: RGB, tolerance: Int = 3) -> Bool {
        abs(Int(p.r) - Int(c.r)) <= tolerance && abs(Int(p.g) - Int(c.g)) <= tolerance && abs(Int(p.b) - Int(c.b)) <= tolerance
    }

    // MARK: Rack elevation geometry

    @Test func deviceAtU12U13IsDrawnAtTheRightHeight() throws {
        let f = Self.floor()
        let svg = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0]))
        let r = Self.rects(svg, ci: "T-R01-SRV")
        #expect(r.count == 2)  // full depth: front and rear
        let front = try #require(r.first { $0["data-face"] == "front" })
        // U42 starts at y = 50; U13's top edge is 29 units lower: 50 + 29 × 20 = 630; 2U = 40 px.
        // Device rects are inset by 1 px.
        #expect(front["y"] == "631")
        #expect(front["height"] == "38")
        #expect(front["x"] == "51")
        #expect(front["data-span"] == "U12–U13")
        #expect(front["fill"] == RackElevationRenderer.color(for: .active).description)
    }

    @Test func rearFaceDeviceAppearsOnlyInTheRearView() {
        let f = Self.floor()
        let svg = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0]))
        #expect(Self.rects(svg, ci: "T-R01-REAR").map { $0["data-face"] } == ["rear"])
        #expect(Self.rects(svg, ci: "T-R01-FRONT").map { $0["data-face"] } == ["front"])
        // The unit behind a half-depth front device is free on the rear.
        #expect(svg.contains("class=\"free\" data-u=\"20\" data-face=\"rear\""))
        #expect(!svg.contains("class=\"free\" data-u=\"20\" data-face=\"front\""))
        #expect(!svg.contains("class=\"free\" data-u=\"12\" data-face=\"rear\""))
        #expect(svg.contains("class=\"free\" data-u=\"30\" data-face=\"front\""))
    }

    @Test func sideBarShowsUtilisation() {
        let f = Self.floor()
        let e = RackElevation(floor: f, rack: f.racks[0])
        #expect(e.usedHalves == 8)  // 2U + 1U + 1U
        #expect(e.powerW == 650)
        let svg = RackElevationRenderer.svg(e)
        #expect(svg.contains("Space: 4 of 42 U (10 %)"))
        #expect(svg.contains("Power: 0.65 of 5 kW (13 %)"))
        #expect(svg.contains("T-R01-PDU-A (0U, side A)"))
    }

    @Test func halfUnitDevicesAreDrawnInHalfUnits() throws {
        let f = Support.floor(devices: [Support.device("T-R01-APU", "apu", at: 10.5, power: 6)])
        let svg = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0]))
        let r = try #require(Self.rects(svg, ci: "T-R01-APU").first)
        // Top of U10.5–U11 is at 50 + (43 − 11) × 20 = 690; half a unit is 10 px.
        #expect(r["y"] == "691")
        #expect(r["height"] == "8")
        #expect(svg.contains("data-u=\"10\" data-face=\"front\""))  // the free lower half of U10
    }

    @Test func rackElevationPixels() throws {
        let f = Self.floor()
        let (img, png) = try Rasterizer.render(RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0])), name: "rack")
        print("rack elevation PNG: \(png.path)")
        let rack = f.racks[0]
        func y(_ u: Int) -> Int { Int(RackElevationRenderer.frame(of: USpan(bottom: HalfU(units: u), height: HalfU(units: 1)), in: rack).y) + 10 }
        let fx = Int(RackElevationRenderer.frontX) + 8
        let rx = Int(RackElevationRenderer.rearX) + 8
        // The active server at U12 and U13, front and rear.
        #expect(Self.close(img.pixel(fx, y(12)), RackElevationRenderer.color(for: .active)))
        #expect(Self.close(img.pixel(fx, y(13)), RackElevationRenderer.color(for: .active)))
        #expect(Self.close(img.pixel(rx, y(13)), RackElevationRenderer.color(for: .active)))
        // Free units above and below it are white.
        #expect(Self.close(img.pixel(fx, y(14)), RackElevationRenderer.freeColor))
        #expect(Self.close(img.pixel(fx, y(11)), RackElevationRenderer.freeColor))
        // Rear-only switch at U40: coloured on the rear, free on the front.
        #expect(Self.close(img.pixel(rx, y(40)), RackElevationRenderer.color(for: .planned)))
        #expect(Self.close(img.pixel(fx, y(40)), RackElevationRenderer.freeColor))
        // Front-only staged device at U20.
        #expect(Self.close(img.pixel(fx, y(20)), RackElevationRenderer.color(for: .staged)))
        #expect(Self.close(img.pixel(rx, y(20)), RackElevationRenderer.freeColor))
        // The frame between units is not white.
        #expect(!Self.close(img.pixel(Int(RackElevationRenderer.frontX) - 2, y(30)), RackElevationRenderer.freeColor))
        // The legend swatch of "active" in the side bar (found from the SVG, sampled in the PNG).
        let svg = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0]))
        let swatch = try #require(svg.split(separator: "\n").first { $0.contains("class=\"legend\" data-status=\"active\"") }.map { Self.attrs(String($0)) })
        let sx = try #require(Double(swatch["x"] ?? "")), sy = try #require(Double(swatch["y"] ?? ""))
        #expect(Self.close(img.pixel(Int(sx) + 8, Int(sy) + 6), RackElevationRenderer.color(for: .active)))
    }

    // MARK: Floor plan

    static func plan() -> FloorPlan {
        var f = Support.floor()
        f.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("B03")!, facing: .south))
        f.racks.append(Rack(id: "T-R03", room: "T-H1", tile: Tile("B04")!, facing: .south))
        f.sensors = [
            SensorPlacement(id: "T-H1-PC1", kind: .particleCounter, location: .tile(room: "T-H1", tile: Tile("C05")!)),
            SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front)),
        ]
        return FloorPlan(floor: f, room: f.rooms[0], metric: "inlet temperature", unit: "°C", values: ["T-R01": 18, "T-R02": 32], scale: ColorScale(min: 18, max: 32))
    }

    @Test func floorPlanGeometry() throws {
        let svg = FloorPlanRenderer.svg(Self.plan())
        let r = try #require(Self.rects(svg, ci: "T-R02").first)
        // B03: row 1, column 3 → x = 40 + 2 × 40 + 3, y = 50 + 1 × 40 + 3.
        #expect(r["x"] == "123")
        #expect(r["y"] == "93")
        #expect(r["fill"] == ColorScale(min: 18, max: 32).high.description)
        #expect(Self.rects(svg, ci: "T-R03").first?["fill"] == FloorPlanRenderer.noDataColor.description)
        #expect(svg.contains("data-tile=\"C02\"") && svg.contains("class=\"aisle-cold\" data-tile=\"C02\""))
        #expect(svg.contains("data-ci=\"T-H1-PC1\" data-kind=\"particle-counter\""))
        #expect(svg.contains("data-ci=\"T-R01-TH1\" data-kind=\"th-probe\""))
    }

    @Test func colorScaleEndsAndMiddle() {
        let s = ColorScale(min: 10, max: 30)
        #expect(s.color(for: 10) == s.low)
        #expect(s.color(for: 20) == s.middle)
        #expect(s.color(for: 30) == s.high)
        #expect(s.color(for: 99) == s.high)
        #expect(s.color(for: -5) == s.low)
    }

    @Test func floorPlanPixels() throws {
        let plan = Self.plan()
        let (img, png) = try Rasterizer.render(FloorPlanRenderer.svg(plan), name: "plan")
        print("floor plan PNG: \(png.path)")
        func at(_ tile: String, dx: Double, dy: Double) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
            let o = FloorPlanRenderer.origin(of: Tile(tile)!)
            return img.pixel(Int(o.x + dx), Int(o.y + dy))
        }
        // Racks coloured by the metric (left part of the tile, clear of label and markers).
        #expect(Self.close(at("B02", dx: 7, dy: 20), plan.scale.low))
        #expect(Self.close(at("B03", dx: 7, dy: 20), plan.scale.high))
        #expect(Self.close(at("B04", dx: 7, dy: 20), FloorPlanRenderer.noDataColor))
        // Aisles.
        #expect(Self.close(at("C01", dx: 20, dy: 20), FloorPlanRenderer.coldAisleColor))
        #expect(Self.close(at("A06", dx: 20, dy: 20), FloorPlanRenderer.hotAisleColor))
        // The particle counter marker at the centre of C05.
        #expect(Self.close(at("C05", dx: 20, dy: 20), FloorPlanRenderer.color(for: .particleCounter)))
        // The legend's swatches show the scale.
        let x = Int(FloorPlanRenderer.legendX(plan)) + 12
        for (i, v) in FloorPlanRenderer.legendValues(plan.scale).enumerated() {
            #expect(Self.close(img.pixel(x, Int(FloorPlanRenderer.legendSwatchY(i)) + 8), plan.scale.color(for: v)), "swatch \(i)")
        }
    }

    @Test func demoDrawingsRender() throws {
        let floors = try DocumentTests.demo().floors()
        let dc = floors[0]
        let rack = try #require(dc.rack("DC-R05"))
        let (img, rackPNG) = try Rasterizer.render(RackElevationRenderer.svg(RackElevation(floor: dc, rack: rack)), name: "demo-rack")
        print("demo rack PNG: \(rackPNG.path)")
        #expect(img.width == 880)
        var values: [CIID: Double] = [:]
        for (i, r) in dc.racks.enumerated() { values[r.id] = 20 + Double(i % 7) }
        let plan = FloorPlan(floor: dc, room: dc.rooms[0], metric: "inlet temperature", unit: "°C", values: values, scale: ColorScale(min: 18, max: 27))
        let (p, planPNG) = try Rasterizer.render(FloorPlanRenderer.svg(plan), name: "demo-plan")
        print("demo plan PNG: \(planPNG.path)")
        #expect(p.width == Int(FloorPlanRenderer.legendX(plan) + 220))
    }
}
