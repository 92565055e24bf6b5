import ContaminationRules
import Testing

/// A rule file's `for: 1e300` passes `check-config` (a duration is any non-negative number of
/// seconds), and the engine writes the rule's durations into event messages: describing one
/// too long for an `Int` trapped (`Int(seconds / factor)`) the moment such an event fired.
@Suite("Rule durations describe themselves without trapping", .timeLimit(.minutes(1)))
struct RuleDurationTextTests {
    @Test(
        "huge and fractional durations",
        arguments: [
            (1e300, "1e+300s"), (9.3e18, "155000000000000000m"), (86_400 * 1e15, "1000000000000000d"), (2.5, "2.5s"), (90, "90s"), (120, "2m"),
            (3600, "1h"), (2_592_000, "30d"),
        ] as [(Double, String)])
    func description(_ seconds: Double, _ text: String) {
        #expect(RuleDuration(seconds: seconds).description == text)
    }

    @Test("parsed from a rule file's text, the same")
    func parsed() throws {
        let d = try #require(RuleDuration(parsing: "99999999999999999999d"))
        #expect(d.description.hasSuffix("s") || d.description.hasSuffix("d"))
        #expect(RuleDuration(parsing: "1e300")?.description == "1e+300s")
    }
}
