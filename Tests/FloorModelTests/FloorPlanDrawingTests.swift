import Foundation
import FloorModel
import Telemetry
import Testing

/// The floor plan and rack elevation as a web page embeds them: inline `<svg>`, links,
/// data attributes, rack states, translated words, the thermal layer.
@Suite(.timeLimit(.minutes(2))) struct FloorPlanDrawingTests {
    /// The plan of RenderTests (T-R01 18 °C, T-R02 32 °C, T-R03 without value) with states.
    static func plan(states: [CIID: RackState] = [:], thermal: ThermalField? = nil) -> FloorPlan {
        var f = Support.floor()
        f.racks.append(Rack(id: "T-R02", room: "T-H1", tile: Tile("B03")!, facing: .south))
        f.racks.append(Rack(id: "T-R03", room: "T-H1", tile: Tile("B04")!, facing: .south))
        f.sensors = [
            SensorPlacement(id: "T-H1-PC1", kind: .particleCounter, location: .tile(room: "T-H1", tile: Tile("C05")!)),
            SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front)),
        ]
        return FloorPlan(
            floor: f, room: f.rooms[0], metric: "inlet temperature", unit: "°C", values: ["T-R01": 18, "T-R02": 32], scale: ColorScale(min: 18, max: 32), states: states,
            thermal: thermal)
    }

    /// Lines of the SVG that start with `prefix` and contain every one of `parts`.
    static func lines(_ svg: String, _ prefix: String, _ parts: String...) -> [String] {
        svg.split(separator: "\n").map(String.init).filter { l in l.hasPrefix(prefix) && parts.allSatisfy { l.contains($0) } }
    }

    /// The attributes of the root `<svg …>` tag.
    static func root(_ svg: String) -> [String: String] { RenderTests.attrs(String(svg.split(separator: "\n")[0])) }

    // MARK: Inline fragments

    @Test func inlineSVGHasNoPrologAndScalesWithItsContainer() {
        for svg in [
            FloorPlanRenderer.svg(Self.plan(), options: .inline),
            RackElevationRenderer.svg(RackElevation(floor: RenderTests.floor(), rack: RenderTests.floor().racks[0]), options: .inline),
        ] {
            #expect(svg.hasPrefix("<svg "))
            #expect(!svg.contains("<?xml") && !svg.contains("<!DOCTYPE"))
            let r = Self.root(svg)
            #expect(r["viewBox"]?.hasPrefix("0 0 ") == true)
            #expect(r["width"] == "100%")
            #expect(r["height"] == nil)
            #expect(r["role"] == "img")
            #expect(r["aria-label"]?.isEmpty == false)
        }
        // The standalone file keeps its pixel size, and is labelled too.
        let r = Self.root(FloorPlanRenderer.svg(Self.plan()))
        #expect(r["width"] == "530" && r["height"] != nil && r["role"] == "img")  // legend x 310 + 220
        #expect(r["aria-label"] == "Floor plan T-H1")
        // A page's class, role and id prefix.
        let custom = FloorPlanRenderer.svg(Self.plan(), options: SVGOptions(mode: .inline, idPrefix: "p1", cssClass: "floor", role: "group"))
        #expect(Self.root(custom)["class"] == "floor" && Self.root(custom)["role"] == "group")
        #expect(custom.contains("<pattern id=\"p1-no-data-hatch\"") && custom.contains("fill=\"url(#p1-no-data-hatch)\""))
    }

    @Test func racksAreLinkedWhenTheClosureGivesAnHref() {
        let svg = FloorPlanRenderer.svg(Self.plan()) { $0 == "T-R03" ? nil : "/racks/\($0.rawValue)?a=1&b=2" }
        // Two links, href escaped; the rack's rectangle follows inside the link.
        let links = Self.lines(svg, "<a href=")
        #expect(links.count == 2)
        #expect(links.contains { $0.hasPrefix("<a href=\"/racks/T-R01?a=1&amp;b=2\"") })
        let all = svg.split(separator: "\n").map(String.init)
        let open = all.firstIndex { $0.hasPrefix("<a href=\"/racks/T-R02") }!
        let close = all[open...].firstIndex { $0 == "</a>" }!
        #expect(all[open..<close].contains { $0.hasPrefix("<rect") && $0.contains("data-ci=\"T-R02\"") })
        #expect(!svg.contains("/racks/T-R03"))
        // Without a closure there is no link at all.
        #expect(!FloorPlanRenderer.svg(Self.plan()).contains("<a "))
        // Devices on the elevation: the full-depth server is linked in both views.
        let f = RenderTests.floor()
        let e = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0])) { "/devices/\($0.rawValue)" }
        #expect(Self.lines(e, "<a href=\"/devices/T-R01-SRV\"").count == 2)
        #expect(Self.lines(e, "<a href=\"/devices/T-R01-REAR\"").count == 1)
    }

    // MARK: States

    @Test func dataAttributesAndStates() throws {
        let svg = FloorPlanRenderer.svg(Self.plan(states: ["T-R02": .alarm]))
        let r1 = try #require(RenderTests.rects(svg, ci: "T-R01").first)
        #expect(r1["data-state"] == "ok" && r1["data-value"] == "18")
        let r2 = try #require(RenderTests.rects(svg, ci: "T-R02").first)
        #expect(r2["data-state"] == "alarm" && r2["data-value"] == "32")
        #expect(r2["fill"] == ColorScale(min: 18, max: 32).high.description)  // an alarm keeps its colour
        // No value at all: no-data, even though nobody said so.
        let r3 = try #require(RenderTests.rects(svg, ci: "T-R03").first)
        #expect(r3["data-state"] == "no-data" && r3["data-value"] == "")
        // The alarm outline: thick and red, around T-R02's tile (B03 at x 120, y 90).
        let outline = try #require(Self.lines(svg, "<rect", "class=\"rack-alarm\"").first.map(RenderTests.attrs))
        #expect(outline["stroke"] == FloorPlanRenderer.alarmColor.description && outline["stroke-width"] == "3" && outline["fill"] == "none")
        #expect(outline["x"] == "121.5" && outline["y"] == "91.5")
        #expect(Self.lines(svg, "<rect", "class=\"rack-alarm\"").count == 1)
    }

    @Test func staleValueUnderDataMissingIsHatchedNeverAScaleColour() throws {
        // T-R01 has a stale 18 °C but a data_missing event is open for it.
        let svg = FloorPlanRenderer.svg(Self.plan(states: ["T-R01": .noData]))
        let r = try #require(RenderTests.rects(svg, ci: "T-R01").first)
        #expect(r["data-state"] == "no-data")
        #expect(r["fill"] == FloorPlanRenderer.noDataColor.description)
        #expect(r["fill"] != ColorScale(min: 18, max: 32).low.description)
        #expect(r["data-value"] == "18")  // the stale value is still there for the page to show as stale
        // The hatch pattern is defined once and laid over T-R01 and T-R03 (no value).
        #expect(svg.components(separatedBy: "<pattern id=\"floor-T-H1-no-data-hatch\"").count == 2)
        let hatches = Self.lines(svg, "<rect", "class=\"rack-no-data\"").map(RenderTests.attrs)
        #expect(hatches.count == 2)
        #expect(hatches.allSatisfy { $0["fill"] == "url(#floor-T-H1-no-data-hatch)" })
        #expect(Set(hatches.compactMap { $0["x"] }) == ["83", "163"])  // B02 and B04
        // The legend's no-data key is hatched too.
        #expect(Self.lines(svg, "<rect", "class=\"legend-key\"", "data-state=\"no-data\"").count == 1)
    }

    @Test func aRoomWideDataMissingCoversEveryRackWithoutItsOwnState() {
        let svg = FloorPlanRenderer.svg(Self.plan(states: ["T-H1": .noData, "T-R02": .alarm]))
        #expect(RenderTests.rects(svg, ci: "T-R01").first?["data-state"] == "no-data")
        #expect(RenderTests.rects(svg, ci: "T-R02").first?["data-state"] == "alarm")
        #expect(RenderTests.rects(svg, ci: "T-R03").first?["data-state"] == "no-data")
    }

    // MARK: Words

    @Test func englishByDefault() {
        let svg = FloorPlanRenderer.svg(Self.plan(thermal: ThermalField(probes: [.init(id: "T-R01-TH1", x: 1.5, y: 2, value: 20)])))
        for word in [
            "Test hall (T-H1) — racks by inlet temperature", "inlet temperature (°C)", ">no data<", ">cold aisle<", ">hot aisle<", ">cold aisle (contained)<",
            ">sensor: th-probe<", ">sensor: particle-counter<", ">thick edge = rack front<", ">alarm<", "inverse-distance", "T-R01: 18 °C",
        ] { #expect(svg.contains(word), "\(word)") }
        let f = RenderTests.floor()
        let e = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0]))
        for word in [
            "Rack T-R01 — 42U, T-H1 B02, front faces south", ">Front<", ">Rear<", ">Utilisation<", "Space: 4 of 42 U (10 %)", "Power: 0.65 of 5 kW (13 %)", ">Weight: ", ">Status<",
            ">active<", ">free<", ">0U<", "T-R01-PDU-A (0U, side A)",
        ] { #expect(e.contains(word), "\(word)") }
    }

    static let indonesianPlan: FloorPlanRenderer.Labels = {
        var l = FloorPlanRenderer.Labels()
        l.title = "{room} ({id}) — rak menurut {metric}"
        l.documentTitle = "Denah lantai {id}"
        l.noData = "tidak ada data"
        l.alarm = "alarm aktif"
        l.coldAisle = "lorong dingin"
        l.hotAisle = "lorong panas"
        l.contained = "{aisle} (tertutup)"
        l.sensor = "sensor: {kind}"
        l.sensorKinds = ["th-probe": "suhu & kelembapan", "particle-counter": "penghitung partikel"]
        l.rackFront = "tepi tebal = depan rak"
        l.thermalNote = "warna di antara probe diinterpolasi (jarak terbalik); titik bercincin adalah hasil ukur"
        l.probeTooltip = "{probe}: {value} (terukur)"
        return l
    }()

    @Test func indonesianLabelsReplaceEveryEnglishWord() {
        let svg = FloorPlanRenderer.svg(
            Self.plan(states: ["T-R02": .alarm], thermal: ThermalField(probes: [.init(id: "T-R01-TH1", x: 1.5, y: 2, value: 20)])), labels: Self.indonesianPlan,
            options: .inline)
        for word in [
            "rak menurut inlet temperature", "aria-label=\"Denah lantai T-H1\"", ">tidak ada data<", ">lorong dingin (tertutup)<", ">lorong panas<", ">alarm aktif<",
            ">sensor: suhu &amp; kelembapan<", ">sensor: penghitung partikel<", ">tepi tebal = depan rak<", "(terukur)", "diinterpolasi",
        ] { #expect(svg.contains(word), "\(word)") }
        for word in ["no data", "cold aisle", "hot aisle", "contained", "thick edge", "rack front", "racks by", "Floor plan", "measured", "interpolated", "th-probe<"] {
            #expect(!svg.contains(word), "\(word)")
        }
        var rl = RackElevationRenderer.Labels()
        rl.title = "Rak {rack} — {height}U, {room} {tile}, depan menghadap {facing}"
        rl.documentTitle = "Elevasi rak {rack}"
        rl.directions = ["south": "selatan"]
        rl.front = "Depan"
        rl.rear = "Belakang"
        rl.utilisation = "Pemanfaatan"
        rl.space = "Ruang"
        rl.power = "Daya"
        rl.weight = "Berat"
        rl.barWithLimit = "{name}: {value} dari {limit} {unit} ({percent} %)"
        rl.barWithoutLimit = "{name}: {value} {unit} (tanpa batas tercatat)"
        rl.status = "Status"
        rl.lifecycles = ["planned": "rencana", "staged": "disiapkan", "active": "aktif", "decommissioning": "dinonaktifkan", "offline": "mati", "disposed": "dibuang"]
        rl.free = "kosong"
        rl.zeroUSide = "{name} (0U, sisi {side})"
        rl.deviceTooltip = "{name} ({id}), {span}, {status}"
        let f = RenderTests.floor()
        let e = RackElevationRenderer.svg(RackElevation(floor: f, rack: f.racks[0]), labels: rl)
        for word in [
            "depan menghadap selatan", ">Depan<", ">Belakang<", ">Pemanfaatan<", "Ruang: 4 dari 42 U (10 %)", "Daya: 0.65 dari 5 kW (13 %)", ">aktif<", ">kosong<",
            "T-R01-PDU-A (0U, sisi A)", "Elevasi rak T-R01",
        ] { #expect(e.contains(word), "\(word)") }
        for word in ["Front", "Rear", "Utilisation", " of ", "faces", "south", ">free<", ">active<", "side A", "Rack elevation", "no limit"] {
            #expect(!e.contains(word), "\(word)")
        }
    }

    @Test func placeholdersAreFilledOnceAndUnknownOnesKept() {
        var f = Support.floor()
        f.rooms[0].name = "Hall {metric}"
        var l = FloorPlanRenderer.Labels()
        l.title = "{room} / {metric} / {typo}"
        let svg = FloorPlanRenderer.svg(FloorPlan(floor: f, room: f.rooms[0], metric: "power", unit: "kW", values: [:], scale: ColorScale(min: 0, max: 5)), labels: l)
        #expect(svg.contains(">Hall {metric} / power / {typo}</text>"))
    }

    @Test func labelsDecodeWithEnglishForMissingKeys() throws {
        let json = #"{"noData": "tidak ada data", "sensorKinds": {"leak": "kebocoran"}}"#
        let l = try JSONDecoder().decode(FloorPlanRenderer.Labels.self, from: Data(json.utf8))
        #expect(l.noData == "tidak ada data")
        #expect(l.name(of: SensorKind.leak) == "kebocoran")
        #expect(l.coldAisle == "cold aisle" && l.title == FloorPlanRenderer.Labels.english.title)
        let r = try JSONDecoder().decode(RackElevationRenderer.Labels.self, from: Data(#"{"front": "Depan"}"#.utf8))
        #expect(r.front == "Depan" && r.rear == "Rear")
        let c = try JSONDecoder().decode(TimeChart.Labels.self, from: Data("{}".utf8))
        #expect(c == .english)
    }

    // MARK: Thermal layer

    static let field = ThermalField(probes: [
        .init(id: "T-R01-TH1", x: 1.5, y: 2, value: 19), .init(id: "T-R03-TH1", x: 3.5, y: 2, value: 29.5), .init(id: "T-H1-TH9", tile: Tile("E03")!, value: 21.3),
    ])

    @Test func thermalLayerLiesUnderTheRacksAndProbesOnTop() throws {
        let svg = FloorPlanRenderer.svg(Self.plan(thermal: Self.field))
        let lines = svg.split(separator: "\n").map(String.init)
        let layer = try #require(lines.firstIndex { $0.hasPrefix("<g class=\"thermal\"") })
        let firstRack = try #require(lines.firstIndex { $0.contains("class=\"rack\"") })
        let lastTile = try #require(lines.lastIndex { $0.contains("class=\"tile\"") || $0.contains("class=\"aisle-") })
        let firstProbe = try #require(lines.firstIndex { $0.contains("class=\"thermal-probe\"") })
        #expect(lastTile < layer && layer < firstRack && firstRack < firstProbe)
        #expect(RenderTests.attrs(lines[layer])["opacity"] == "0.5")
        // Cells are coloured by quantised levels, all within the probes' range (± half a level).
        let halfLevel = (32.0 - 18) / Double(FloorPlanRenderer.thermalLevels - 1) / 2
        let cells = lines[layer...].prefix { $0 != "</g>" }.filter { $0.hasPrefix("<path") }.map(RenderTests.attrs)
        #expect(cells.count >= 5)
        for c in cells {
            let v = try #require(c["data-value"].flatMap(Double.init))
            #expect(v >= 19 - halfLevel && v <= 29.5 + halfLevel, "\(v)")
            // data-value is rounded to 0.01, so the colour may differ by one step per channel.
            let expected = ColorScale(min: 18, max: 32).color(for: v)
            let hex = try #require(c["fill"].flatMap { UInt32($0.dropFirst(), radix: 16) })
            let got = RGB(hex: hex)
            #expect(abs(Int(got.r) - Int(expected.r)) <= 1 && abs(Int(got.g) - Int(expected.g)) <= 1 && abs(Int(got.b) - Int(expected.b)) <= 1, "\(got) vs \(expected)")
        }
        // Every cell of the grid is covered once: the run widths add up to rows × columns cells.
        let area = cells.compactMap { $0["d"] }.flatMap { $0.split(separator: "M") }.map { sub -> Double in
            let w = Double(sub.split(separator: "h")[1].split(separator: "v")[0])!
            return w * (FloorPlanRenderer.tileSize / Double(FloorPlanRenderer.thermalCellsPerTile))
        }.reduce(0, +)
        #expect(area == 5 * 6 * FloorPlanRenderer.tileSize * FloorPlanRenderer.tileSize)
        // Probes: a ring in the value's colour, the value printed beside it.
        let probes = Self.lines(svg, "<circle", "class=\"thermal-probe\"").map(RenderTests.attrs)
        #expect(probes.map { $0["data-ci"] ?? "" } == ["T-R01-TH1", "T-R03-TH1", "T-H1-TH9"])
        let p = try #require(probes.first)
        #expect(p["data-value"] == "19" && p["stroke-width"] == "2")
        // (1.5, 2) tiles → x = 40 + 1.5 × 40 = 100, y = 50 + 2 × 40 = 130.
        #expect(p["cx"] == "100" && p["cy"] == "130")
        #expect(svg.contains(">19.0</text>") && svg.contains(">29.5</text>") && svg.contains(">21.3</text>"))
    }

    @Test func noThermalLayerWithoutAField() {
        let svg = FloorPlanRenderer.svg(Self.plan())
        #expect(!svg.contains("class=\"thermal\"") && !svg.contains("thermal-probe") && !svg.contains("inverse-distance"))
        // A field without probes draws no cells and no probes, but still says how to read it.
        let empty = FloorPlanRenderer.svg(Self.plan(thermal: ThermalField(probes: [])))
        #expect(!empty.contains("class=\"thermal\"") && !empty.contains("thermal-probe") && empty.contains("inverse-distance"))
    }

    @Test func cellsBeyondReachAreLeftBlank() {
        // One probe at the centre of A01 with a reach of 1 tile: only cells whose centre is
        // within 1 tile of (0.5, 0.5) are drawn. Cell centres sit at 0.125 + k/4, so their
        // offsets from the probe are ±0.125, ±0.375 (both sides), 0.625, 0.875 (the room
        // ends at 0 on the other side). Squared: 0.016, 0.141, 0.391, 0.766. Counting
        // dx² + dy² ≤ 1: the four small dx go with all six dy (24); dx 0.625 with the four
        // small dy and 0.625 (5); dx 0.875 with the four small dy (4): 33 cells.
        let field = ThermalField(probes: [.init(id: "T-1", tile: Tile("A01")!, value: 20)], reach: 1)
        var expected = 0.0
        for i in 0..<24 {
            for j in 0..<20 {
                let dx = (Double(i) + 0.5) / 4 - 0.5, dy = (Double(j) + 0.5) / 4 - 0.5
                if dx * dx + dy * dy <= 1 { expected += 1 }
            }
        }
        #expect(expected == 33)
        let svg = FloorPlanRenderer.svg(Self.plan(thermal: field))
        let d = Self.lines(svg, "<path", "data-value").compactMap { RenderTests.attrs($0)["d"] }
        let cells = d.flatMap { $0.split(separator: "M") }.map { Double($0.split(separator: "h")[1].split(separator: "v")[0])! / 10 }.reduce(0, +)
        #expect(cells == expected)
    }

    @Test func thermalPlanPixels() throws {
        let plan = Self.plan(states: ["T-R02": .alarm], thermal: Self.field)
        let (img, png) = try Rasterizer.render(FloorPlanRenderer.svg(plan), name: "thermal-plan")
        print("thermal plan PNG: \(png.path)")
        // The probe dot at (100, 130) is in its value's colour.
        #expect(RenderTests.close(img.pixel(100, 130), plan.scale.color(for: 19)))
        // The alarm outline on B03's tile edge (x 120…123) is red.
        #expect(RenderTests.close(img.pixel(121, 110), FloorPlanRenderer.alarmColor, tolerance: 6))
        // A tile far from racks is tinted: neither the plain tile colour nor the plain aisle.
        let o = FloorPlanRenderer.origin(of: Tile("D01")!)
        #expect(!RenderTests.close(img.pixel(Int(o.x) + 20, Int(o.y) + 20), FloorPlanRenderer.tileColor, tolerance: 10))
    }
}
