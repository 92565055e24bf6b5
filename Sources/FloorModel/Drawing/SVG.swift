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

/// How a renderer wraps its drawing: a standalone `.svg` file, or an `<svg>` element to put
/// inline in an HTML page. Neither form has an XML prolog or a doctype, so both can be pasted
/// into HTML; the inline form also drops the fixed pixel size so the page decides it.
public struct SVGOptions: Hashable, Sendable {
    /// The two wrappings.
    public enum Mode: String, Hashable, Sendable, Codable {
        /// `width` and `height` in pixels plus `viewBox`: a file to open or rasterise.
        case standalone
        /// Only `viewBox`, `width="100%"` and `preserveAspectRatio`: the element scales to its
        /// container's width and keeps its proportions (height follows from the viewBox).
        case inline
    }

    /// The wrapping.
    public var mode: Mode
    /// Prefix of every `id` the drawing defines (the no-data hatch pattern); nil derives one
    /// from the drawn object (`floor-DC-H1`). Two drawings inlined in one page need different
    /// prefixes only when they are of the same object but drawn differently.
    public var idPrefix: String?
    /// Value of the root's `class` attribute, for the page's CSS; nil for none.
    public var cssClass: String?
    /// The root's ARIA role. `img` (the default) makes the drawing one image named by its
    /// `aria-label`; note that assistive technology then treats everything inside, links
    /// too, as presentational, so a page whose drawing carries links may prefer `group`.
    public var role: String

    /// Creates options.
    public init(mode: Mode = .standalone, idPrefix: String? = nil, cssClass: String? = nil, role: String = "img") {
        self.mode = mode
        self.idPrefix = idPrefix
        self.cssClass = cssClass
        self.role = role
    }

    /// A standalone drawing with fixed pixel size (the default, what `dcagent … --svg` writes).
    public static let standalone = SVGOptions()
    /// An inline `<svg>` element for an HTML page, 100 % of its container's width.
    public static let inline = SVGOptions(mode: .inline)
}

/// Fills `{name}` placeholders of a label template: `expand("{n} racks", ["n": "3"])` is
/// `"3 racks"`. One pass, so a value that itself contains braces is left alone; unknown
/// placeholders are left as written, so a translation with a typo still renders.
func expand(_ template: String, _ values: [String: String]) -> String {
    var out = ""
    var rest = template[...]
    while let open = rest.firstIndex(of: "{") {
        out += rest[..<open]
        guard let close = rest[open...].firstIndex(of: "}"), let v = values[String(rest[rest.index(after: open)..<close])] else {
            out.append("{")
            rest = rest[rest.index(after: open)...]
            continue
        }
        out += v
        rest = rest[rest.index(after: close)...]
    }
    return out + rest
}

/// Splits a text into lines of at most about `maxChars` characters at spaces (a word longer
/// than that gets its own line). Legends are narrow and translations differ in length, so
/// long legend lines are wrapped here rather than by the translator.
func wrap(_ text: String, maxChars: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        if line.isEmpty {
            line = String(word)
        } else if line.count + 1 + word.count <= maxChars {
            line += " " + word
        } else {
            lines.append(line)
            line = String(word)
        }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}

/// A tiny SVG text builder: elements with attributes, text escaped. One element per line, so
/// tests can pick elements out line by line.
struct SVGWriter {
    private(set) var body: [String] = []
    private(set) var defs: [String] = []
    /// Size in pixels (the viewBox); the height may be set once the content is known.
    var width: Int
    var height: Int

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

    static func num(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e15 else { return v.isFinite ? String(v) : "0" }  // never trap on odd data
        return v == v.rounded() ? String(Int(v)) : String((v * 100).rounded() / 100)
    }

    /// `v` with exactly `decimals` digits after the point, without Foundation:
    /// `fixed(21.04, 1)` is `21.0`, `fixed(-0.5, 0)` is `-1` (half away from zero).
    static func fixed(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return "?" }
        var scale: Int64 = 1
        for _ in 0..<max(0, decimals) { scale *= 10 }
        let n = (abs(v) * Double(scale)).rounded()
        guard n < 9e15 else { return String(v) }
        let i = Int64(n)
        let sign = v < 0 && i != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(i) }
        var frac = String(i % scale)
        while frac.count < decimals { frac = "0" + frac }
        return sign + String(i / scale) + "." + frac
    }

    /// ` k="v"` for each attribute, values escaped.
    static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    mutating func raw(_ s: String) { body.append(s) }

    /// Adds an element to `<defs>` (patterns); each is written once.
    mutating func define(_ s: String) { if !defs.contains(s) { defs.append(s) } }

    /// Opens `<a href>` when `href` is non-nil; returns whether it did, for ``closeLink(_:)``.
    mutating func openLink(_ href: String?, label: String? = nil) -> Bool {
        guard let href else { return false }
        body.append("<a" + Self.attributes([("href", href)] + (label.map { [("aria-label", $0)] } ?? [])) + ">")
        return true
    }

    /// Closes what ``openLink(_:label:)`` opened.
    mutating func closeLink(_ opened: Bool) { if opened { body.append("</a>") } }

    /// Opens a `<g>` with attributes.
    mutating func openGroup(_ attrs: [(String, String)]) { body.append("<g" + Self.attributes(attrs) + ">") }

    /// Closes a `<g>`.
    mutating func closeGroup() { body.append("</g>") }

    /// A `<title>` child: the tooltip of the element it is in.
    mutating func title(_ t: String) { body.append("<title>\(Self.escape(t))</title>") }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: RGB, stroke: RGB? = nil, attrs: [(String, String)] = []) {
        rect(x: x, y: y, w: w, h: h, paint: fill.description, stroke: stroke, attrs: attrs)
    }

    /// A rectangle filled with any paint (`none`, `url(#id)`, a colour).
    mutating func rect(x: Double, y: Double, w: Double, h: Double, paint: String, stroke: RGB? = nil, strokeWidth: Double = 1, attrs: [(String, String)] = []) {
        var s = "<rect x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" width=\"\(Self.num(w))\" height=\"\(Self.num(h))\" fill=\"\(paint)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(Self.num(strokeWidth))\"" }
        body.append(s + Self.attributes(attrs) + "/>")
    }

    mutating func text(_ t: String, x: Double, y: Double, size: Double = 11, anchor: String = "start", fill: RGB = RGB(hex: 0x222222), bold: Bool = false, halo: Bool = false, attrs: [(String, String)] = []) {
        let haloAttrs = halo ? " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" : ""
        body.append("<text x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"\(Self.num(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(bold ? " font-weight=\"bold\"" : "")\(haloAttrs)\(Self.attributes(attrs))>\(Self.escape(t))</text>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: RGB, stroke: RGB? = nil, attrs: [(String, String)] = []) {
        circle(cx: cx, cy: cy, r: r, paint: fill.description, stroke: stroke, attrs: attrs)
    }

    /// A circle filled with any paint, with a stroke of a given width.
    mutating func circle(cx: Double, cy: Double, r: Double, paint: String, stroke: RGB? = nil, strokeWidth: Double = 1, attrs: [(String, String)] = []) {
        var s = "<circle cx=\"\(Self.num(cx))\" cy=\"\(Self.num(cy))\" r=\"\(Self.num(r))\" fill=\"\(paint)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(Self.num(strokeWidth))\"" }
        body.append(s + Self.attributes(attrs) + "/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: RGB, width: Double = 1, attrs: [(String, String)] = []) {
        body.append("<line x1=\"\(Self.num(x1))\" y1=\"\(Self.num(y1))\" x2=\"\(Self.num(x2))\" y2=\"\(Self.num(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\"\(Self.attributes(attrs))/>")
    }

    /// A `<path>` with path data `d`.
    mutating func path(_ d: String, fill: String = "none", stroke: RGB? = nil, width: Double = 1, attrs: [(String, String)] = []) {
        var s = "<path d=\"\(d)\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\"" }
        body.append(s + Self.attributes(attrs) + "/>")
    }

    /// The root `<svg>` start tag for the options: `viewBox` always, pixel size only when
    /// standalone, `role` and `aria-label` always.
    func openTag(label: String, options: SVGOptions) -> String {
        var attrs: [(String, String)] = []
        switch options.mode {
        case .standalone:
            attrs += [("width", String(width)), ("height", String(height)), ("viewBox", "0 0 \(width) \(height)")]
        case .inline:
            attrs += [("viewBox", "0 0 \(width) \(height)"), ("width", "100%"), ("preserveAspectRatio", "xMidYMin meet")]
        }
        attrs.append(("role", options.role))
        attrs.append(("aria-label", label))
        if let c = options.cssClass { attrs.append(("class", c)) }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\"" + Self.attributes(attrs) + ">"
    }

    /// The whole drawing: root element, `<title>`, `<defs>` when any, a white background
    /// unless `background` is false (a sparkline takes its table row's), body.
    func document(title: String, options: SVGOptions = .standalone, background: Bool = true) -> String {
        var head = openTag(label: title, options: options) + "\n<title>\(Self.escape(title))</title>\n"
        if !defs.isEmpty { head += "<defs>\n" + defs.joined(separator: "\n") + "\n</defs>\n" }
        if background { head += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n" }
        return head + body.joined(separator: "\n") + "\n</svg>\n"
    }

    /// An id usable in `url(#…)`: the prefix with anything but letters, digits, `-` and `_`
    /// replaced by `-`.
    static func id(_ prefix: String, _ name: String) -> String {
        String((prefix + "-" + name).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" })
    }
}
