public import Telemetry

/// Draws a ``FloorPlan`` as SVG: the tile grid with row letters and column numbers, hot and
/// cold aisles, an optional thermal layer, racks coloured by the metric with their front
/// marked (hatched grey when their data is missing, outlined red in alarm), sensors as
/// markers, measured thermal probes as rings, and a legend. Every word comes from
/// ``Labels``. Pure: model in, SVG text out; the output is a standalone file or an inline
/// `<svg>` element (``SVGOptions``).
public enum FloorPlanRenderer {
    /// Pixels per tile.
    public static let tileSize = 40.0
    /// Left edge of column 1.
    public static let left = 40.0
    /// Top edge of row A.
    public static let top = 50.0
    /// Cold aisle fill.
    public static let coldAisleColor = RGB(hex: 0xcfe6ff)
    /// Hot aisle fill.
    public static let hotAisleColor = RGB(hex: 0xffd9cc)
    /// Rack without a value.
    public static let noDataColor = RGB(hex: 0xbdbdbd)
    /// Empty tile.
    public static let tileColor = RGB(hex: 0xfafafa)

    /// Marker fill of a sensor kind.
    public static func color(for kind: SensorKind) -> RGB {
        switch kind {
        case .temperatureHumidity: RGB(hex: 0x111111)
        case .particleCounter: RGB(hex: 0x8e44ad)
        case .corrosionMonitor: RGB(hex: 0xb8860b)
        case .leak: RGB(hex: 0x1565c0)
        case .door, .digitalInputs: RGB(hex: 0x555555)
        case .smoke: RGB(hex: 0xc62828)
        }
    }

    /// The top-left corner of a tile.
    public static func origin(of tile: Tile) -> (x: Double, y: Double) {
        (left + Double(tile.column - 1) * tileSize, top + Double(tile.row) * tileSize)
    }

    /// The legend's swatch values: five steps from the scale's min to max.
    public static func legendValues(_ s: ColorScale) -> [Double] { (0...4).map { s.min + (s.max - s.min) * Double($0) / 4 } }

    /// Left edge of the legend.
    public static func legendX(_ p: FloorPlan) -> Double { left + Double(p.room.grid.columns) * tileSize + 30 }

    /// The y of the legend's value swatch number `i` (0 = min).
    public static func legendSwatchY(_ i: Int) -> Double { top + 24 + Double(i) * 20 }

    /// Outline of a rack with an open alarm.
    public static let alarmColor = RGB(hex: 0xd00000)
    /// Lines of the no-data hatch.
    public static let hatchColor = RGB(hex: 0x555555)
    /// Cells per tile edge in the thermal layer (4 → 16 cells of 150 mm on a 600 mm tile).
    public static let thermalCellsPerTile = 4
    /// Opacity of the thermal layer, so tiles and aisles stay recognisable under it.
    public static let thermalOpacity = 0.5

    /// The `id` of the no-data hatch pattern in a drawing of `p`.
    public static func hatchID(_ p: FloorPlan, options: SVGOptions) -> String {
        SVGWriter.id(options.idPrefix ?? "floor-\(p.room.id)", "no-data-hatch")
    }

    /// A point in tile units (as in ``ThermalField``) in drawing pixels.
    public static func pixel(x: Double, y: Double) -> (x: Double, y: Double) { (left + x * tileSize, top + y * tileSize) }

    /// The SVG of the plan, in `labels`' words, wrapped as `options` say. `link` gives the
    /// href of a rack (its page); a rack with one is wrapped in `<a href>`. Every rack's
    /// rectangle carries `data-ci`, `data-value` (empty without a value) and `data-state`
    /// (``RackState``).
    public static func svg(_ p: FloorPlan, labels: Labels = .english, options: SVGOptions = .standalone, link: (CIID) -> String? = { _ in nil }) -> String {
        let g = p.room.grid
        let width = Int(legendX(p) + 220)
        var w = SVGWriter(width: width, height: 0)
        w.text(expand(labels.title, ["room": p.room.name, "id": p.room.id.rawValue, "metric": p.metric]), x: left, y: 22, size: 14, bold: true)
        for r in 0..<g.rows {
            for c in 1...max(1, g.columns) {
                let t = Tile(row: r, column: c)
                let o = origin(of: t)
                let aisle = p.aisles.first { $0.tiles.contains(t) }
                let fill = aisle.map { $0.kind == .cold ? coldAisleColor : hotAisleColor } ?? tileColor
                w.rect(x: o.x, y: o.y, w: tileSize, h: tileSize, fill: fill, stroke: RGB(hex: 0xdddddd), attrs: [("class", aisle == nil ? "tile" : "aisle-\(aisle!.kind.rawValue)"), ("data-tile", t.description)])
            }
            w.text(Tile(row: r, column: 1).rowLetter, x: left - 10, y: top + Double(r) * tileSize + tileSize / 2 + 4, size: 11, anchor: "middle")
        }
        for c in 1...max(1, g.columns) {
            w.text(String(c), x: left + (Double(c) - 0.5) * tileSize, y: top - 6, size: 10, anchor: "middle")
        }
        if let field = p.thermal { thermalCells(field, p, into: &w) }
        for a in p.aisles {
            let o = origin(of: a.tiles.from)
            let name = labels.name(of: a.kind)
            let label = a.contained ? expand(labels.contained, ["aisle": name]) : name
            // Along the aisle's north-west edge, clear of markers in tile centres.
            w.text(label, x: o.x + 4, y: o.y + 11, size: 9, fill: RGB(hex: 0x555555))
        }
        let hatch = hatchID(p, options: options)
        for r in p.racks { rack(r, p, hatch: hatch, labels: labels, href: link(r.id), into: &w) }
        var perTile: [Tile: Int] = [:]
        for s in p.sensors {
            let o = origin(of: s.tile)
            let n = perTile[s.tile, default: 0]
            perTile[s.tile] = n + 1
            let cx = s.inRack ? o.x + tileSize - 8 - Double(n) * 8 : o.x + tileSize / 2 + Double(n) * 10
            let cy = s.inRack ? o.y + 8 : o.y + tileSize / 2
            w.circle(cx: cx, cy: cy, r: s.inRack ? 3.5 : 6, fill: color(for: s.kind), stroke: RGB(hex: 0xffffff), attrs: [("class", "sensor"), ("data-ci", s.id.rawValue), ("data-kind", s.kind.rawValue)])
        }
        if let field = p.thermal { thermalProbes(field, p, labels: labels, into: &w) }
        let legendBottom = legend(p, labels: labels, hatch: hatch, into: &w)
        w.define(hatchPattern(id: hatch))  // the legend shows it even when no rack needs it
        w.height = Int(max(top + Double(g.rows) * tileSize + 40, legendSwatchY(12) + 20, legendBottom + 20))
        return w.document(title: expand(labels.documentTitle, ["id": p.room.id.rawValue, "room": p.room.name]), options: options)
    }

    /// The `<pattern>` of the no-data hatch: thin diagonal lines every 8 px over whatever is
    /// under it (the no-data grey), so "no data" reads as no data in greyscale print too.
    static func hatchPattern(id: String) -> String {
        "<pattern id=\"\(id)\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\"><path d=\"M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4\" stroke=\"\(hatchColor)\" stroke-width=\"1.5\"/></pattern>"
    }

    /// One rack: its fill (scale colour, or no-data grey with the hatch), the alarm outline,
    /// the front edge and the short label, inside a link when there is one.
    static func rack(_ r: FloorPlan.RackMark, _ p: FloorPlan, hatch: String, labels: Labels, href: String?, into w: inout SVGWriter) {
        let o = origin(of: r.tile)
        let state = r.drawnState
        let valueText = r.isHatched ? labels.noData : r.value.map { "\(SVGWriter.num($0)) \(p.unit)" } ?? labels.noData
        var tooltip = expand(labels.rackTooltip, ["rack": r.id.rawValue, "value": valueText])
        if state == .alarm { tooltip += " — \(labels.alarm)" }
        let linked = w.openLink(href, label: tooltip)
        w.openGroup([("class", "rack-mark")])
        w.title(tooltip)
        // A stale value under an open data_missing is never drawn in a scale colour.
        let fill = r.isHatched ? noDataColor : r.value.map { p.scale.color(for: $0) } ?? noDataColor
        w.rect(
            x: o.x + 3, y: o.y + 3, w: tileSize - 6, h: tileSize - 6, fill: fill, stroke: RGB(hex: 0x222222),
            attrs: [("class", "rack"), ("data-ci", r.id.rawValue), ("data-value", r.value.map { SVGWriter.num($0) } ?? ""), ("data-state", state.rawValue)])
        if r.isHatched {
            w.rect(x: o.x + 3, y: o.y + 3, w: tileSize - 6, h: tileSize - 6, paint: "url(#\(hatch))", attrs: [("class", "rack-no-data")])
        }
        if state == .alarm {
            // Just outside the rack's own edge, so the front edge stays visible.
            w.rect(x: o.x + 1.5, y: o.y + 1.5, w: tileSize - 3, h: tileSize - 3, paint: "none", stroke: alarmColor, strokeWidth: 3, attrs: [("class", "rack-alarm")])
        }
        let (x1, y1, x2, y2): (Double, Double, Double, Double) =
            switch r.facing {
            case .north: (o.x + 3, o.y + 3, o.x + tileSize - 3, o.y + 3)
            case .south: (o.x + 3, o.y + tileSize - 3, o.x + tileSize - 3, o.y + tileSize - 3)
            case .west: (o.x + 3, o.y + 3, o.x + 3, o.y + tileSize - 3)
            case .east: (o.x + tileSize - 3, o.y + 3, o.x + tileSize - 3, o.y + tileSize - 3)
            }
        w.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: RGB(hex: 0x000000), width: 3)
        let short = r.id.rawValue.split(separator: "-").last.map(String.init) ?? r.id.rawValue
        w.text(short, x: o.x + tileSize / 2, y: o.y + tileSize / 2 + 3, size: 9, anchor: "middle", halo: r.isHatched)
        w.closeGroup()
        w.closeLink(linked)
    }

    /// The thermal layer: the grid cut into ``thermalCellsPerTile``² cells per tile, each
    /// filled with the colour of the field at its centre, quantised to ``thermalLevels``
    /// levels across the scale. Runs of a level along a row become one rectangle, and all
    /// rectangles of a level one `<path>`, so the layer stays small enough to inline in a
    /// page (a few dozen paths instead of a rectangle per cell).
    static func thermalCells(_ field: ThermalField, _ p: FloorPlan, into w: inout SVGWriter) {
        let n = max(1, thermalCellsPerTile)
        let cell = tileSize / Double(n)
        let cols = p.room.grid.columns * n
        var runs: [Int: String] = [:]  // level → path data
        for j in 0..<(p.room.grid.rows * n) {
            var run: (start: Int, level: Int)? = nil
            func flush(_ end: Int) {
                guard let r = run else { return }
                let o = pixel(x: Double(r.start) / Double(n), y: Double(j) / Double(n))
                runs[r.level, default: ""] += "M\(SVGWriter.num(o.x)) \(SVGWriter.num(o.y))h\(SVGWriter.num(Double(end - r.start) * cell))v\(SVGWriter.num(cell))h-\(SVGWriter.num(Double(end - r.start) * cell))z"
                run = nil
            }
            for i in 0..<cols {
                guard let v = field.value(x: (Double(i) + 0.5) / Double(n), y: (Double(j) + 0.5) / Double(n)) else {
                    flush(i)
                    continue
                }
                let level = thermalLevel(v, p.scale)
                if run?.level != level {
                    flush(i)
                    run = (i, level)
                }
            }
            flush(cols)
        }
        guard !runs.isEmpty else { return }
        w.openGroup([("class", "thermal"), ("opacity", SVGWriter.num(thermalOpacity)), ("shape-rendering", "crispEdges")])
        for level in runs.keys.sorted() {
            w.path(runs[level]!, fill: p.scale.color(for: thermalValue(level, p.scale)).description, attrs: [("data-value", SVGWriter.num(thermalValue(level, p.scale)))])
        }
        w.closeGroup()
    }

    /// Colour levels of the thermal layer across the scale: 32 steps of 0.45 °C on an
    /// 18–32 °C scale, finer than a room probe's accuracy (typically ±0.3–0.5 °C).
    public static let thermalLevels = 32

    /// The level (0 ..< ``thermalLevels``) of a value, clamped to the scale.
    static func thermalLevel(_ v: Double, _ s: ColorScale) -> Int {
        guard s.max > s.min else { return thermalLevels / 2 }
        let t = Swift.max(0, Swift.min(1, (v - s.min) / (s.max - s.min)))
        return Int((t * Double(thermalLevels - 1)).rounded())
    }

    /// The value a level is drawn as.
    static func thermalValue(_ level: Int, _ s: ColorScale) -> Double {
        s.max > s.min ? s.min + (s.max - s.min) * Double(level) / Double(thermalLevels - 1) : s.min
    }

    /// The measured probes over everything: a dot in the scale colour of its value inside a
    /// dark ring, with the value (one decimal) beside it.
    static func thermalProbes(_ field: ThermalField, _ p: FloorPlan, labels: Labels, into w: inout SVGWriter) {
        for probe in field.probes {
            let c = pixel(x: probe.x, y: probe.y)
            let text = SVGWriter.fixed(probe.value, 1)
            w.openGroup([("class", "thermal-probe-mark")])
            w.title(expand(labels.probeTooltip, ["probe": probe.id.rawValue, "value": "\(text) \(p.unit)"]))
            w.circle(
                cx: c.x, cy: c.y, r: 5, paint: p.scale.color(for: probe.value).description, stroke: RGB(hex: 0x111111), strokeWidth: 2,
                attrs: [("class", "thermal-probe"), ("data-ci", probe.id.rawValue), ("data-value", SVGWriter.num(probe.value))])
            w.text(text, x: c.x + 8, y: c.y + 3.5, size: 9, bold: true, halo: true)
            w.closeGroup()
        }
    }

    /// Draws the legend; returns the y of its last line.
    static func legend(_ p: FloorPlan, labels: Labels, hatch: String, into w: inout SVGWriter) -> Double {
        let x = legendX(p)
        w.text(expand(labels.legendHeading, ["metric": p.metric, "unit": p.unit]), x: x, y: top + 10, size: 12, bold: true)
        for (i, v) in legendValues(p.scale).enumerated() {
            let y = legendSwatchY(i)
            w.rect(x: x, y: y, w: 24, h: 16, fill: p.scale.color(for: v), stroke: RGB(hex: 0x222222), attrs: [("class", "legend-value"), ("data-value", SVGWriter.num(v))])
            w.text("\(SVGWriter.num(v)) \(p.unit)", x: x + 32, y: y + 12, size: 10)
        }
        var y = legendSwatchY(5)
        w.rect(x: x, y: y, w: 24, h: 16, fill: noDataColor, stroke: RGB(hex: 0x222222), attrs: [("class", "legend-key"), ("data-state", RackState.noData.rawValue)])
        w.rect(x: x, y: y, w: 24, h: 16, paint: "url(#\(hatch))")
        w.text(labels.noData, x: x + 32, y: y + 12, size: 10)
        y += 20
        for (fill, name) in [(coldAisleColor, labels.coldAisle), (hotAisleColor, labels.hotAisle)] {
            w.rect(x: x, y: y, w: 24, h: 16, fill: fill, stroke: RGB(hex: 0x222222), attrs: [("class", "legend-key")])
            w.text(name, x: x + 32, y: y + 12, size: 10)
            y += 20
        }
        w.rect(x: x + 1.5, y: y + 1.5, w: 21, h: 13, paint: "none", stroke: alarmColor, strokeWidth: 3, attrs: [("class", "legend-key"), ("data-state", RackState.alarm.rawValue)])
        w.text(labels.alarm, x: x + 32, y: y + 12, size: 10)
        y += 20
        for kind in Set(p.sensors.map(\.kind)).sorted(by: { $0.rawValue < $1.rawValue }) {
            w.circle(cx: x + 12, cy: y + 8, r: 6, fill: color(for: kind), attrs: [("class", "legend-sensor")])
            w.text(expand(labels.sensor, ["kind": labels.name(of: kind)]), x: x + 32, y: y + 12, size: 10)
            y += 20
        }
        w.text(labels.rackFront, x: x, y: y + 12, size: 10)
        y += 12
        if p.thermal != nil {
            y += 14
            w.circle(cx: x + 12, cy: y + 6, r: 5, paint: p.scale.color(for: (p.scale.min + p.scale.max) / 2).description, stroke: RGB(hex: 0x111111), strokeWidth: 2, attrs: [("class", "legend-probe")])
            let lines = wrap(labels.thermalNote, maxChars: 30)
            for (i, line) in lines.enumerated() { w.text(line, x: x + 32, y: y + 10 + Double(i) * 13, size: 10) }
            y += 10 + Double(max(0, lines.count - 1)) * 13
        }
        return y
    }
}
