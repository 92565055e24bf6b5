import Foundation

/// Renders SVG text to PNG with the real `rsvg-convert` (librsvg2-bin) in a temporary folder,
/// and decodes it. Output goes to files, never a pipe held by the child.
enum Rasterizer {
    static let tool = "/usr/bin/rsvg-convert"

    static var available: Bool { FileManager.default.isExecutableFile(atPath: tool) }

    /// Writes `svg` and its PNG under a fresh temp folder; returns the image and the PNG path.
    static func render(_ svg: String, name: String) throws -> (PNGImage, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floor-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let svgURL = dir.appendingPathComponent("\(name).svg")
        let pngURL = dir.appendingPathComponent("\(name).png")
        let errURL = dir.appendingPathComponent("\(name).stderr")
        try svg.write(to: svgURL, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["--format=png", "--output=\(pngURL.path)", svgURL.path]
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PNGImage.Failure(description: "rsvg-convert exited \(p.terminationStatus): \((try? String(contentsOf: errURL, encoding: .utf8)) ?? "")")
        }
        return (try PNGImage(data: Data(contentsOf: pngURL)), pngURL)
    }
}
