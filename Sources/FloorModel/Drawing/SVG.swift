/// An sRGB colour, written `#rrggbb` in SVG.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    /// Red 0–255.
    public var r: UInt8
    /// Green 0–255.
    public var g: UInt8
    /// Blue 0–255.
    public var b: UInt8

    /// Creates a colour from components.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// Creates a colour from `0xRRGGBB`.
    public init(hex: UInt32) { self.init(UInt8(hex >> 16 & 0xff), UInt8(hex >> 8 & 0xff), UInt8(hex & 0xff)) }

    /// `#rrggbb`.
    public var description: String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { String([digits[Int($0 >> 4)], digits[Int($0 & 0xf)]]) }.joined()
    }

    /// Linear mix: `t` = 0 gives self, 1 gives `other`.
    public func mixed(with other: RGB, _ t: Double) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * max(0, min(1, t))).rounded()) }
        return RGB(m(r, other.r), m(g, other.g), m(b, other.b))
    }
}

/// A tiny SVG text builder: elements with attributes, text escaped.
struct SVGWriter {
    private(set) var body: [String] = []
    let width: Int
    let height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func num(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String((v * 100).rounded() / 100) }

    mutating func raw(_ s: String) { body.append(s) }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: RGB, stroke: RGB? = nil, attrs: [(String, String)] = []) {
        var s = "<rect x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" width=\"\(Self.num(w))\" height=\"\(Self.num(h))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        for (k, v) in attrs { s += " \(k)=\"\(Self.escape(v))\"" }
        body.append(s + "/>")
    }

    mutating func text(_ t: String, x: Double, y: Double, size: Double = 11, anchor: String = "start", fill: RGB = RGB(hex: 0x222222), bold: Bool = false) {
        body.append("<text x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"\(Self.num(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(bold ? " font-weight=\"bold\"" : "")>\(Self.escape(t))</text>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: RGB, stroke: RGB? = nil, attrs: [(String, String)] = []) {
        var s = "<circle cx=\"\(Self.num(cx))\" cy=\"\(Self.num(cy))\" r=\"\(Self.num(r))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        for (k, v) in attrs { s += " \(k)=\"\(Self.escape(v))\"" }
        body.append(s + "/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: RGB, width: Double = 1) {
        body.append("<line x1=\"\(Self.num(x1))\" y1=\"\(Self.num(y1))\" x2=\"\(Self.num(x2))\" y2=\"\(Self.num(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\"/>")
    }

    func document(title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n<title>\(Self.escape(title))</title>\n<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
}
