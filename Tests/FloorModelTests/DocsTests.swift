import Foundation
import FloorModel
import Telemetry
import Testing
import Yams

/// docs/floor.md must not drift from the code: its YAML snippets decode, its error text is
/// the one the code prints.
@Suite(.timeLimit(.minutes(1))) struct DocsTests {
    static func yamlBlocks() throws -> [String] {
        let text = try Support.read(Support.repoRoot.appendingPathComponent("docs/floor.md"))
        return text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test func checklistSnippetDecodes() throws {
        let blocks = try Self.yamlBlocks()
        #expect(blocks.count == 2)
        let t = try YAMLDecoder().decode(ChecklistTemplate.self, from: blocks[0])
        #expect(t.kind == .preInstallation)
        #expect(t.items.map(\.automatic) == [.space, nil])
    }

    @Test func documentSnippetDecodesAndNamesItsMissingReferences() throws {
        let doc = try YAMLDecoder().decode(FloorDocument.self, from: try Self.yamlBlocks()[1])
        #expect(doc.sites.first?.rooms.first?.racks?.first?.devices?.first?.position == 20)
        // The snippet is an excerpt: converting it reports what it leaves out, by object and field.
        do {
            _ = try doc.floors()
            Issue.record("the excerpt should not validate")
        } catch {
            let keys = Set(error.problems.map { "\($0.object).\($0.field)" })
            #expect(keys.contains("DC-R05-SRV03.type"))
            #expect(keys.contains("DC-C0001.b"))
        }
    }

    @Test func errorExampleIsWhatTheCodePrints() throws {
        let text = try Support.read(Support.repoRoot.appendingPathComponent("docs/floor.md"))
        let bad = DocumentTests.minimal.replacingOccurrences(of: "facing: south", with: "facing: up")
        let doc = try YAMLDecoder().decode(FloorDocument.self, from: bad)
        do {
            _ = try doc.floors()
            Issue.record("accepted")
        } catch {
            #expect(text.contains("```\n\(error.description)\n```"), "\(error.description)")
        }
    }
}
