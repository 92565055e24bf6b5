/// A sensor's readings over a time range, drawn as an SVG line chart (``svg(labels:options:timeLabel:)``).
///
/// Units and choices:
/// - **Time** is milliseconds since the epoch (UTC), as `Int64`, like every stored reading.
///   The chart never converts to a calendar itself except for tick placement, which uses
///   ``utcOffsetMs`` (the site's offset; Indonesia has no daylight saving) with plain integer
///   arithmetic; tick *labels* come from the caller's closure, which formats in the site's
///   time zone. No Foundation time zones here.
/// - **Values** are `Double` in ``unit``; a nil value is a missing reading.
/// - **Gaps are drawn as gaps.** Two consecutive points farther apart than ``gapAfterMs``,
///   or a nil value between them, end one line segment and start another: the chart never
///   draws a line across a time when nothing was measured. Hourly buckets break the same
///   way wherever an hour is missing.
/// - **Thresholds** are part of the y range, so their lines are always on the chart and
///   the headroom to them is visible.
public struct TimeChart: Hashable, Sendable {
    /// One reading: time (ms since the epoch) and value, nil when missing.
    public struct Point: Hashable, Sendable {
        /// Milliseconds since the epoch.
        public var t: Int64
        /// The value, nil for a missing reading (breaks the line).
        public var value: Double?

        /// Creates a point.
        public init(t: Int64, value: Double?) {
            self.t = t
            self.value = value
        }
    }

    /// One rollup bucket (an hour by default): its start time and the min, max and mean of
    /// the readings in it.
    public struct Bucket: Hashable, Sendable {
        /// Start of the bucket, ms since the epoch.
        public var t: Int64
        /// Lowest reading.
        public var min: Double
        /// Highest reading.
        public var max: Double
        /// Mean reading.
        public var mean: Double

        /// Creates a bucket.
        public init(t: Int64, min: Double, max: Double, mean: Double) {
            self.t = t
            self.min = min
            self.max = max
            self.mean = mean
        }
    }

    /// How serious crossing a threshold is (line colour).
    public enum Severity: String, Hashable, Sendable, Codable, CaseIterable {
        /// A guide line (grey).
        case info
        /// A warning limit (amber).
        case warning
        /// A critical limit (red).
        case critical
    }

    /// A horizontal limit line with its label (`max 27 °C`).
    public struct Threshold: Hashable, Sendable {
        /// The limit, in the chart's unit.
        public var value: Double
        /// Text drawn on the line, already in the page's language.
        public var label: String
        /// Colour of the line.
        public var severity: Severity

        /// Creates a threshold.
        public init(value: Double, label: String, severity: Severity) {
            self.value = value
            self.label = label
            self.severity = severity
        }
    }

    /// Raw readings, any order (sorted when drawn); those outside `from…to` are left out.
    public var points: [Point]
    /// Rollup buckets, any order; those outside `from…to` are left out.
    public var buckets: [Bucket]
    /// Width of a bucket in ms (one hour): buckets farther apart than this are not joined.
    public var bucketMs: Int64
    /// Start of the time range, ms since the epoch.
    public var from: Int64
    /// End of the time range, ms since the epoch.
    public var to: Int64
    /// Limit lines.
    public var thresholds: [Threshold]
    /// Unit of the values, printed over the y axis (`°C`).
    public var unit: String
    /// Largest time between two consecutive points that are still joined by a line, ms.
    /// Give about two or three poll intervals, so one lost poll does not break the line
    /// but an outage does.
    public var gapAfterMs: Int64
    /// Heading drawn at the top, also the drawing's `aria-label`.
    public var title: String
    /// The site's offset from UTC in ms, used only to place day and month ticks on local
    /// midnight (25 200 000 for Asia/Jakarta).
    public var utcOffsetMs: Int64
    /// Size in pixels (the viewBox; inline drawings scale it).
    public var width: Double
    /// Height in pixels.
    public var height: Double

    /// Creates a chart.
    public init(
        points: [Point] = [], buckets: [Bucket] = [], bucketMs: Int64 = 3_600_000, from: Int64, to: Int64, thresholds: [Threshold] = [], unit: String, gapAfterMs: Int64,
        title: String, utcOffsetMs: Int64 = 0, width: Double = 720, height: Double = 260
    ) {
        self.points = points
        self.buckets = buckets
        self.bucketMs = bucketMs
        self.from = from
        self.to = to
        self.thresholds = thresholds
        self.unit = unit
        self.gapAfterMs = gapAfterMs
        self.title = title
        self.utcOffsetMs = utcOffsetMs
        self.width = width
        self.height = height
    }

    // MARK: Layout

    /// The plot area and the scales that map time and value into it.
    public struct Frame: Hashable, Sendable {
        /// Left edge of the plot area, px.
        public var left: Double
        /// Top edge, px.
        public var top: Double
        /// Width, px.
        public var width: Double
        /// Height, px.
        public var height: Double
        /// Time at the left edge, ms.
        public var from: Int64
        /// Time at the right edge, ms.
        public var to: Int64
        /// Value at the bottom edge.
        public var yMin: Double
        /// Value at the top edge.
        public var yMax: Double

        /// The x of a time (linear; `from` → left edge, `to` → right edge).
        public func x(_ t: Int64) -> Double { left + Double(t - from) / Double(Swift.max(1, to - from)) * width }

        /// The y of a value (linear; `yMin` → bottom edge, `yMax` → top edge).
        public func y(_ v: Double) -> Double { top + height - (v - yMin) / (yMax > yMin ? yMax - yMin : 1) * height }
    }

    /// Margin left of the plot (room for y tick labels), px.
    public static let marginLeft = 56.0
    /// Margin right of the plot, px.
    public static let marginRight = 16.0
    /// Margin above the plot (title and unit), px.
    public static let marginTop = 40.0
    /// Margin below the plot (time labels), px.
    public static let marginBottom = 30.0

    /// Every value the y range must hold: drawn readings, bucket extremes, thresholds.
    var valuesInRange: [Double] {
        visiblePoints.compactMap(\.value) + visibleBuckets.flatMap { [$0.min, $0.max] } + visibleThresholds.map(\.value)
    }

    /// The thresholds with a finite value.
    var visibleThresholds: [Threshold] { thresholds.filter { $0.value.isFinite } }

    /// The points inside `from…to`, by time; a non-finite value counts as missing (it
    /// breaks the line like nil).
    var visiblePoints: [Point] { Self.clean(points, from: from, to: to) }

    /// Points inside `from…to`, by time, non-finite values turned into nil.
    static func clean(_ points: [Point], from: Int64, to: Int64) -> [Point] {
        points.filter { $0.t >= from && $0.t <= to }.map { $0.value?.isFinite == false ? Point(t: $0.t, value: nil) : $0 }.sorted { $0.t < $1.t }
    }

    /// The buckets inside `from…to`, by time.
    var visibleBuckets: [Bucket] {
        buckets.filter { $0.t + bucketMs > from && $0.t <= to && $0.min.isFinite && $0.max.isFinite && $0.mean.isFinite }.sorted { $0.t < $1.t }
    }

    /// True when there is no reading and no bucket to draw in the range.
    public var isEmpty: Bool { !visiblePoints.contains { $0.value != nil } && visibleBuckets.isEmpty }

    /// The y-axis ticks: nice 1-2-5 steps covering every drawn value and threshold; empty
    /// when there is nothing at all to scale.
    public var yTicks: [Double] { yScale?.ticks ?? [] }

    /// The y step and ticks; nil when there is nothing to scale.
    var yScale: (step: NiceStep, ticks: [Double])? {
        let vs = valuesInRange
        guard let lo = vs.min(), let hi = vs.max() else { return nil }
        return Self.niceScale(min: lo, max: hi)
    }

    /// The plot area and scales: the y range runs from the first to the last y tick (0…1
    /// when there is nothing to scale).
    public var frame: Frame {
        let ticks = yTicks
        return Frame(
            left: Self.marginLeft, top: Self.marginTop, width: max(10, width - Self.marginLeft - Self.marginRight), height: max(10, height - Self.marginTop - Self.marginBottom),
            from: from, to: max(to, from + 1), yMin: ticks.first ?? 0, yMax: ticks.last ?? 1)
    }

    // MARK: Gaps

    /// The readings cut into runs that may be joined by a line: a run ends at a nil value
    /// and wherever the next point is more than `gapAfterMs` later. Points must be sorted by
    /// time.
    public static func segments(_ points: [Point], gapAfterMs: Int64) -> [[(t: Int64, value: Double)]] {
        var out: [[(t: Int64, value: Double)]] = []
        var run: [(t: Int64, value: Double)] = []
        for p in points {
            guard let v = p.value else {
                if !run.isEmpty { out.append(run) }
                run = []
                continue
            }
            if let last = run.last, p.t - last.t > gapAfterMs {
                out.append(run)
                run = []
            }
            run.append((p.t, v))
        }
        if !run.isEmpty { out.append(run) }
        return out
    }

    /// Buckets cut into runs of consecutive buckets: a run ends where the next bucket starts
    /// more than `bucketMs` after this one (a missing hour). Buckets must be sorted by time.
    public static func bucketRuns(_ buckets: [Bucket], bucketMs: Int64) -> [[Bucket]] {
        var out: [[Bucket]] = []
        var run: [Bucket] = []
        for b in buckets {
            if let last = run.last, b.t - last.t > bucketMs {
                out.append(run)
                run = []
            }
            run.append(b)
        }
        if !run.isEmpty { out.append(run) }
        return out
    }
}
