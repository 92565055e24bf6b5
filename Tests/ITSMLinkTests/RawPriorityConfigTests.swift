import ContaminationRules
import Foundation
import ITSMLink
import Testing

@Suite("itsm.priority: decoding and validation", .timeLimit(.minutes(1)))
struct RawPriorityConfigTests {
    func decode(_ json: String) throws -> RawPriorityConfig { try JSONDecoder().decode(RawPriorityConfig.self, from: Data(json.utf8)) }

    @Test("no keys: the defaults")
    func defaults() throws {
        let c = try decode("{}").config()
        #expect(c == .defaults)
        #expect(c.matrix == .itil)
        #expect(c.urgency == [.critical: 1, .warning: 2, .info: 3])
        #expect(c.trendWindow == 900)
    }

    @Test("every key, snake_case; an urgency table changes only the severities it names")
    func everyKey() throws {
        let c = try decode(#"{"matrix": [[1, 1, 2], [2, 3, 4], [3, 4, 5]], "urgency": {"info": 2}, "trend_window": "10m"}"#).config()
        #expect(c.matrix == PriorityMatrix([[1, 1, 2], [2, 3, 4], [3, 4, 5]]))
        #expect(c.urgency == [.critical: 1, .warning: 2, .info: 2])
        #expect(c.trendWindow == 600)
    }

    @Test(
        "a bad value names its key and the reason",
        arguments: [
            (#"{"matrix": [[1, 2, 3], [2, 3, 6], [3, 4, 4]]}"#, "itsm.priority.matrix[1][2]: 6 is not a priority 1…5"),
            (#"{"matrix": [[1, 2, 3], [2, 3, 4]]}"#, "itsm.priority.matrix: needs 3 rows, impact 1 (high) … 3 (low), each of 3 cells, urgency 1 (high) … 3 (low); it has 2"),
            (#"{"matrix": [[1, 2, 3, 4], [2, 3, 4], [3, 4, 4]]}"#, "itsm.priority.matrix[0]: needs 3 cells, urgency 1 (high) … 3 (low); it has 4"),
            (
                #"{"matrix": [[2, 2, 3], [1, 3, 4], [3, 4, 4]]}"#,
                "itsm.priority.matrix[1][0]: P1 for impact 2 × urgency 1 is higher than P2 for impact 1 × urgency 1; priority must not rise as impact falls (rows go impact 1 high … 3 low)"
            ),
            (#"{"urgency": {"urgent": 1}}"#, "itsm.priority.urgency.urgent: 'urgent' is not a severity (use info, warning, critical)"),
            (#"{"urgency": {"info": 4}}"#, "itsm.priority.urgency.info: 4 is not an urgency 1 (high) … 3 (low)"),
            (#"{"trend_window": "soon"}"#, "itsm.priority.trend_window: 'soon' is not a duration (use 90s, 2m, 1h, 30d)"),
            (#"{"trend_window": "0s"}"#, "itsm.priority.trend_window: '0s' must be longer than 0 and at most 1d"),
            (#"{"trend_window": "2d"}"#, "itsm.priority.trend_window: '2d' must be longer than 0 and at most 1d"),
        ])
    func badValue(_ json: String, _ expected: String) throws {
        let raw = try decode(json)
        #expect(throws: PriorityConfigErrors.self) { try raw.config() }
        do {
            _ = try raw.config()
        } catch {
            #expect(error.problems.map(\.description).contains(expected), "\(error)")
        }
    }

    @Test("every problem at once, under the path given")
    func everyProblem() throws {
        let raw = try decode(#"{"matrix": [[1, 2, 9], [2, 3, 4], [3, 4, 0]], "urgency": {"fatal": 1}, "trend_window": "x"}"#)
        do {
            _ = try raw.config(at: "site.priority")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.key) == ["site.priority.matrix[0][2]", "site.priority.matrix[2][2]", "site.priority.urgency.fatal", "site.priority.trend_window"])
        }
    }

    @Test("an upside-down matrix (rows low → high) is refused, not silently inverted")
    func upsideDown() throws {
        let raw = try decode(#"{"matrix": [[4, 4, 3], [4, 3, 2], [3, 2, 1]]}"#)
        do {
            _ = try raw.config()
            Issue.record("accepted")
        } catch {
            #expect(error.problems.contains { $0.key == "itsm.priority.matrix[0][2]" && $0.reason.contains("must not rise as urgency falls") })
            #expect(error.problems.contains { $0.key == "itsm.priority.matrix[1][1]" && $0.reason.contains("must not rise as impact falls") })
        }
    }

    @Test("the encoded form round-trips with its snake_case keys")
    func roundTrip() throws {
        let raw = RawPriorityConfig(matrix: [[1, 2, 3], [2, 3, 4], [3, 4, 4]], urgency: ["warning": 1], trendWindow: "5m")
        let json = String(decoding: try JSONEncoder().encode(raw), as: UTF8.self)
        #expect(json.contains("\"trend_window\""))
        #expect(try decode(json) == raw)
    }
}
