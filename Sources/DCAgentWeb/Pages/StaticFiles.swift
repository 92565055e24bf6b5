import Foundation
import HTTPTypes
import Hummingbird

/// `GET /static/<name>`: the pages' stylesheet and script, read once at start from
/// `Resources/static` and served from memory (no CDN: the pages work on an isolated network).
/// Only files that were there at start are served; nothing outside that folder can be named.
struct StaticFiles: Sendable {
    let files: [String: (type: String, body: [UInt8])]

    init(directory: String) throws {
        var files: [String: (type: String, body: [UInt8])] = [:]
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in names where !name.hasPrefix(".") {
            guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) else { continue }
            let type =
                switch (name as NSString).pathExtension {
                case "css": "text/css; charset=utf-8"
                case "js": "text/javascript; charset=utf-8"
                case "svg": "image/svg+xml"
                case "png": "image/png"
                default: "application/octet-stream"
                }
            files[name] = (type, [UInt8](data))
        }
        self.files = files
    }

    func register(on router: Router<WebContext>) {
        router.get("/static/:name") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            guard let file = files[name] else { throw APIError.notFound("no static file \(name)") }
            return Response(
                status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: file.body)))
        }
    }
}
