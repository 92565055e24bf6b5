import Foundation
@testable import FloorModel
import Telemetry
import Testing

/// Sensor charts: gaps stay gaps, thresholds sit where the scale puts them, ticks are nice.
@Suite(.timeLimit(.minutes(2))) struct TimeChartTests {
    static let h: Int64 = 3_600_000
    /// 2025-01-01 00:00 in Asia/Jakarta (UTC+7) = 2024-12-31T17:00:00Z.
    static let jakartaNewYear: Int64 = 1_735_689_600_000 - 7 * 3_600_000
    static let t0 = jakartaNewYear

    static func label(_ t: Int64, _ step: Int64) -> String { "t\((t - t0) / 60_000)" }

    static func chart(_ points: [TimeChart.Point] = [], buckets: [TimeChart.Bucket] = [], thresholds: [TimeChart.Threshold] = [], hours: Int64 = 2) -> TimeChart {
        TimeChart(points: points, buckets: buckets, from: t0, to: t0 + hours * h, thresholds: thresholds, unit: "°C", gapAfterMs: 300_000, title: "T-R01-TH1 inlet", utcOffsetMs: 7 * h)
    }

    /// Every `<path …>` line of a class.
    static func paths(_ svg: String, _ cls: String) -> [[String: String]] {
        svg.split(separator: "\n").filter { $0.hasPrefix("<path") && $0.contains("class=\"\(cls)\"") }.map { RenderTests.attrs(String($0)) }
    }

    // MARK: Gaps

    @Test func aGapInTimeYieldsTwoSeparateSegments() {
        // One reading a minute, then nothing for 20 minutes (gapAfterMs is 5 minutes).
        let pts = [0, 1, 2, 22, 23].map { TimeChart.Point(t: Self.t0 + Int64($0) * 60_000, value: 20 + Double($0) / 10) }
        let runs = TimeChart.segments(pts, gapAfterMs: 300_000)
        #expect(runs.map(\.count) == [3, 2])
        let svg = Self.chart(pts).svg(timeLabel: Self.label)
        let series = Self.paths(svg, "series")
        #expect(series.count == 2)
        // Each path is one move and then lines: no line is drawn across the gap.
        #expect(series.map { $0["d"]!.filter { $0 == "M" }.count } == [1, 1])
        #expect(series.map { $0["d"]!.filter { $0 == "L" }.count } == [2, 1])
        // Exactly at the limit is still joined: 5 minutes apart.
        #expect(TimeChart.segments([0, 5].map { TimeChart.Point(t: Int64($0) * 60_000, value: 1) }, gapAfterMs: 300_000).count == 1)
    }

    @Test func aMissingValueBreaksTheLineAndALoneReadingIsADot() {
        let pts: [TimeChart.Point] = [
            .init(t: Self.t0, value: 21), .init(t: Self.t0 + 60_000, value: 21.5), .init(t: Self.t0 + 120_000, value: nil), .init(t: Self.t0 + 180_000, value: 22),
            .init(t: Self.t0 + 240_000, value: 22.5), .init(t: Self.t0 + 300_000, value: nil), .init(t: Self.t0 + 360_000, value: 23),
        ]
        #expect(TimeChart.segments(pts, gapAfterMs: 300_000).map(\.count) == [2, 2, 1])
        let svg = Self.chart(pts).svg(timeLabel: Self.label)
        #expect(Self.paths(svg, "series").count == 2)
        #expect(svg.components(separatedBy: "class=\"series-dot\"").count == 2)
    }

    @Test func bucketsBreakAtAMissingHour() {
        // Hours 0, 1, 2, then 4, 5: hour 3 has no rollup.
        let b = [0, 1, 2, 4, 5].map { TimeChart.Bucket(t: Self.t0 + Int64($0) * Self.h, min: 19, max: 23, mean: 21) }
        #expect(TimeChart.bucketRuns(b, bucketMs: Self.h).map(\.count) == [3, 2])
        let svg = Self.chart(buckets: b, hours: 6).svg(timeLabel: Self.label)
        let bands = Self.paths(svg, "band")
        let means = Self.paths(svg, "mean")
        #expect(bands.count == 2 && means.count == 2)
        #expect(means.allSatisfy { $0["d"]!.filter { $0 == "M" }.count == 1 })
        // Each band is closed: up along the max, back along the min.
        #expect(bands.allSatisfy { $0["d"]!.hasSuffix(" Z") })
        // Bucket means are drawn at the middle of their hour: hour 0 at 30 minutes.
        let f = Self.chart(buckets: b, hours: 6).frame
        #expect(means[0]["d"]!.hasPrefix("M\(SVGWriter.num(f.x(Self.t0 + Self.h / 2))) "))
    }

    // MARK: Scales

    @Test func thresholdLineSitsWhereTheScaleMapsItsValue() throws {
        // Readings 20…24 °C and a 27 °C limit: the y range must hold 27, so ticks are
        // 20, 22, 24, 26, 28 (span 7 / 5 = 1.4 → step 2).
        let pts = (0...4).map { TimeChart.Point(t: Self.t0 + Int64($0) * 60_000, value: 20 + Double($0)) }
        let c = Self.chart(pts, thresholds: [.init(value: 27, label: "max 27 °C", severity: .critical), .init(value: 18, label: "min 18 °C", severity: .warning)])
        #expect(c.yTicks == [18, 20, 22, 24, 26, 28])  // the 18 °C limit widens it downwards
        let f = c.frame
        // Plot: top 40, height 260 − 40 − 30 = 190, range 18…28:
        // y(27) = 40 + 190 − (27 − 18) / 10 × 190 = 230 − 171 = 59.
        #expect(f.y(27) == 59)
        let svg = c.svg(timeLabel: Self.label)
        let lines = svg.split(separator: "\n").filter { $0.hasPrefix("<line") && $0.contains("class=\"threshold\"") }.map { RenderTests.attrs(String($0)) }
        #expect(lines.count == 2)
        let crit = try #require(lines.first { $0["data-severity"] == "critical" })
        #expect(crit["y1"] == "59" && crit["y2"] == "59" && crit["data-value"] == "27")
        #expect(crit["stroke-dasharray"] != nil && crit["stroke"] == TimeChart.color(for: .critical).description)
        #expect(crit["x1"] == SVGWriter.num(f.left) && crit["x2"] == SVGWriter.num(f.left + f.width))
        let warn = try #require(lines.first { $0["data-severity"] == "warning" })
        #expect(warn["y1"] == SVGWriter.num(f.y(18)) && warn["y1"] == "230")  // the bottom edge
        #expect(svg.contains(">max 27 °C</text>") && svg.contains(">min 18 °C</text>"))
        // The y axis labels are the ticks.
        #expect(svg.contains("class=\"tick-y\" data-value=\"26\">26</text>"))
    }

    @Test func tickValuesAreOneTwoFiveMultiplesCoveringTheRange() {
        #expect(TimeChart.niceTicks(min: 0.13, max: 0.71) == [0, 0.2, 0.4, 0.6, 0.8])
        #expect(TimeChart.niceTicks(min: -3, max: 1234) == [-500, 0, 500, 1000, 1500])
        #expect(TimeChart.niceTicks(min: 18.2, max: 27) == [18, 20, 22, 24, 26, 28])
        #expect(TimeChart.niceTicks(min: 40, max: 60) == [40, 45, 50, 55, 60])
        // A flat series is widened by 5 %: 21 ± 1.05 → step 0.5.
        #expect(TimeChart.niceTicks(min: 21, max: 21) == [19.5, 20, 20.5, 21, 21.5, 22, 22.5])
        let ranges: [(Double, Double)] = [(0, 1), (18.2, 27.9), (-40, 85), (0.001, 0.0093), (12_345, 98_765), (993.1, 1013.4), (-0.5, 0.5), (1e-6, 3e-6)]
        for (lo, hi) in ranges {
            let (step, ticks) = TimeChart.niceScale(min: lo, max: hi)
            #expect([1, 2, 5].contains(step.mantissa), "\(lo)…\(hi)")
            #expect(ticks.first! <= lo && ticks.last! >= hi, "\(lo)…\(hi): \(ticks)")
            #expect((4...11).contains(ticks.count), "\(lo)…\(hi): \(ticks)")
            for (a, b) in zip(ticks, ticks.dropFirst()) {
                #expect(abs((b - a) - step.value) <= step.value * 1e-9, "\(lo)…\(hi): \(ticks)")
            }
            for t in ticks {
                let k = t / step.value
                #expect(abs(k - k.rounded()) < 1e-9, "\(t) is not a multiple of \(step.value)")
            }
        }
        // Decimal ticks print exactly.
        #expect(TimeChart.niceScale(min: 0.13, max: 0.71).ticks.map { SVGWriter.fixed($0, 1) } == ["0.0", "0.2", "0.4", "0.6", "0.8"])
    }

    @Test func timeTicksFallOnRoundLocalTimes() {
        // 24 hours from Jakarta midnight: 6-hour steps at 00, 06, 12, 18, 24 local.
        let day = TimeChart.timeTicks(from: Self.t0, to: Self.t0 + 24 * Self.h, utcOffsetMs: 7 * Self.h)
        #expect(day.stepMs == 6 * Self.h)
        #expect(day.ticks == (0...4).map { Self.t0 + Int64($0) * 6 * Self.h })
        // An odd start: 2 hours from 10:17 local → 30-minute steps from 10:30.
        let odd = TimeChart.timeTicks(from: Self.t0 + 10 * Self.h + 17 * 60_000, to: Self.t0 + 12 * Self.h + 17 * 60_000, utcOffsetMs: 7 * Self.h)
        #expect(odd.stepMs == 30 * 60_000)
        #expect(odd.ticks.first == Self.t0 + 10 * Self.h + 30 * 60_000 && odd.ticks.count == 4)
        // A week: daily ticks at local midnight.
        let week = TimeChart.timeTicks(from: Self.t0, to: Self.t0 + 7 * 24 * Self.h, utcOffsetMs: 7 * Self.h)
        #expect(week.stepMs == 2 * 24 * Self.h || week.stepMs == 24 * Self.h)
        #expect(week.ticks.allSatisfy { ($0 + 7 * Self.h) % (24 * Self.h) == 0 })
        // A year: every other month, on the 1st at local midnight — Jan, Mar, May, Jul, Sep, Nov, Jan.
        let year = TimeChart.timeTicks(from: Self.t0, to: Self.t0 + 365 * 24 * Self.h, utcOffsetMs: 7 * Self.h)
        #expect(year.isMonthly)
        #expect(year.ticks.first == Self.t0)
        let dates = year.ticks.map { TimeChart.civil(($0 + 7 * Self.h) / (24 * Self.h)) }
        #expect(dates.map(\.day) == Array(repeating: 1, count: 7))
        #expect(dates.map(\.month) == [1, 3, 5, 7, 9, 11, 1])
        #expect(dates.map(\.year) == [2025, 2025, 2025, 2025, 2025, 2025, 2026])
        // About six: never more than seven ticks for any span.
        for hours in [1, 3, 5, 9, 30, 100, 400, 2000, 9000] as [Int64] {
            let n = TimeChart.timeTicks(from: Self.t0 + 1234, to: Self.t0 + hours * Self.h, utcOffsetMs: 7 * Self.h).ticks.count
            #expect((2...7).contains(n), "\(hours) h: \(n) ticks")
        }
    }

    @Test func civilDatesRoundTrip() {
        #expect(TimeChart.civil(0) == (1970, 1, 1))
        #expect(TimeChart.civil(20_089) == (2025, 1, 1))
        #expect(TimeChart.civil(19_782) == (2024, 2, 29))
        for d: Int64 in stride(from: -800_000, through: 800_000, by: 997) {
            let c = TimeChart.civil(d)
            #expect(TimeChart.daysFromCivil(year: c.year, month: c.month, day: c.day) == d)
        }
    }

    @Test func timeLabelsComeFromTheCaller() {
        var asked: [Int64] = []
        let svg = Self.chart([.init(t: Self.t0, value: 20)]).svg { t, step in
            asked.append(step)
            return "jam \((t - Self.t0) / Self.h)"
        }
        #expect(svg.contains(">jam 0</text>") && svg.contains(">jam 2</text>"))
        #expect(!asked.isEmpty && asked.allSatisfy { $0 == 30 * 60_000 })  // 2 hours → 30-minute steps
    }

    // MARK: Empty and translated

    @Test func anEmptySeriesDrawsTheAxesAndSaysSo() {
        let svg = Self.chart().svg(timeLabel: Self.label)
        #expect(svg.contains("class=\"plot-frame\""))
        #expect(svg.contains("class=\"tick-x\""))
        #expect(svg.contains(">no readings in this range</text>"))
        #expect(!svg.contains("class=\"series") && !svg.contains("class=\"band\"") && !svg.contains("class=\"tick-y\""))
        var l = TimeChart.Labels()
        l.noReadings = "tidak ada pembacaan dalam rentang ini"
        let id = Self.chart().svg(labels: l, options: .inline, timeLabel: Self.label)
        #expect(id.contains(">tidak ada pembacaan dalam rentang ini</text>") && !id.contains("no readings"))
        #expect(id.hasPrefix("<svg ") && id.contains("role=\"img\" aria-label=\"T-R01-TH1 inlet\"") && id.contains("width=\"100%\""))
        // Readings outside the range do not count.
        let outside = Self.chart([.init(t: Self.t0 - Self.h, value: 20)]).svg(timeLabel: Self.label)
        #expect(outside.contains("no readings in this range"))
        // With thresholds only, the y axis still shows their scale.
        let thr = Self.chart(thresholds: [.init(value: 27, label: "max", severity: .critical)]).svg(timeLabel: Self.label)
        #expect(thr.contains("no readings in this range") && thr.contains("class=\"tick-y\""))
    }

    @Test func nonFiniteDataNeverReachesTheDrawing() {
        let pts: [TimeChart.Point] = [.init(t: Self.t0, value: 20), .init(t: Self.t0 + 60_000, value: .nan), .init(t: Self.t0 + 120_000, value: .infinity)]
        let c = Self.chart(pts, buckets: [.init(t: Self.t0, min: -.infinity, max: 30, mean: 25)], thresholds: [.init(value: .infinity, label: "∞", severity: .info)])
        let svg = c.svg(timeLabel: Self.label)
        #expect(!svg.contains("nan") && !svg.contains("inf") && !svg.contains("class=\"threshold\"") && !svg.contains("class=\"band\""))
        #expect(c.yTicks.allSatisfy { $0.isFinite })
        // A NaN reading is a missing one: it breaks the line.
        let broken: [TimeChart.Point] = [20, .nan, 21, 22].enumerated().map { .init(t: Self.t0 + Int64($0.offset) * 60_000, value: $0.element) }
        #expect(Self.paths(Self.chart(broken).svg(timeLabel: Self.label), "series").count == 1)
        #expect(Self.chart(broken).svg(timeLabel: Self.label).contains("class=\"series-dot\""))
    }

    // MARK: Sparkline

    @Test func sparklineBreaksAtGapsAndMarksTheLastValue() throws {
        let pts = [0, 1, 2, 30, 31, 32].map { TimeChart.Point(t: Self.t0 + Int64($0) * 60_000, value: 20 + Double($0 % 7)) }
        let s = Sparkline(points: pts, from: Self.t0, to: Self.t0 + Self.h, gapAfterMs: 300_000, label: "T-R01-TH1 temperature, last hour: 24 °C")
        let svg = s.svg()
        #expect(Self.paths(svg, "series").count == 2)
        let root = RenderTests.attrs(String(svg.split(separator: "\n")[0]))
        #expect(root["width"] == "120" && root["height"] == "24" && root["aria-label"] == "T-R01-TH1 temperature, last hour: 24 °C")
        let last = try #require(svg.split(separator: "\n").first { $0.contains("class=\"last\"") }.map { RenderTests.attrs(String($0)) })
        // The last reading: 32 min → 20 + 32 % 7 = 24 °C, at x = 2.5 + 32/60 × 115.
        #expect(last["data-value"] == "24")
        #expect(last["cx"] == SVGWriter.num(2.5 + 32.0 / 60 * 115))
        // The y range is the readings' own (20…24): the last value is at the top.
        #expect(last["cy"] == "2.5")
        // No axes, no text, no background.
        #expect(!svg.contains("<text") && !svg.contains("fill=\"#ffffff\""))
        // Nothing to draw: a dashed line, no dot.
        let empty = Sparkline(points: [], from: Self.t0, to: Self.t0 + Self.h, gapAfterMs: 300_000, label: "none").svg()
        #expect(empty.contains("class=\"empty\"") && !empty.contains("class=\"last\""))
    }

    @Test func chartPixels() throws {
        let pts = (0..<120).filter { !(40..<70).contains($0) }.map { TimeChart.Point(t: Self.t0 + Int64($0) * 60_000, value: 21 + Double($0 % 10) / 5) }
        let c = Self.chart(pts, thresholds: [.init(value: 27, label: "max 27 °C", severity: .critical)])
        let (img, png) = try Rasterizer.render(c.svg(timeLabel: Self.label), name: "chart")
        print("chart PNG: \(png.path)")
        let f = c.frame
        // The dashed limit starts with a dash at the left edge of the plot.
        #expect(RenderTests.close(img.pixel(Int(f.left) + 3, Int(f.y(27))), TimeChart.color(for: .critical), tolerance: 40))
        // In the middle of the gap (55 min) no line is drawn at any height: the column is
        // white or grid grey, never the line colour.
        let x = Int(f.x(Self.t0 + 55 * 60_000))
        for y in Int(f.top) + 2..<Int(f.top + f.height) - 2 {
            #expect(!RenderTests.close(img.pixel(x, y), TimeChart.lineColor, tolerance: 60), "line across the gap at y \(y)")
        }
    }
}
