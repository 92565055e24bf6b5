import ContaminationRules
import DCAgentServer
import FloorModel
import Foundation
import ITSMLink
import Telemetry
import Testing

/// `itsm.priority` in the daemon's config (its plan, its problems located at their line) and the
/// priority of the demo floor's racks end to end: floor file → impact → assessment.
@Suite("itsm.priority in the config and on the demo floor", .timeLimit(.minutes(1)))
struct PriorityConfigTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func config(_ priority: String) -> String {
        """
        sites: [{ id: DC, name: Test DC, time_zone: Asia/Jakarta }]
        storage: { path: /tmp/dcagent-priority-test.sqlite }
        rules: { file: \(repo)/config/rules/default.yaml }
        itsm:
          tickets: builtin
        \(priority)
        """
    }

    @Test func withoutTheKeyThePlanHasTheDefaults() throws {
        let plan = try ConfigLoader.load(text: Self.config(""), file: "/tmp/t.yaml", environment: [:]).get()
        #expect(plan.itsm?.priority == .defaults)
    }

    @Test func theKeysReachThePlan() throws {
        let text = Self.config(
            """
              priority:
                matrix:
                  - [1, 1, 2]
                  - [2, 3, 4]
                  - [3, 4, 5]
                urgency: {warning: 1}
                trend_window: 10m
            """)
        let plan = try ConfigLoader.load(text: text, file: "/tmp/t.yaml", environment: [:]).get()
        let p = try #require(plan.itsm?.priority)
        #expect(p.matrix.cells == [[1, 1, 2], [2, 3, 4], [3, 4, 5]])
        #expect(p.urgency == [.critical: 1, .warning: 1, .info: 3])
        #expect(p.trendWindow == 600)
    }

    @Test func aBadCellIsReportedAtItsLineWithItsPath() throws {
        let text = Self.config(
            """
              priority:
                matrix:
                  - [1, 2, 3]
                  - [2, 3, 6]
                  - [3, 4, 4]
                urgency: {severe: 1}
                colour: red
            """)
        let problems: [ConfigProblem]
        switch ConfigLoader.load(text: text, file: "/tmp/t.yaml", environment: [:]) {
        case .success: Issue.record("accepted"); return
        case .failure(let e): problems = e.problems
        }
        let lines = problems.map(\.description)
        // Line 9 of the text is the matrix's second row.
        #expect(lines.contains { $0.hasPrefix("/tmp/t.yaml:9:") && $0.hasSuffix(": itsm.priority.matrix[1][2]: 6 is not a priority 1…5") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("/tmp/t.yaml:11:") && $0.contains("itsm.priority.urgency.severe: 'severe' is not a severity") }, "\(lines)")
        #expect(lines.contains { $0.contains("itsm.priority.colour: unknown key") }, "\(lines)")
    }

    @Test("docs/itsm.md: the itsm.priority example loads as written and spells the defaults")
    func docExample() throws {
        let text = try String(contentsOfFile: Self.repo + "/docs/itsm.md", encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- doc-test: itsm-priority -->\n```yaml\n"))
        let rest = text[marker.upperBound...]
        let example = String(rest[..<(try #require(rest.range(of: "\n```"))).lowerBound])
        let config = """
            sites: [{ id: DC, name: Test DC, time_zone: Asia/Jakarta }]
            storage: { path: /tmp/dcagent-priority-test.sqlite }
            rules: { file: \(Self.repo)/config/rules/default.yaml }
            \(example)
            """
        let plan = try ConfigLoader.load(text: config, file: "/tmp/t.yaml", environment: [:]).get()
        #expect(plan.itsm?.priority == .defaults)
        // The reasons the doc shows for DC-R05-TH1 are the code's.
        let dc = try #require(try FloorFiles.read(Self.repo + "/config/floor/demo.yaml").first)
        let reason = PriorityConfig.impactLevel(dc.impact(of: "DC-R05-TH1")).reason
        #expect(text.contains(reason), "\(reason)")
    }

    @Test func keyPathsSplitIndexes() {
        #expect(ConfigValidator.keyPath("itsm.priority.matrix[1][2]").dotted == "itsm.priority.matrix[1][2]")
        #expect(ConfigValidator.keyPath("itsm.priority.matrix[1][2]").count == 5)
        #expect(ConfigValidator.keyPath("itsm.priority.urgency.info").count == 4)
    }

    @Test("the demo floor: DC-R01 (e-mail, criticality 1) is impact 1, P1 when critical; DC-R20 (no service) P4 when a steady warning")
    func demoFloor() throws {
        let floors = try FloorFiles.read(Self.repo + "/config/floor/demo.yaml")
        let dc = try #require(floors.first { $0.site.id == "DC" })
        let p = PriorityConfig.defaults
        let r01 = p.assess(severity: .critical, trend: TrendEstimate(.steady), impact: dc.impact(of: "DC-R01-TH1"))
        #expect((r01.priority, r01.impact, r01.urgency) == (1, 1, 1))
        #expect(r01.reasons[0] == "impact 1 (high): SVC-EMAIL criticality 1 via DC-R01-TH1 → DC-R01 → DC-R01-SRV01")
        let r07 = p.assess(severity: .warning, trend: TrendEstimate(.steady), impact: dc.impact(of: "DC-R07"))
        #expect((r07.priority, r07.impact) == (3, 2))
        let r20 = p.assess(severity: .warning, trend: TrendEstimate(.steady), impact: dc.impact(of: "DC-R20"))
        #expect((r20.priority, r20.impact, r20.urgency) == (4, 3, 2))
        #expect(r20.reasons[0] == "impact 3 (low): no service depends on DC-R20")
    }
}
