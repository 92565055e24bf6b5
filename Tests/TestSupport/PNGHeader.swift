public import Foundation

/// What a PNG file says about itself in its first 33 bytes: the 8-byte signature, then the IHDR
/// chunk (length 13, type `IHDR`, width, height, bit depth, colour type, …). Tests read it to
/// check a screenshot (``Browser/screenshot(toFile:)``) or a rendered page (pdftoppm) is a PNG
/// of the size they asked for, without decoding the image.
public struct PNGHeader: Sendable, Equatable, CustomStringConvertible {
    /// The PNG signature: `\x89 P N G \r \n \x1a \n`.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public let width: Int
    public let height: Int
    public let bitDepth: Int
    /// 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA.
    public let colourType: Int

    /// Why bytes are not a PNG this can read.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the header of PNG `bytes`; throws ``Invalid`` naming what is wrong (short data, bad
    /// signature, first chunk not a 13-byte IHDR, zero width or height).
    public init(_ bytes: Data) throws {
        let b = [UInt8](bytes.prefix(33))
        guard b.count == 33 else { throw Invalid(description: "\(bytes.count) bytes, too short for a PNG header (33)") }
        guard Array(b[0..<8]) == Self.signature else {
            throw Invalid(description: "not a PNG signature: \(b[0..<8].map { String(format: "%02x", $0) }.joined(separator: " "))")
        }
        func u32(_ at: Int) -> Int { b[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        guard u32(8) == 13, String(decoding: b[12..<16], as: UTF8.self) == "IHDR" else {
            throw Invalid(description: "the first chunk is not a 13-byte IHDR")
        }
        width = u32(16)
        height = u32(20)
        bitDepth = Int(b[24])
        colourType = Int(b[25])
        guard width > 0, height > 0 else { throw Invalid(description: "IHDR says \(width)×\(height)") }
    }

    /// Reads the header of the PNG file at `path`.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(description: "cannot read \(path)")
        }
        try self.init(data)
    }

    public var description: String { "PNG \(width)×\(height), \(bitDepth)-bit, colour type \(colourType)" }
}
