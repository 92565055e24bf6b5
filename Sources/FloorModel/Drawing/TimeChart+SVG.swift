extension TimeChart {
    /// Every word the chart draws itself, English by default (titles, threshold labels and
    /// the unit come from the caller). Decoding takes English for any key that is missing.
    public struct Labels: Hashable, Sendable, Codable {
        /// Shown across an empty plot.
        public var noReadings = "no readings in this range"
        /// Legend key of the raw reading line.
        public var readings = "readings"
        /// Legend key of the bucket band.
        public var band = "hourly min–max"
        /// Legend key of the bucket mean line.
        public var mean = "hourly mean"

        /// English labels.
        public init() {}

        /// English labels; a translation overrides what it knows.
        public static let english = Labels()

        /// Decodes labels; any key left out keeps its English text.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let en = Labels()
            noReadings = try c.decode(.noReadings, or: en.noReadings)
            readings = try c.decode(.readings, or: en.readings)
            band = try c.decode(.band, or: en.band)
            mean = try c.decode(.mean, or: en.mean)
        }
    }

    /// Colour of the reading line.
    public static let lineColor = RGB(hex: 0x1f5f99)
    /// Colour of the bucket band (drawn at partial opacity).
    public static let bandColor = RGB(hex: 0x7fb3e6)
    /// Colour of the bucket mean line.
    public static let meanColor = RGB(hex: 0x2c4f73)
    /// Axes and frame.
    public static let axisColor = RGB(hex: 0x888888)
    /// Grid lines.
    public static let gridColor = RGB(hex: 0xe6e6e6)

    /// Colour of a threshold line.
    public static func color(for s: Severity) -> RGB {
        switch s {
        case .info: RGB(hex: 0x777777)
        case .warning: RGB(hex: 0xe08a00)
        case .critical: RGB(hex: 0xd00000)
        }
    }

    /// The SVG of the chart. `timeLabel(t, stepMs)` prints a time tick in the site's time
    /// zone; the step (see ``TimeTicks``) tells whether a time of day or a date is wanted.
    /// Elements: `path.series` per unbroken run of readings (`circle.series-dot` for a lone
    /// reading), `path.band` and `path.mean` per run of buckets, `line.threshold` with
    /// `data-value` and `data-severity`, `text.no-readings` when empty.
    public func svg(labels: Labels = .english, options: SVGOptions = .standalone, timeLabel: (_ t: Int64, _ stepMs: Int64) -> String) -> String {
        let f = frame
        var w = SVGWriter(width: Int(width.rounded()), height: Int(height.rounded()))
        w.text(title, x: f.left, y: 16, size: 12, bold: true)
        if !unit.isEmpty { w.text(unit, x: f.left - 8, y: f.top - 8, size: 10, anchor: "end", fill: Self.axisColor) }
        axes(f, timeLabel: timeLabel, into: &w)
        drawBuckets(f, into: &w)
        drawPoints(f, into: &w)
        drawThresholds(f, into: &w)
        if isEmpty {
            w.text(labels.noReadings, x: f.left + f.width / 2, y: f.top + f.height / 2 + 4, size: 12, anchor: "middle", fill: RGB(hex: 0x666666), attrs: [("class", "no-readings")])
        }
        legend(f, labels: labels, into: &w)
        return w.document(title: title, options: options)
    }

    /// Frame, y grid with tick labels, time ticks with labels.
    func axes(_ f: Frame, timeLabel: (Int64, Int64) -> String, into w: inout SVGWriter) {
        let scale = yScale
        for v in scale?.ticks ?? [] {
            let y = f.y(v)
            w.line(x1: f.left, y1: y, x2: f.left + f.width, y2: y, stroke: Self.gridColor, attrs: [("class", "grid-y")])
            w.text(SVGWriter.fixed(v, scale?.step.decimals ?? 0), x: f.left - 6, y: y + 3.5, size: 10, anchor: "end", fill: RGB(hex: 0x444444), attrs: [("class", "tick-y"), ("data-value", SVGWriter.num(v))])
        }
        let tt = Self.timeTicks(from: f.from, to: f.to, utcOffsetMs: utcOffsetMs)
        for t in tt.ticks {
            let x = f.x(t)
            w.line(x1: x, y1: f.top, x2: x, y2: f.top + f.height, stroke: Self.gridColor, attrs: [("class", "grid-x")])
            w.line(x1: x, y1: f.top + f.height, x2: x, y2: f.top + f.height + 4, stroke: Self.axisColor)
            w.text(timeLabel(t, tt.stepMs), x: x, y: f.top + f.height + 16, size: 10, anchor: "middle", fill: RGB(hex: 0x444444), attrs: [("class", "tick-x"), ("data-t", String(t))])
        }
        w.rect(x: f.left, y: f.top, w: f.width, h: f.height, paint: "none", stroke: Self.axisColor, attrs: [("class", "plot-frame")])
    }

    /// Path data through points: `M x y L x y …`.
    static func pathData(_ xy: [(x: Double, y: Double)]) -> String {
        xy.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(SVGWriter.num($0.element.x)) \(SVGWriter.num($0.element.y))" }.joined(separator: " ")
    }

    /// One `<path class="series">` per run between gaps; a run of one reading is a dot.
    func drawPoints(_ f: Frame, into w: inout SVGWriter) {
        for run in Self.segments(visiblePoints, gapAfterMs: gapAfterMs) {
            if run.count == 1 {
                w.circle(cx: f.x(run[0].t), cy: f.y(run[0].value), r: 2, fill: Self.lineColor, attrs: [("class", "series-dot")])
            } else {
                w.path(
                    Self.pathData(run.map { (f.x($0.t), f.y($0.value)) }), stroke: Self.lineColor, width: 1.5,
                    attrs: [("class", "series"), ("stroke-linejoin", "round"), ("stroke-linecap", "round")])
            }
        }
    }

    /// Per run of consecutive buckets: the min–max band and the mean line, each bucket drawn
    /// at its middle; a lone bucket is a short bar and a dot.
    func drawBuckets(_ f: Frame, into w: inout SVGWriter) {
        for run in Self.bucketRuns(visibleBuckets, bucketMs: bucketMs) {
            let xs = run.map { f.x($0.t + bucketMs / 2) }
            if run.count == 1 {
                let b = run[0]
                w.rect(x: xs[0] - 2, y: f.y(b.max), w: 4, h: max(1, f.y(b.min) - f.y(b.max)), paint: Self.bandColor.description, attrs: [("class", "band"), ("fill-opacity", "0.6")])
                w.circle(cx: xs[0], cy: f.y(b.mean), r: 2, fill: Self.meanColor, attrs: [("class", "mean-dot")])
                continue
            }
            let upper = zip(xs, run).map { (x: $0, y: f.y($1.max)) }
            let lower = zip(xs, run).map { (x: $0, y: f.y($1.min)) }.reversed()
            w.path(Self.pathData(upper + lower) + " Z", fill: Self.bandColor.description, attrs: [("class", "band"), ("fill-opacity", "0.45")])
            w.path(Self.pathData(zip(xs, run).map { (x: $0, y: f.y($1.mean)) }), stroke: Self.meanColor, width: 1.5, attrs: [("class", "mean"), ("stroke-linejoin", "round")])
        }
    }

    /// Dashed horizontal lines at each threshold, labelled at the right end.
    func drawThresholds(_ f: Frame, into w: inout SVGWriter) {
        for th in visibleThresholds {
            let y = f.y(th.value)
            let c = Self.color(for: th.severity)
            w.line(
                x1: f.left, y1: y, x2: f.left + f.width, y2: y, stroke: c, width: 1.5,
                attrs: [("stroke-dasharray", "6 4"), ("class", "threshold"), ("data-value", SVGWriter.num(th.value)), ("data-severity", th.severity.rawValue)])
            // Above the line, or below it when the line is at the top edge.
            let ty = y - 4 < f.top + 10 ? y + 12 : y - 4
            w.text(th.label, x: f.left + f.width - 4, y: ty, size: 10, anchor: "end", fill: c, halo: true, attrs: [("class", "threshold-label")])
        }
    }

    /// A one-line key at the top right for what is drawn (readings, band, mean).
    func legend(_ f: Frame, labels: Labels, into w: inout SVGWriter) {
        var keys: [(String, String)] = []  // (kind, text)
        if !visibleBuckets.isEmpty { keys += [("band", labels.band), ("mean", labels.mean)] }
        if visiblePoints.contains(where: { $0.value != nil }) { keys.append(("readings", labels.readings)) }
        var x = f.left + f.width
        let y = 16.0
        for (kind, text) in keys.reversed() {
            // About 5.5 px per character at 10 px DejaVu Sans.
            x -= Double(text.count) * 5.5
            w.text(text, x: x, y: y, size: 10, fill: RGB(hex: 0x444444))
            x -= 22
            switch kind {
            case "band": w.rect(x: x, y: y - 9, w: 16, h: 10, paint: Self.bandColor.description, attrs: [("fill-opacity", "0.45")])
            case "mean": w.line(x1: x, y1: y - 4, x2: x + 16, y2: y - 4, stroke: Self.meanColor, width: 1.5)
            default: w.line(x1: x, y1: y - 4, x2: x + 16, y2: y - 4, stroke: Self.lineColor, width: 1.5)
            }
            x -= 14
        }
    }
}
