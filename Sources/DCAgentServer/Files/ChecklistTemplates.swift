package import FloorModel
package import Foundation
import Yams

/// Checklist templates from a directory of YAML files (`config/checklists/ID.yaml`): what
/// `dcagent checklist start --templates DIR` and the checklist pages start runs of.
package enum ChecklistTemplates {
    /// Loads `DIR/ID.yaml`; errors name the file.
    package static func load(_ id: String, from dir: String) throws -> ChecklistTemplate {
        let file = (dir as NSString).appendingPathComponent(id + ".yaml")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw FloorFileError(file: file, reason: "no such checklist template (use --templates DIR)")
        }
        do { return try YAMLDecoder().decode(ChecklistTemplate.self, from: text) } catch {
            throw FloorFileError(file: file, reason: "not a checklist template: \(error)")
        }
    }

    /// Every `*.yaml` template in `dir`, by id; a file that is not a template is an error naming it.
    package static func all(from dir: String) throws -> [ChecklistTemplate] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return try names.filter { $0.hasSuffix(".yaml") }.sorted().map { try load(String($0.dropLast(5)), from: dir) }
    }

    /// Where the daemon finds the templates: `checklists/` beside the config file
    /// (`config/dcagent.yaml` → `config/checklists`, the CLI's default when run from the source
    /// tree), else `/etc/dcagent/checklists`; nil when neither is a directory.
    package static func directory(besideConfig configFile: String) -> String? {
        let beside = ((configFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("checklists")
        return [beside, "/etc/dcagent/checklists"].first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
