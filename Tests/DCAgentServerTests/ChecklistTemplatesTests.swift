@testable import DCAgentServer
import FloorModel
import Foundation
import Testing

/// The checklist templates the daemon's pages start runs of: found beside the config file, as
/// `dcagent checklist start` finds them in `config/checklists`.
@Suite("Checklist templates for the pages")
struct ChecklistTemplatesTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("the shipped templates are found beside config/demo.yaml and all load, by id; a file that is not a template names the file")
    func shipped() throws {
        let dir = try #require(ChecklistTemplates.directory(besideConfig: Self.repo + "/config/demo.yaml"))
        #expect(dir == Self.repo + "/config/checklists")
        let all = try ChecklistTemplates.all(from: dir)
        #expect(all.map(\.id) == ["cable-check", "decommissioning", "post-installation", "pre-installation"])
        #expect(all.first { $0.id == "cable-check" }?.kind == .cableCheck)
        #expect(ChecklistTemplates.directory(besideConfig: "/nonexistent/x/dcagent.yaml") == nil || FileManager.default.fileExists(atPath: "/etc/dcagent/checklists"))

        let bad = NSTemporaryDirectory() + "dcagent-templates-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        try "id: x\nkind: nonsense\n".write(toFile: bad + "/x.yaml", atomically: true, encoding: .utf8)
        #expect { try ChecklistTemplates.all(from: bad) } throws: { "\($0)".contains(bad + "/x.yaml") }
    }
}
