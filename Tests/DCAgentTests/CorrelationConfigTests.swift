import Foundation
import Testing

/// `itsm.correlation` (issue 15) through `dcagent check-config`: the documented example loads as
/// written; bad values are named with their key and line.
@Suite("itsm.correlation in the config", .timeLimit(.minutes(2)))
struct CorrelationConfigTests {
    func config(_ dir: TempDir, _ itsm: String) -> String {
        dir.write(
            "itsm.yaml",
            """
            sites: [{id: DC, name: Test DC, time_zone: Asia/Jakarta}]
            storage: {path: \(dir.file("x.sqlite"))}
            rules: {file: \(Repo.root)/config/rules/default.yaml}
            \(itsm)
            """)
    }

    @Test("docs/itsm.md: the correlation example loads with check-config as written")
    func example() async throws {
        let dir = TempDir()
        let example = try DocExamplesTests.block("itsm-correlation-config", in: "docs/itsm.md", language: "yaml")
        #expect(example.contains("correlation:"))
        let r = try await dcagent("check-config", config(dir, example))
        #expect(r.status == 0 && r.stdout.contains(": OK"), "\(r.output)")
    }

    @Test("a bad grouping, a bad window and an unknown key are each named")
    func problems() async throws {
        let dir = TempDir()
        let f = config(
            dir,
            """
            itsm:
              correlation: {by: shelf, window: soon, across: sites}
            """)
        let r = try await dcagent("check-config", f)
        #expect(r.status == 1, "\(r.output)")
        for e in [
            "itsm.correlation.by: 'shelf' is not one of rack, room, off", "itsm.correlation.window: 'soon' is not a duration",
            "itsm.correlation.across: unknown key",
        ] {
            #expect(r.stdout.contains(e), "missing: \(e)\n--- got:\n\(r.stdout)")
        }
    }
}
