import Foundation

/// A minimal PNG reader for the rendering tests: 8-bit RGB/RGBA, non-interlaced (what
/// `rsvg-convert` writes), with a puff-style inflater (stored, fixed and dynamic blocks).
struct PNGImage {
    let width: Int
    let height: Int
    /// RGBA, row-major.
    let rgba: [UInt8]

    /// The pixel at (x, y) as r, g, b, a.
    func pixel(_ x: Int, _ y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let i = (y * width + x) * 4
        return (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3])
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(data: Data) throws {
        let b = [UInt8](data)
        guard b.count > 8, b[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Failure(description: "not a PNG") }
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        var i = 8
        var w = 0, h = 0, colorType = 0
        var idat: [UInt8] = []
        while i + 8 <= b.count {
            let len = be32(i)
            let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
            let body = Array(b[(i + 8)..<(i + 8 + len)])
            switch type {
            case "IHDR":
                w = be32(i + 8)
                h = be32(i + 12)
                guard body[8] == 8, body[12] == 0 else { throw Failure(description: "only 8-bit non-interlaced PNGs") }
                colorType = Int(body[9])
                guard colorType == 6 || colorType == 2 else { throw Failure(description: "colour type \(colorType) unsupported") }
            case "IDAT": idat += body
            default: break
            }
            i += 12 + len
        }
        var inflater = Inflater(Array(idat.dropFirst(2)))
        let raw = try inflater.inflate()
        let bpp = colorType == 6 ? 4 : 3
        let stride = w * bpp
        guard raw.count >= h * (stride + 1) else { throw Failure(description: "short image data") }
        var out = [UInt8](repeating: 0, count: w * h * 4)
        var prev = [UInt8](repeating: 0, count: stride)
        for y in 0..<h {
            let f = raw[y * (stride + 1)]
            var cur = Array(raw[(y * (stride + 1) + 1)..<((y + 1) * (stride + 1))])
            for x in 0..<stride {
                let a = x >= bpp ? Int(cur[x - bpp]) : 0
                let up = Int(prev[x])
                let c = x >= bpp ? Int(prev[x - bpp]) : 0
                let add: Int
                switch f {
                case 0: add = 0
                case 1: add = a
                case 2: add = up
                case 3: add = (a + up) / 2
                case 4:
                    let p = a + up - c
                    let pa = Swift.abs(p - a), pb = Swift.abs(p - up), pc = Swift.abs(p - c)
                    add = pa <= pb && pa <= pc ? a : (pb <= pc ? up : c)
                default: throw Failure(description: "bad filter \(f)")
                }
                cur[x] = UInt8((Int(cur[x]) + add) & 0xff)
            }
            for x in 0..<w {
                let o = (y * w + x) * 4
                out[o] = cur[x * bpp]
                out[o + 1] = cur[x * bpp + 1]
                out[o + 2] = cur[x * bpp + 2]
                out[o + 3] = bpp == 4 ? cur[x * bpp + 3] : 255
            }
            prev = cur
        }
        width = w
        height = h
        rgba = out
    }
}

/// Raw DEFLATE (RFC 1951) decoder after Mark Adler's puff.c: canonical Huffman tables as
/// counts per length plus symbols in code order.
struct Inflater {
    private let input: [UInt8]
    private var pos = 0
    private var bitBuf = 0
    private var bitCount = 0
    private var out: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    struct Huffman {
        var count = [Int](repeating: 0, count: 16)
        var symbol: [Int]
        init(lengths: [Int]) {
            symbol = [Int](repeating: 0, count: lengths.count)
            for l in lengths { count[l] += 1 }
            count[0] = 0
            var offs = [Int](repeating: 0, count: 16)
            for l in 1..<15 { offs[l + 1] = offs[l] + count[l] }
            for (s, l) in lengths.enumerated() where l != 0 {
                symbol[offs[l]] = s
                offs[l] += 1
            }
        }
    }

    private mutating func bits(_ n: Int) throws -> Int {
        while bitCount < n {
            guard pos < input.count else { throw PNGImage.Failure(description: "deflate: out of input") }
            bitBuf |= Int(input[pos]) << bitCount
            pos += 1
            bitCount += 8
        }
        let v = bitBuf & ((1 << n) - 1)
        bitBuf >>= n
        bitCount -= n
        return v
    }

    private mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for len in 1..<16 {
            code |= try bits(1)
            let c = h.count[len]
            if code - c < first { return h.symbol[index + (code - first)] }
            index += c
            first = (first + c) << 1
            code <<= 1
        }
        throw PNGImage.Failure(description: "deflate: bad code")
    }

    static let lenBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lenExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private mutating func codes(_ lit: Huffman, _ dist: Huffman) throws {
        while true {
            var sym = try decode(lit)
            if sym < 256 {
                out.append(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                sym -= 257
                guard sym < 29 else { throw PNGImage.Failure(description: "deflate: bad length") }
                let len = Self.lenBase[sym] + (try bits(Self.lenExtra[sym]))
                let ds = try decode(dist)
                guard ds < 30 else { throw PNGImage.Failure(description: "deflate: bad distance") }
                let d = Self.distBase[ds] + (try bits(Self.distExtra[ds]))
                guard d <= out.count else { throw PNGImage.Failure(description: "deflate: distance too far") }
                for _ in 0..<len { out.append(out[out.count - d]) }
            }
        }
    }

    mutating func inflate() throws -> [UInt8] {
        var last = 0
        repeat {
            last = try bits(1)
            switch try bits(2) {
            case 0:
                bitBuf = 0
                bitCount = 0
                guard pos + 4 <= input.count else { throw PNGImage.Failure(description: "deflate: short stored block") }
                let len = Int(input[pos]) | Int(input[pos + 1]) << 8
                pos += 4
                out += input[pos..<(pos + len)]
                pos += len
            case 1:
                var l = [Int](repeating: 8, count: 288)
                for i in 144..<256 { l[i] = 9 }
                for i in 256..<280 { l[i] = 7 }
                try codes(Huffman(lengths: l), Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2:
                let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var cl = [Int](repeating: 0, count: 19)
                for i in 0..<ncode { cl[order[i]] = try bits(3) }
                let clh = Huffman(lengths: cl)
                var lengths: [Int] = []
                while lengths.count < nlen + ndist {
                    let s = try decode(clh)
                    switch s {
                    case 0..<16: lengths.append(s)
                    case 16:
                        guard let p = lengths.last else { throw PNGImage.Failure(description: "deflate: repeat with no length") }
                        lengths += [Int](repeating: p, count: 3 + (try bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
                    }
                }
                try codes(Huffman(lengths: Array(lengths[0..<nlen])), Huffman(lengths: Array(lengths[nlen..<(nlen + ndist)])))
            default:
                throw PNGImage.Failure(description: "deflate: bad block type")
            }
        } while last == 0
        return out
    }
}
