import Telemetry
import Testing

@Suite("Duration text: one parser for config, rules and the simulator", .timeLimit(.minutes(1)))
struct DurationTextTests {
    @Test(
        "spellings",
        arguments: [
            ("500ms", 0.5), ("10s", 10), ("2m", 120), ("1h", 3600), ("30d", 2_592_000), ("1w", 604_800), ("1y", 31_536_000),
            ("1h30m", 5400), ("1m30s", 90), (" 15m ", 900), ("0.5s", 0.5),
        ])
    func spellings(_ text: String, _ seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test("malformed, negative or unitless text is refused", arguments: ["", "soon", "5x", "m5", "-2m", "2m-", "1 h", "10"])
    func refused(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test("a bare number is seconds only where allowed")
    func bare() {
        #expect(DurationText.seconds("90", bareSeconds: true) == 90)
        #expect(DurationText.seconds("90") == nil)
        #expect(DurationText.parse("1m30s") == .seconds(90))
        #expect(DurationText.format(.seconds(90)) == "1m30s")
    }

    @Test("a Duration in seconds keeps its fraction")
    func inSeconds() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.seconds(90).inSeconds == 90)
        #expect(Duration.microseconds(250).inSeconds == 0.00025)
    }
}
