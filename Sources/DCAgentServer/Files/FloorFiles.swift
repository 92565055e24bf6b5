package import FloorModel
package import Foundation
package import Yams

/// Reading and writing floor files: YAML (the ``FloorDocument`` format) and CSV (``FloorCSV``),
/// chosen by the file's extension.
package enum FloorFiles {
    /// The validated floors of a `.yaml`/`.yml` or `.csv` file; every problem is thrown.
    package static func read(_ path: String) throws -> [Floor] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FloorFileError(file: path, reason: "cannot read the file")
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "csv":
            return try FloorCSV.floors(text)
        case "yaml", "yml":
            let doc: FloorDocument
            do { doc = try YAMLDecoder().decode(FloorDocument.self, from: text) } catch {
                throw FloorFileError(file: path, reason: "not a floor document: \(error)")
            }
            return try doc.floors()
        default:
            throw FloorFileError(file: path, reason: "unknown extension (expected .yaml, .yml or .csv)")
        }
    }

    /// The YAML text of some floors.
    package static func yaml(_ floors: [Floor]) throws -> String {
        try YAMLEncoder().encode(FloorDocument(floors: floors))
    }
}

/// A floor file that cannot be read or decoded, with file and reason.
package struct FloorFileError: Error, CustomStringConvertible {
    package var file: String
    package var reason: String
    package var description: String { "\(file): \(reason)" }
    package init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
}
