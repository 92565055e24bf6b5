import Telemetry

/// Draws a ``FloorPlan`` as SVG: the tile grid with row letters and column numbers, hot and
/// cold aisles, racks coloured by the metric with their front marked, sensors as markers,
/// and a legend. Pure: model in, SVG text out.
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

    /// The SVG of the plan.
    public static func svg(_ p: FloorPlan) -> String {
        let g = p.room.grid
        let width = Int(legendX(p) + 220)
        let height = Int(max(top + Double(g.rows) * tileSize + 40, legendSwatchY(12) + 20))
        var w = SVGWriter(width: width, height: height)
        w.text("\(p.room.name) (\(p.room.id)) — racks by \(p.metric)", x: left, y: 22, size: 14, bold: true)
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
        for a in p.aisles {
            let o = origin(of: a.tiles.from)
            let label = "\(a.kind.rawValue) aisle\(a.contained ? " (contained)" : "")"
            // Along the aisle's north-west edge, clear of markers in tile centres.
            w.text(label, x: o.x + 4, y: o.y + 11, size: 9, fill: RGB(hex: 0x555555))
        }
        for r in p.racks {
            let o = origin(of: r.tile)
            let fill = r.value.map { p.scale.color(for: $0) } ?? noDataColor
            w.rect(x: o.x + 3, y: o.y + 3, w: tileSize - 6, h: tileSize - 6, fill: fill, stroke: RGB(hex: 0x222222), attrs: [("class", "rack"), ("data-ci", r.id.rawValue), ("data-value", r.value.map { SVGWriter.num($0) } ?? "")])
            let (x1, y1, x2, y2): (Double, Double, Double, Double) =
                switch r.facing {
                case .north: (o.x + 3, o.y + 3, o.x + tileSize - 3, o.y + 3)
                case .south: (o.x + 3, o.y + tileSize - 3, o.x + tileSize - 3, o.y + tileSize - 3)
                case .west: (o.x + 3, o.y + 3, o.x + 3, o.y + tileSize - 3)
                case .east: (o.x + tileSize - 3, o.y + 3, o.x + tileSize - 3, o.y + tileSize - 3)
                }
            w.line(x1: x1, y1: y1, x2: x2, y2: y2, stroke: RGB(hex: 0x000000), width: 3)
            let short = r.id.rawValue.split(separator: "-").last.map(String.init) ?? r.id.rawValue
            w.text(short, x: o.x + tileSize / 2, y: o.y + tileSize / 2 + 3, size: 9, anchor: "middle")
        }
        var perTile: [Tile: Int] = [:]
        for s in p.sensors {
            let o = origin(of: s.tile)
            let n = perTile[s.tile, default: 0]
            perTile[s.tile] = n + 1
            let cx = s.inRack ? o.x + tileSize - 8 - Double(n) * 8 : o.x + tileSize / 2 + Double(n) * 10
            let cy = s.inRack ? o.y + 8 : o.y + tileSize / 2
            w.circle(cx: cx, cy: cy, r: s.inRack ? 3.5 : 6, fill: color(for: s.kind), stroke: RGB(hex: 0xffffff), attrs: [("class", "sensor"), ("data-ci", s.id.rawValue), ("data-kind", s.kind.rawValue)])
        }
        legend(p, into: &w)
        return w.document(title: "Floor plan \(p.room.id)")
    }

    static func legend(_ p: FloorPlan, into w: inout SVGWriter) {
        let x = legendX(p)
        w.text("\(p.metric) (\(p.unit))", x: x, y: top + 10, size: 12, bold: true)
        for (i, v) in legendValues(p.scale).enumerated() {
            let y = legendSwatchY(i)
            w.rect(x: x, y: y, w: 24, h: 16, fill: p.scale.color(for: v), stroke: RGB(hex: 0x222222), attrs: [("class", "legend-value"), ("data-value", SVGWriter.num(v))])
            w.text("\(SVGWriter.num(v)) \(p.unit)", x: x + 32, y: y + 12, size: 10)
        }
        var y = legendSwatchY(5)
        for (fill, name) in [(noDataColor, "no data"), (coldAisleColor, "cold aisle"), (hotAisleColor, "hot aisle")] {
            w.rect(x: x, y: y, w: 24, h: 16, fill: fill, stroke: RGB(hex: 0x222222), attrs: [("class", "legend-key")])
            w.text(name, x: x + 32, y: y + 12, size: 10)
            y += 20
        }
        for kind in Set(p.sensors.map(\.kind)).sorted(by: { $0.rawValue < $1.rawValue }) {
            w.circle(cx: x + 12, cy: y + 8, r: 6, fill: color(for: kind), attrs: [("class", "legend-sensor")])
            w.text("sensor: \(kind.rawValue)", x: x + 32, y: y + 12, size: 10)
            y += 20
        }
        w.text("thick edge = rack front", x: x, y: y + 12, size: 10)
    }
}
