import ContaminationRules
import Testing

@Suite("ISA-71.04 corrosivity", .timeLimit(.minutes(1)))
struct CorrosionClassifierTests {
    @Test(
        "copper boundaries",
        arguments: [
            (0.0, CorrosionLevel.g1), (299.9, .g1), (300, .g2), (999.9, .g2), (1000, .g3), (1999.9, .g3), (2000, .gx), (4000, .gx),
        ])
    func copper(rate: Double, level: CorrosionLevel) {
        #expect(CorrosionClassifier.level(.copper, ratePer30Days: rate) == level)
    }

    @Test(
        "silver boundaries",
        arguments: [(0.0, CorrosionLevel.g1), (199.9, .g1), (200, .g2), (999.9, .g2), (1000, .g3), (1999.9, .g3), (2000, .gx)])
    func silver(rate: Double, level: CorrosionLevel) {
        #expect(CorrosionClassifier.level(.silver, ratePer30Days: rate) == level)
    }

    @Test("the class is the worse of the two metals")
    func worseOfTwo() {
        #expect(CorrosionClassifier.level(copper: 250, silver: 250) == .g2)  // silver G2, copper G1
        #expect(CorrosionClassifier.level(copper: 1500, silver: 150) == .g3)
        #expect(CorrosionClassifier.level(copper: 100, silver: nil) == .g1)
        #expect(CorrosionClassifier.level(copper: nil, silver: nil) == nil)
        #expect(CorrosionClassifier.level(.copper, ratePer30Days: -1) == nil)
        #expect(CorrosionClassifier.level(.copper, ratePer30Days: .nan) == nil)
    }

    @Test("coupon normalisation to 30 days")
    func coupon() {
        #expect(CorrosionClassifier.ratePer30Days(thickness: 600, exposureDays: 60) == 300)
        #expect(CorrosionClassifier.ratePer30Days(thickness: 100, exposureDays: 0) == nil)
    }

    @Test("level names")
    func names() {
        #expect(CorrosionLevel(name: "gx") == .gx)
        #expect(CorrosionLevel.gx.description == "GX")
        #expect(CorrosionLevel(name: "G4") == nil)
    }
}

@Suite("ISO 14644-1 particles", .timeLimit(.minutes(1)))
struct ParticleClassifierTests {
    /// STANDARDS.md table: (class, size µm, limit per m³).
    static let table: [(Int, Double, Double)] = [
        (5, 0.1, 100_000), (5, 0.2, 23_700), (5, 0.3, 10_200), (5, 0.5, 3_520), (5, 1, 832),
        (6, 0.1, 1_000_000), (6, 0.2, 237_000), (6, 0.3, 102_000), (6, 0.5, 35_200), (6, 1, 8_320), (6, 5, 293),
        (7, 0.5, 352_000), (7, 1, 83_200), (7, 5, 2_930),
        (8, 0.5, 3_520_000), (8, 1, 832_000), (8, 5, 29_300),
        (9, 0.5, 35_200_000), (9, 1, 8_320_000), (9, 5, 293_000),
    ]

    @Test("limits from the formula match the standard's table", arguments: table)
    func limits(cls: Int, size: Double, expected: Double) {
        #expect(ParticleClassifier.limit(ISOClass(cls), size: size) == expected)
    }

    @Test("the formula before rounding: class 8 at 0.5 µm is 3 516 757")
    func formula() {
        #expect(ParticleClassifier.formulaLimit(ISOClass(8), size: 0.5).rounded() == 3_516_757)
    }

    @Test(
        "class achieved at the ISO 8 boundary (0.5 µm only)",
        arguments: [(3_520_000.0, 80), (3_520_001, 81), (352_000, 70), (352_001, 71), (35_200_000, 90), (35_200_001, -1)])
    func boundary(conc: Double, tenths: Int) {
        let cls = ParticleClassifier.classAchieved(concentrations: [0.5: conc])
        #expect(cls?.tenths ?? -1 == tenths)
    }

    @Test("intermediate classes in steps of 0.1: 10^7.3 × (0.2)^2.08 at 0.5 µm")
    func intermediate() {
        let limit73 = ParticleClassifier.limit(ISOClass(tenths: 73), size: 0.5)
        let limit72 = ParticleClassifier.limit(ISOClass(tenths: 72), size: 0.5)
        #expect(ParticleClassifier.classAchieved(concentrations: [0.5: limit73])?.tenths == 73)
        #expect(ParticleClassifier.classAchieved(concentrations: [0.5: limit72 + 1])?.tenths == 73)
        #expect(ISOClass(tenths: 73).description == "ISO 7.3")
    }

    @Test("only sizes valid for a class count: 0.3 µm is ignored from ISO 7 up")
    func validSizes() {
        // 0.3 µm far too high for ISO 6 (102 000) but ISO 7 has no 0.3 µm limit; 0.5 µm meets ISO 7.
        let cls = ParticleClassifier.classAchieved(concentrations: [0.3: 5_000_000, 0.5: 300_000])
        #expect(cls == ISOClass(7))
        #expect(ParticleClassifier.validSizes(ISOClass(tenths: 65)) == [0.5, 1, 5])
        #expect(ParticleClassifier.validSizes(ISOClass(6)).contains(0.1))
        #expect(!ParticleClassifier.validSizes(ISOClass(5)).contains(5))
    }

    @Test("the worst valid size decides; 5 µm does not count below ISO 6")
    func worstSize() {
        // 1 µm at 1 000/m³ needs ISO 5.1 (limit 1 047); 5 µm is not a size of classes 5.x.
        #expect(ParticleClassifier.classAchieved(concentrations: [0.5: 1_000, 1: 1_000, 5: 29_300]) == ISOClass(tenths: 51))
        // From ISO 6 up, 5 µm counts: 29 300/m³ at 5 µm with 0.5 µm above ISO 6 → ISO 8.
        #expect(ParticleClassifier.classAchieved(concentrations: [0.5: 400_000, 5: 29_300]) == ISOClass(8))
    }

    @Test(
        "minimum sample locations (Table A.1)",
        arguments: [(1.0, 1), (2, 1), (2.1, 2), (52, 10), (52.5, 11), (120, 19), (1000, 27), (1000.1, 28), (2000, 54)])
    func locations(area: Double, locations: Int) {
        #expect(ParticleClassifier.minimumSampleLocations(areaSquareMetres: area) == locations)
    }

    @Test("minimum sample volume, at least 2 L")
    func volume() {
        // ISO 8 at 5 µm: 20 / 29 300 × 1000 = 0.68 L → 2 L.
        #expect(ParticleClassifier.minimumSampleVolumeLitres(ISOClass(8), largestSize: 5) == 2)
        // ISO 5 at 1 µm: 20 / 832 × 1000 = 24.04 L.
        #expect(abs(ParticleClassifier.minimumSampleVolumeLitres(ISOClass(5), largestSize: 1) - 24.038) < 0.01)
    }

    @Test("differential counts become cumulative")
    func cumulative() {
        let c = ParticleClassifier.cumulative(fromDifferential: [0.5: 100, 1: 20, 5: 3])
        #expect(c == [0.5: 123, 1: 23, 5: 3])
    }
}

@Suite("ASHRAE envelopes", .timeLimit(.minutes(1)))
struct ThermalClassifierTests {
    let g = ThermalGuidelines.ashrae2021

    @Test("dew point by Magnus")
    func dewPoint() throws {
        let dp = try #require(ThermalGuidelines.dewPoint(temperature: 25, rh: 50))
        #expect(abs(dp - 13.85) < 0.01)
        #expect(abs(try #require(ThermalGuidelines.dewPoint(temperature: 20, rh: 100)) - 20) < 1e-9)
        #expect(ThermalGuidelines.dewPoint(temperature: 20, rh: 0) == nil)
    }

    @Test(
        "dry-bulb boundaries at 40 % RH",
        arguments: [
            (18.0, ASHRAEClass.recommended), (27, .recommended), (27.1, .a1), (17.9, .a1), (15, .a1), (32, .a1), (32.1, .a2),
            (14.9, .a2), (35, .a2), (35.1, .a3), (9.9, .a3), (40, .a3), (40.1, .a4), (45, .a4), (45.1, .outside), (4.9, .outside),
        ])
    func dryBulb(t: Double, cls: ASHRAEClass) {
        // 40 % RH keeps the dew point inside every envelope from 5 to 27 °C; above 35 °C it rises
        // past 17 °C, which is why the upper rows are checked with 30 % RH below.
        let rh = t > 35 ? 20.0 : 40.0
        #expect(g.classify(temperature: t, rh: rh) == cls)
    }

    @Test(
        "humidity boundaries at 24 °C",
        arguments: [
            (50.0, ASHRAEClass.recommended),  // DP 12.9
            (60, .a1),  // DP 15.8: above the recommended 15 °C
            (70, .a2),  // DP 18.2: above A1's 17 °C
            (9, .a1),  // DP −10.9: below the recommended −9 °C
            (8, .outside),  // DP −12.35: below every envelope's −12 °C
        ])
    func humidity(rh: Double, cls: ASHRAEClass) {
        #expect(g.classify(temperature: 24, rh: rh) == cls)
    }

    @Test("the 8 % RH floor at 30 °C", arguments: [(8.0, ASHRAEClass.a1), (7.9, .outside), (80, .outside)])
    func rhFloor(rh: Double, cls: ASHRAEClass) {
        // At 30 °C the 8 % RH floor binds before the −12 °C dew point (DP −7.9);
        // 80 % RH gives DP 26.2, above every envelope's 24 °C ceiling.
        #expect(g.classify(temperature: 30, rh: rh) == cls)
    }

    @Test("recommended dew-point ceiling 15 °C and RH ceiling 70 %")
    func recommendedCeiling() {
        // 20 °C, 70 % RH → DP 14.36: recommended; 20 °C, 71 % → RH above 70: A1.
        #expect(g.classify(temperature: 20, rh: 70) == .recommended)
        #expect(g.classify(temperature: 20, rh: 71) == .a1)
        // 27 °C, 55 % → DP 17.1 > 15 (and > 17): A2.
        #expect(g.classify(temperature: 27, rh: 55) == .a2)
        // high pollutants: RH ceiling 50 %.
        #expect(g.classify(temperature: 22, rh: 55, highPollutants: true) == .a1)
        #expect(g.classify(temperature: 22, rh: 50, highPollutants: true) == .recommended)
    }

    @Test("recommended dew-point floor −9 °C; A1 floor −12 °C and 8 % RH")
    func floors() {
        // 18 °C: DP −9 at about 15.7 % RH.
        #expect(g.classify(temperature: 18, rh: 16) == .recommended)
        #expect(g.classify(temperature: 18, rh: 15) == .a1)
        #expect(g.classify(temperature: 18, rh: .nan) == .outside)
    }

    @Test("class coding for the derived point")
    func coding() {
        #expect(ASHRAEClass.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 5])
    }
}
