import ContaminationRules
import FloorModel
import ITSMLink
import Telemetry
import Testing

/// Priority from impact × urgency (issue 15, decree Lampiran II F.1.b.1): the matrix, urgency
/// from severity and trend, the Theil–Sen trend, and the reasons a ticket shows.
@Suite("priority: impact × urgency", .timeLimit(.minutes(1)))
struct PriorityTests {
    // MARK: Matrix

    @Test(
        "the default matrix, every cell",
        arguments: [
            (1, 1, 1), (1, 2, 2), (1, 3, 3),
            (2, 1, 2), (2, 2, 3), (2, 3, 4),
            (3, 1, 3), (3, 2, 4), (3, 3, 4),
        ])
    func defaultCells(_ impact: Int, _ urgency: Int, _ priority: Int) {
        #expect(PriorityMatrix.itil.priority(impact: impact, urgency: urgency) == priority)
        #expect(PriorityConfig.defaults.matrix == .itil)
    }

    @Test func aCustomMatrixIsUsedAndLevelsAreClamped() throws {
        let m = try #require(PriorityMatrix([[1, 1, 2], [2, 3, 4], [3, 4, 5]]))
        #expect(m.priority(impact: 1, urgency: 2) == 1)
        #expect(m.priority(impact: 3, urgency: 3) == 5)
        #expect(m.priority(impact: 2, urgency: 1) == 2)
        #expect(m.priority(impact: 0, urgency: 9) == m.priority(impact: 1, urgency: 3))
        #expect(m.description == "[[1, 1, 2], [2, 3, 4], [3, 4, 5]]")
    }

    @Test(
        "a matrix that is not 3 × 3 priorities 1…5 falling with impact and urgency is refused",
        arguments: [
            [[1, 2, 3], [2, 3, 4]],
            [[1, 2, 3, 4], [2, 3, 4], [3, 4, 4]],
            [[1, 2, 3], [2, 3, 6], [3, 4, 4]],
            [[0, 2, 3], [2, 3, 4], [3, 4, 4]],
            [[4, 4, 3], [4, 3, 2], [3, 2, 1]],  // upside down
        ])
    func refusedMatrix(_ cells: [[Int]]) {
        #expect(PriorityMatrix(cells) == nil)
        #expect(!PriorityMatrix.problems(cells).isEmpty)
    }

    // MARK: Trend

    static let t0 = Timestamp(seconds: 1_800_000_000)

    /// One sample a minute: `values[i]` at minute i.
    static func minutely(_ values: [Double]) -> [(Timestamp, Double)] {
        values.enumerated().map { (t0.adding(seconds: Double($0.offset) * 60), $0.element) }
    }

    /// The ordinary least-squares slope per minute, for comparison.
    static func leastSquaresPerMinute(_ samples: [(Timestamp, Double)]) -> Double {
        let xs = samples.map { $0.0.seconds(since: t0) / 60 }
        let ys = samples.map(\.1)
        let mx = xs.reduce(0, +) / Double(xs.count)
        let my = ys.reduce(0, +) / Double(ys.count)
        let sxy = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        return sxy / sxx
    }

    /// 20 °C rising 0.25 °C a minute for 10 minutes (exact in binary).
    static let rising = (0..<10).map { 20 + 0.25 * Double($0) }

    @Test func aSteadyRiseIsWorseningWithItsSlope() {
        let e = Trend.of(samples: Self.minutely(Self.rising), worseWhen: .rising, deadband: 0.05, unit: "°C")
        #expect(e.trend == .worsening)
        #expect(e.slopePerMinute == 0.25)
        #expect(e.spanSeconds == 540 && e.sampleCount == 10)
        #expect(e.text == "worsening (+0.25 °C/min over 9 min)")
    }

    @Test func oneOutlierDoesNotFlipTheTheilSenSlope() {
        // The last reading glitches to 10 °C. Least squares: Sxx = 82.5 (minutes²); Sxy drops from
        // 0.25 × 82.5 = 20.625 by (22.25 − 10) × (9 − 4.5) = 55.125 to −34.5, a slope of
        // −34.5 / 82.5 ≈ −0.418 °C/min: "improving". Theil–Sen: 36 of the 45 pairwise slopes
        // are 0.25, the 9 through the outlier are negative; the median (23rd) is 0.25.
        var values = Self.rising
        values[9] = 10
        let samples = Self.minutely(values)
        let ols = Self.leastSquaresPerMinute(samples)
        #expect(abs(ols - (-34.5 / 82.5)) < 1e-9)
        #expect(ols < 0)
        let e = Trend.of(samples: samples, worseWhen: .rising, deadband: 0.05)
        #expect(e.slopePerMinute == 0.25)
        #expect(e.trend == .worsening)
    }

    @Test func anEvenNumberOfPairsTakesTheMeanOfTheMiddleTwo() throws {
        // Slopes of (0,1), (0,2), (0,3), (1,2), (1,3), (2,3): 1, 1, 10/3, 1, 4.5, 8 → sorted
        // 1, 1, 1, 10/3, 4.5, 8 → median (1 + 10/3) / 2.
        let e = Trend.of(samples: Self.minutely([0, 1, 2, 10]), worseWhen: .rising, deadband: 0)
        let slope = try #require(e.slopePerMinute)
        #expect(abs(slope - (1 + 10.0 / 3) / 2) < 1e-12)
    }

    struct TrendCase: Sendable, CustomStringConvertible {
        var name: String
        var values: [Double]
        var worse: Trend.Worse
        var deadband: Double
        var expected: Trend
        var description: String { name }
    }

    @Test(
        "trend table",
        arguments: [
            TrendCase(name: "rising, worse when rising", values: rising, worse: .rising, deadband: 0.05, expected: .worsening),
            TrendCase(name: "rising, worse when falling (humidity back up)", values: rising, worse: .falling, deadband: 0.05, expected: .improving),
            TrendCase(name: "falling, worse when falling", values: rising.reversed(), worse: .falling, deadband: 0.05, expected: .worsening),
            TrendCase(name: "falling, worse when rising", values: rising.reversed(), worse: .rising, deadband: 0.05, expected: .improving),
            TrendCase(name: "slope on the deadband is steady", values: rising, worse: .rising, deadband: 0.25, expected: .steady),
            TrendCase(name: "slope just over the deadband", values: rising, worse: .rising, deadband: 0.2499, expected: .worsening),
            TrendCase(name: "flat", values: [21, 21, 21, 21], worse: .rising, deadband: 0, expected: .steady),
            TrendCase(name: "three samples are enough", values: [20, 21, 22], worse: .rising, deadband: 0.1, expected: .worsening),
            TrendCase(name: "two samples are not", values: [20, 30], worse: .rising, deadband: 0.1, expected: .unknown),
            TrendCase(name: "none", values: [], worse: .rising, deadband: 0.1, expected: .unknown),
            TrendCase(name: "a NaN is left out, leaving two", values: [20, .nan, 22], worse: .rising, deadband: 0.1, expected: .unknown),
        ])
    func trendTable(_ c: TrendCase) {
        #expect(Trend.of(samples: Self.minutely(c.values), worseWhen: c.worse, deadband: c.deadband).trend == c.expected)
    }

    @Test func samplesInAnyOrderAndAllAtOneInstant() {
        let ordered = Self.minutely(Self.rising)
        #expect(Trend.of(samples: ordered.reversed(), worseWhen: .rising, deadband: 0) == Trend.of(samples: ordered, worseWhen: .rising, deadband: 0))
        let sameInstant = [(Self.t0, 20.0), (Self.t0, 25.0), (Self.t0, 30.0)]
        #expect(Trend.of(samples: sameInstant, worseWhen: .rising, deadband: 0).trend == .unknown)
    }

    @Test func trendTexts() {
        let two = Trend.of(samples: Self.minutely([20, 30]), worseWhen: .rising, deadband: 0.1, unit: "°C")
        #expect(two.text == "trend unknown (2 samples, 3 needed)")
        #expect(TrendEstimate.unknown.text == "trend unknown")
        let rh = Trend.of(samples: Self.minutely((0..<16).map { 50 - 0.5 * Double($0) }), worseWhen: .falling, deadband: 0.1, unit: "%RH")
        #expect(rh.text == "worsening (-0.5 %RH/min over 15 min)")
        let flat = Trend.of(samples: Self.minutely([20, 20.01, 20.02, 20.03]), worseWhen: .rising, deadband: 0.05, unit: "°C")
        #expect(flat.trend == .steady)
        #expect(flat.text == "steady (+0.01 °C/min over 3 min, inside ±0.05 °C/min)")
    }

    // MARK: Urgency

    @Test(
        "urgency from severity and trend",
        arguments: [
            (Severity.critical, Trend.steady, 1), (.critical, .worsening, 1), (.critical, .improving, 2), (.critical, .unknown, 1),
            (.warning, .worsening, 1), (.warning, .steady, 2), (.warning, .improving, 3), (.warning, .unknown, 2),
            (.info, .worsening, 2), (.info, .steady, 3), (.info, .improving, 3),
        ])
    func urgencyTable(_ severity: Severity, _ trend: Trend, _ expected: Int) {
        #expect(PriorityConfig.defaults.urgencyLevel(severity: severity, trend: TrendEstimate(trend)).level == expected)
    }

    @Test func configuredUrgencyAndItsReasons() {
        let c = PriorityConfig(urgency: [.critical: 1, .warning: 1, .info: 2])
        #expect(c.urgency(of: .warning) == 1)
        #expect(c.urgencyLevel(severity: .info, trend: .unknown).level == 2)
        let up = PriorityConfig.defaults.urgencyLevel(
            severity: .warning, trend: TrendEstimate(.worsening, slopePerMinute: 0.8, spanSeconds: 600, sampleCount: 60, unit: "°C"))
        #expect(up.reason == "urgency 1 (high): warning (2), raised one step: worsening (+0.8 °C/min over 10 min)")
        let down = PriorityConfig.defaults.urgencyLevel(
            severity: .warning, trend: TrendEstimate(.improving, slopePerMinute: -0.3, spanSeconds: 900, sampleCount: 90, unit: "°C"))
        #expect(down.reason == "urgency 3 (low): warning (2), lowered one step: improving (-0.3 °C/min over 15 min)")
        let floor = PriorityConfig.defaults.urgencyLevel(severity: .info, trend: TrendEstimate(.improving))
        #expect(floor.reason == "urgency 3 (low): info (3), improving, already the lowest")
    }

    // MARK: Impact and the assessment

    static func impact(_ services: [ImpactedService], ci: CIID = "DC-R05") -> ServiceImpact {
        ServiceImpact(ci: ci, onFloor: true, services: services)
    }

    static let core = ImpactedService(service: "SVC-CORE", name: "Core", criticality: 1, path: ["DC-R05", "DC-R05-SRV1", "SVC-CORE"])
    static let tools = ImpactedService(service: "SVC-TOOLS", name: "Tools", criticality: 2, path: ["DC-R05", "DC-R05-SRV2", "SVC-TOOLS"])
    static let unranked = ImpactedService(service: "SVC-X", name: "X", criticality: nil, path: ["DC-R05", "DC-R05-SRV3", "SVC-X"])

    @Test func impactLevelFromTheMostCriticalService() {
        #expect(PriorityConfig.impactLevel(Self.impact([Self.tools, Self.core])).level == 1)
        #expect(PriorityConfig.impactLevel(Self.impact([Self.tools, Self.core])).reason == "impact 1 (high): SVC-CORE criticality 1 via DC-R05 → DC-R05-SRV1; also SVC-TOOLS (criticality 2)")
        #expect(PriorityConfig.impactLevel(Self.impact([Self.tools])).level == 2)
        let x = PriorityConfig.impactLevel(Self.impact([Self.unranked]))
        #expect(x.level == 3)
        #expect(x.reason == "impact 3 (low): SVC-X criticality not set (counts as 3) via DC-R05 → DC-R05-SRV3")
        let none = PriorityConfig.impactLevel(Self.impact([]))
        #expect(none.level == 3 && none.reason == "impact 3 (low): no service depends on DC-R05")
        let missing = PriorityConfig.impactLevel(ServiceImpact(ci: "DC-R99", onFloor: false, services: []))
        #expect(missing.level == 3 && missing.reason == "impact 3 (low): DC-R99 is not on the floor, so no service is known to depend on it")
        let own = PriorityConfig.impactLevel(Self.impact([ImpactedService(service: "SVC-CORE", name: "Core", criticality: 1, path: ["SVC-CORE"])], ci: "SVC-CORE"))
        #expect(own.reason == "impact 1 (high): SVC-CORE criticality 1 (the event is on the service)")
    }

    @Test func assessReadsWellOnATicket() {
        let worsening = TrendEstimate(.worsening, slopePerMinute: 0.8, spanSeconds: 600, sampleCount: 60, deadband: 0.1, unit: "°C")
        let a = PriorityConfig.defaults.assess(severity: .critical, trend: worsening, impact: Self.impact([Self.core]))
        #expect(a == PriorityAssessment(
            priority: 1, impact: 1, urgency: 1,
            reasons: [
                "impact 1 (high): SVC-CORE criticality 1 via DC-R05 → DC-R05-SRV1",
                "urgency 1 (high): critical (1), worsening (+0.8 °C/min over 10 min), already the highest",
                "P1 from the impact × urgency matrix (impact 1 × urgency 1)",
            ]))
        #expect(a.label == "P1")
        // Nothing depends on the rack, a steady warning: impact 3 × urgency 2 → P4.
        let quiet = PriorityConfig.defaults.assess(severity: .warning, trend: TrendEstimate(.steady), impact: Self.impact([]))
        #expect((quiet.priority, quiet.impact, quiet.urgency) == (4, 3, 2))
        #expect(quiet.reasons.last == "P4 from the impact × urgency matrix (impact 3 × urgency 2)")
        // A worsening warning on a criticality-2 service: impact 2 × urgency 1 → P2.
        let tools = PriorityConfig.defaults.assess(severity: .warning, trend: TrendEstimate(.worsening), impact: Self.impact([Self.tools]))
        #expect((tools.priority, tools.impact, tools.urgency) == (2, 2, 1))
        // A custom matrix is what decides.
        let strict = PriorityConfig(matrix: PriorityMatrix([[1, 1, 1], [1, 2, 3], [2, 3, 5]])!)
        #expect(strict.assess(severity: .info, trend: .unknown, impact: Self.impact([Self.core])).priority == 1)
        #expect(strict.assess(severity: .info, trend: .unknown, impact: Self.impact([])).priority == 5)
    }
}
