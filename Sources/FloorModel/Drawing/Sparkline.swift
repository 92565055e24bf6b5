/// A word-sized line of a sensor's recent readings for a list (the rack page's sensors):
/// no axes, no text, the same gap rule as ``TimeChart`` (a nil value or more than
/// `gapAfterMs` between readings breaks the line), and a dot on the last reading.
///
/// The y range is the readings' own min…max (a flat series is drawn across the middle), so a
/// sparkline shows shape, not level: print the value beside it. Times are ms since the epoch.
public struct Sparkline: Hashable, Sendable {
    /// The readings, any order; those outside `from…to` are left out.
    public var points: [TimeChart.Point]
    /// Start of the range, ms since the epoch.
    public var from: Int64
    /// End of the range, ms since the epoch.
    public var to: Int64
    /// Largest time between two readings still joined by a line, ms.
    public var gapAfterMs: Int64
    /// The drawing's `aria-label` (`temperature, last 24 h: 23.4 °C`).
    public var label: String
    /// Width in pixels.
    public var width: Double
    /// Height in pixels.
    public var height: Double

    /// Creates a sparkline (120 × 24 px by default).
    public init(points: [TimeChart.Point], from: Int64, to: Int64, gapAfterMs: Int64, label: String, width: Double = 120, height: Double = 24) {
        self.points = points
        self.from = from
        self.to = to
        self.gapAfterMs = gapAfterMs
        self.label = label
        self.width = width
        self.height = height
    }

    /// Space kept free at each edge so the last-value dot is not clipped, px.
    public static let inset = 2.5

    /// The scales: time across the width, the readings' min…max up the height.
    public var frame: TimeChart.Frame {
        let vs = visible.compactMap(\.value)
        var lo = vs.min() ?? 0
        var hi = vs.max() ?? 1
        if hi <= lo {
            lo -= 1
            hi += 1
        }
        return TimeChart.Frame(
            left: Self.inset, top: Self.inset, width: max(1, width - 2 * Self.inset), height: max(1, height - 2 * Self.inset), from: from, to: max(to, from + 1), yMin: lo, yMax: hi)
    }

    /// The readings inside `from…to`, by time (non-finite values as missing).
    var visible: [TimeChart.Point] { TimeChart.clean(points, from: from, to: to) }

    /// The last reading with a value; nil when there is none.
    public var last: (t: Int64, value: Double)? { visible.last { $0.value != nil }.map { ($0.t, $0.value!) } }

    /// The SVG: a `path.series` per run between gaps (a lone reading is a small dot) and a
    /// `circle.last` on the last reading; without readings a dashed grey middle line.
    public func svg(options: SVGOptions = .standalone) -> String {
        let f = frame
        var w = SVGWriter(width: Int(width.rounded()), height: Int(height.rounded()))
        let runs = TimeChart.segments(visible, gapAfterMs: gapAfterMs)
        if runs.isEmpty {
            w.line(x1: f.left, y1: height / 2, x2: f.left + f.width, y2: height / 2, stroke: RGB(hex: 0xbbbbbb), attrs: [("stroke-dasharray", "3 3"), ("class", "empty")])
        }
        for run in runs {
            if run.count == 1 {
                w.circle(cx: f.x(run[0].t), cy: f.y(run[0].value), r: 1, fill: TimeChart.lineColor, attrs: [("class", "series-dot")])
            } else {
                w.path(TimeChart.pathData(run.map { (f.x($0.t), f.y($0.value)) }), stroke: TimeChart.lineColor, width: 1.2, attrs: [("class", "series"), ("stroke-linejoin", "round")])
            }
        }
        if let l = last {
            w.circle(cx: f.x(l.t), cy: f.y(l.value), r: 2.2, fill: RGB(hex: 0xd7191c), attrs: [("class", "last"), ("data-value", SVGWriter.num(l.value))])
        }
        return w.document(title: label, options: options, background: false)
    }
}
