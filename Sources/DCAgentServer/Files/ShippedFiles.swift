package import Foundation

/// Files shipped with DCAgent (device profiles, rule and floor examples), found from the running
/// executable: an installed layout (`/etc/dcagent/profiles`, or `share/dcagent` beside the
/// binary's `bin`), or the source tree it was built in (`config/` beside `Package.swift`).
package enum ShippedFiles {
    /// The shipped device profiles, or nil when none are found.
    package static func profilesDirectory(executable: String? = Bundle.main.executablePath) -> String? {
        var candidates = ["/etc/dcagent/profiles"]
        if let executable {
            var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            candidates.append(dir.deletingLastPathComponent().appendingPathComponent("share/dcagent/profiles").path)
            // A build in the source tree: .build/<triple>/debug/dcagent → config/profiles.
            for _ in 0..<5 {
                dir.deleteLastPathComponent()
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                    candidates.append(dir.appendingPathComponent("config/profiles").path)
                    break
                }
            }
        }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
