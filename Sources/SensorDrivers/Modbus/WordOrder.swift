public import Telemetry

/// Byte and word order of a multi-register value, named by where the bytes of the big-endian
/// value `A B C D` land on the wire. ABCD is big-endian (Modbus' own order).
public enum WordOrder: String, Hashable, Sendable, CaseIterable, TextCodable {
    /// Big-endian words, big-endian bytes (most significant word first).
    case abcd = "ABCD"
    /// Bytes swapped inside each word, words in big-endian order.
    case badc = "BADC"
    /// Least significant word first, bytes big-endian inside words (common for floats).
    case cdab = "CDAB"
    /// Fully little-endian.
    case dcba = "DCBA"

    /// True when the words come least significant first.
    var swapsWords: Bool { self == .cdab || self == .dcba }
    /// True when the two bytes inside each word are swapped.
    var swapsBytes: Bool { self == .badc || self == .dcba }

    /// Parses a spelling or alias (`big`, `little`, `word_swap`, `byte_swap`, `1234` …), case-insensitively.
    public init?(spelling: String) {
        switch normalizedSpelling(spelling).uppercased() {
        case "ABCD", "AB", "BIG", "BIG_ENDIAN", "1234", "12": self = .abcd
        case "BADC", "BA", "BYTE_SWAP", "2143", "21": self = .badc
        case "CDAB", "WORD_SWAP", "LITTLE_WORD", "3412", "LSW_FIRST": self = .cdab
        case "DCBA", "LITTLE", "LITTLE_ENDIAN", "4321": self = .dcba
        default: return nil
        }
    }

    /// Puts registers as read off the wire into big-endian byte order (A B C D …).
    func bigEndianBytes(of words: ArraySlice<UInt16>) -> [UInt8] {
        let ordered = swapsWords ? Array(words.reversed()) : Array(words)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ordered.count * 2)
        for w in ordered {
            let hi = UInt8(w >> 8), lo = UInt8(w & 0xFF)
            if swapsBytes { bytes += [lo, hi] } else { bytes += [hi, lo] }
        }
        return bytes
    }

    public init?(text: String) { self.init(spelling: text) }
    public static let textForm = "a byte order (ABCD, BADC, CDAB, DCBA)"
}
