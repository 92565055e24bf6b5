import Telemetry
import Testing

/// Found by the config fuzz (ConfigFuzzTests): `interval: 99999999999999999999d` trapped in
/// `DurationText.parse` (Double → Int64) and killed `dcagent check-config` and `dcagent run`.
@Suite("Duration text: durations too long to hold are refused, never a trap", .timeLimit(.minutes(1)))
struct DurationOverflowTests {
    @Test(
        "too long for milliseconds in an Int64: nil",
        arguments: ["99999999999999999999d", "9223372036854775807ms", "2562047788015216h", "153722867280912931m", "10000000000000h", "999999999999y"])
    func tooLong(_ text: String) {
        #expect(DurationText.seconds(text) != nil, "the text is a duration")
        #expect(DurationText.parse(text) == nil)
    }

    @Test("the longest that fits still parses")
    func longest() {
        // 106 751 991 167 days is just under Int64.max milliseconds.
        #expect(DurationText.parse("106751991166d") == .milliseconds(106_751_991_166 * 86_400_000))
        #expect(DurationText.parse("100y") == .seconds(100 * 31_536_000))
    }
}
