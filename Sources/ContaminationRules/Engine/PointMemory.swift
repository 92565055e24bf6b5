public import Telemetry

/// What the engine remembers of one point between evaluations.
public struct PointMemory: Hashable, Sendable, Codable {
    /// An empty memory.
    public init() {}

    /// The latest reading of any quality.
    public var last: Reading?
    /// The latest usable reading.
    public var lastUsable: Reading?
    /// Usable readings kept for slopes (within the longest rate window), oldest first, stored
    /// compactly (``RateHistory``: 12 bytes a reading instead of a whole `Reading`).
    var samples = RateHistory()

    /// The rate-window history as readings, oldest first (the point is the memory's own).
    public var history: [Reading] {
        get {
            guard let point = lastUsable?.point ?? last?.point else { return [] }
            return samples.readings(point, in: samples.indices)
        }
        set { samples = RateHistory(newValue) }
    }
    /// The latest few readings of any quality, for evidence.
    public var recent: [Reading] = []
    /// Consecutive usable readings carrying the same raw value (frozen sensor).
    public var sameValueCount: Int = 0
    /// Consecutive bad-quality readings.
    public var badCount: Int = 0

    /// How many readings evidence keeps.
    static let evidenceCount = 5

    /// Takes a reading; false when it is a duplicate or older than the latest (ignored).
    mutating func record(_ r: Reading, keepHistory window: Double?) -> Bool {
        if let last, r.time <= last.time { return false }
        last = r
        recent.append(r)
        if recent.count > Self.evidenceCount { recent.removeFirst(recent.count - Self.evidenceCount) }
        if r.isUsable {
            sameValueCount = (lastUsable?.value == r.value) ? sameValueCount + 1 : 1
            lastUsable = r
            badCount = 0
            if let window {
                samples.append(r)
                samples.dropOlder(than: r.time.milliseconds - Int64((window * 1000).rounded(.down)))
            }
        } else if case .bad = r.quality {
            badCount += 1
        }
        return true
    }

    /// True when the memory came back from a checkpoint, which does not carry the rate-window
    /// history and the evidence readings: ``warm(_:window:)`` restores them from the store.
    var needsWarmUp: Bool { last != nil && recent.isEmpty }

    /// Restores the history and evidence readings from stored readings of this point (sorted by
    /// time; those after the latest reading the memory has seen are left for replay). The
    /// result is what ``record(_:keepHistory:)`` would have kept had it seen them.
    mutating func warm(_ stored: [Reading], window: Double?) {
        guard let last else { return }
        let seen = stored.filter { $0.time <= last.time }
        var evidence = Array(seen.suffix(Self.evidenceCount))
        if evidence.last?.time != last.time { evidence = Array((evidence + [last]).suffix(Self.evidenceCount)) }
        recent = evidence
        guard let window, let newest = lastUsable else { return }
        var kept = seen.filter { $0.isUsable && $0.time <= newest.time && newest.time.seconds(since: $0.time) <= window }
        if kept.last?.time != newest.time { kept.append(newest) }
        history = kept
    }
}

/// Usable readings of one point for the rate rule, oldest first, in 12 bytes each: the time as
/// milliseconds after a base (Int32, rebased when it would overflow) and the value; the few
/// uncertain ones are remembered by time. At 10 000 temperature points polled every 10 s with
/// the default 15-minute rate window this is 11 MB instead of the 65 MB whole `Reading`s took
/// (each repeats its point id and carries a quality with room for a reason).
struct RateHistory: Hashable, Sendable {
    private var base: Int64 = 0
    private var offsets: [Int32] = []
    private var values: [Double] = []
    /// Times of the uncertain readings among them (usually none).
    private var uncertain: [Int64] = []

    init() {}

    /// From usable readings, oldest first.
    init(_ readings: [Reading]) {
        for r in readings { append(r) }
    }

    var count: Int { offsets.count }
    var isEmpty: Bool { offsets.isEmpty }
    var indices: Range<Int> { offsets.indices }

    func time(_ i: Int) -> Int64 { base + Int64(offsets[i]) }
    func value(_ i: Int) -> Double { values[i] }

    /// Appends a usable reading no older than the newest kept (the memory's readings arrive in
    /// time order).
    mutating func append(_ r: Reading) {
        let t = r.time.milliseconds
        if offsets.isEmpty { base = t }
        if t - base > Int64(Int32.max) {
            // Rebase on the oldest reading kept; one more than Int32.max ms (24.8 days) older
            // than this one cannot be kept (rate windows are minutes to hours).
            dropOlder(than: t - Int64(Int32.max))
            rebase(to: offsets.isEmpty ? t : time(0))
        }
        offsets.append(Int32(t - base))
        values.append(r.value)
        if case .uncertain = r.quality { uncertain.append(t) }
    }

    /// Drops the readings older than `cutoff` (milliseconds).
    mutating func dropOlder(than cutoff: Int64) {
        var n = 0
        while n < offsets.count && time(n) < cutoff { n += 1 }
        if n > 0 { removeFirst(n) }
    }

    private mutating func removeFirst(_ n: Int) {
        let last = time(n - 1)
        offsets.removeFirst(n)
        values.removeFirst(n)
        if let first = uncertain.first, first <= last { uncertain.removeAll { $0 <= last } }
    }

    private mutating func rebase(to newBase: Int64) {
        let shift = base - newBase
        for i in offsets.indices { offsets[i] = Int32(Int64(offsets[i]) + shift) }
        base = newBase
    }

    /// The indices of the readings at most `window` seconds before `now`.
    func window(_ window: Double, before now: Timestamp) -> Range<Int> {
        var i = 0
        while i < offsets.count && now.seconds(since: Timestamp(milliseconds: time(i))) > window { i += 1 }
        return i..<offsets.count
    }

    /// Readings of `point` at the given indices.
    func readings(_ point: PointID, in range: Range<Int>) -> [Reading] {
        range.map { i in
            let t = time(i)
            return Reading(point: point, time: Timestamp(milliseconds: t), value: values[i], quality: uncertain.contains(t) ? .uncertain : .good)
        }
    }

    /// Least-squares slope over the readings at the given indices, in units per hour; nil with
    /// fewer than 2 distinct times.
    func slopePerHour(_ range: Range<Int>) -> Double? {
        guard range.count >= 2 else { return nil }
        let t0 = time(range.lowerBound)
        let n = Double(range.count)
        var mx = 0.0
        var my = 0.0
        for i in range {
            mx += Double(time(i) - t0) / 1000 / 3600
            my += values[i]
        }
        mx /= n
        my /= n
        var sxx = 0.0
        var sxy = 0.0
        for i in range {
            let x = Double(time(i) - t0) / 1000 / 3600
            sxx += (x - mx) * (x - mx)
            sxy += (x - mx) * (values[i] - my)
        }
        guard sxx > 0 else { return nil }
        return sxy / sxx
    }
}

// MARK: - Compact persistence

extension PointMemory {
    /// A reading without its point (the memory knows it): `t` ms, `v` value, `q` quality, `r` reason.
    struct CompactReading: Codable {
        var t: Int64
        var v: Double?
        var q: String
        var r: String?

        init(_ reading: Reading) {
            t = reading.time.milliseconds
            v = reading.quality.hasValue ? reading.value : nil
            q = reading.quality.code
            r = reading.quality.reason
        }

        func reading(_ point: PointID) -> Reading {
            Reading(
                point: point, time: Timestamp(milliseconds: t), value: v ?? .nan,
                quality: Quality(code: q, reason: r) ?? .bad(reason: "unknown"))
        }
    }

    enum CodingKeys: String, CodingKey {
        case point = "p"
        case last = "l"
        case lastUsable = "u"
        case history = "h"
        case historyTimes = "ht"
        case historyValues = "hv"
        case historyQualities = "hq"
        case recent = "r"
        case sameValueCount = "s"
        case badCount = "b"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let point = try c.decodeIfPresent(PointID.self, forKey: .point) else { return }
        last = try c.decodeIfPresent(CompactReading.self, forKey: .last)?.reading(point)
        lastUsable = try c.decodeIfPresent(CompactReading.self, forKey: .lastUsable)?.reading(point) ?? (last?.isUsable == true ? last : nil)
        // History and evidence readings are in states written before they were left to the store.
        if let times = try c.decodeIfPresent([Int64].self, forKey: .historyTimes) {
            let values = try c.decode([Double].self, forKey: .historyValues)
            let qualities = try c.decodeIfPresent([String].self, forKey: .historyQualities)
            guard values.count == times.count, qualities == nil || qualities?.count == times.count else {
                throw DecodingError.dataCorruptedError(forKey: .historyValues, in: c, debugDescription: "history arrays differ in length")
            }
            var t: Int64 = 0
            history = times.indices.map { i in
                t = i == 0 ? times[0] : t + times[i]
                let q = qualities.flatMap { Quality(code: $0[i], reason: nil) } ?? .good
                return Reading(point: point, time: Timestamp(milliseconds: t), value: values[i], quality: q)
            }
        } else {
            history = try c.decodeIfPresent([CompactReading].self, forKey: .history)?.map { $0.reading(point) } ?? []
        }
        recent = try c.decodeIfPresent([CompactReading].self, forKey: .recent)?.map { $0.reading(point) } ?? []
        sameValueCount = try c.decode(Int.self, forKey: .sameValueCount)
        badCount = try c.decode(Int.self, forKey: .badCount)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(last?.point ?? lastUsable?.point, forKey: .point)
        try c.encodeIfPresent(last.map(CompactReading.init), forKey: .last)
        // The latest usable reading is the latest reading whenever that one is usable.
        if last?.isUsable != true { try c.encodeIfPresent(lastUsable.map(CompactReading.init), forKey: .lastUsable) }
        // Not the rate-window history nor the evidence readings: they were most of the state (a
        // reading every poll for 15 minutes per temperature point) and every one of them is in
        // the store already. After a restart ``warm(_:window:)`` reads them back.
        try c.encode(sameValueCount, forKey: .sameValueCount)
        try c.encode(badCount, forKey: .badCount)
    }
}

// MARK: - Checkpoint JSON by hand

extension PointMemory {
    /// Appends the JSON that `RuleJSON.encode(self)` writes — same keys in the same order, same
    /// numbers and escapes — without `JSONEncoder`'s tree of boxed values: the checkpoint
    /// encodes every point's memory, and through `Codable` that was a quarter of the daemon's
    /// CPU at 10 000 points (docs/benchmarks.md). `RuleJSON.decode` reads it back.
    func appendJSON(to out: inout [UInt8]) {
        // Keys sorted as JSONEncoder's `.sortedKeys` sorts them: b, l, p, s, u.
        out.append(contentsOf: #"{"b":"#.utf8)
        JSONText.append(badCount, to: &out)
        if let last {
            out.append(contentsOf: #","l":"#.utf8)
            Self.appendCompact(last, to: &out)
        }
        if let point = last?.point ?? lastUsable?.point {
            out.append(contentsOf: #","p":"#.utf8)
            JSONText.append(string: point.description, to: &out)
        }
        out.append(contentsOf: #","s":"#.utf8)
        JSONText.append(sameValueCount, to: &out)
        if last?.isUsable != true, let lastUsable {
            out.append(contentsOf: #","u":"#.utf8)
            Self.appendCompact(lastUsable, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A ``CompactReading``: q, r (when there is a reason), t, v (when there is a value).
    private static func appendCompact(_ r: Reading, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"q":"#.utf8)
        JSONText.append(string: r.quality.code, to: &out)
        if let reason = r.quality.reason {
            out.append(contentsOf: #","r":"#.utf8)
            JSONText.append(string: reason, to: &out)
        }
        out.append(contentsOf: #","t":"#.utf8)
        JSONText.append(Int(r.time.milliseconds), to: &out)
        if r.quality.hasValue {
            out.append(contentsOf: #","v":"#.utf8)
            JSONText.append(r.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// JSON scalars written as ``RuleJSON``'s encoder writes them.
enum JSONText {
    static func append(_ n: Int, to out: inout [UInt8]) { out.append(contentsOf: String(n).utf8) }

    /// A number as JSONEncoder writes a Double (its description, without a trailing `.0`);
    /// non-finite values as the strings ``RuleJSON`` uses.
    static func append(_ d: Double, to out: inout [UInt8]) {
        if d.isNaN {
            out.append(contentsOf: #""nan""#.utf8)
        } else if d.isInfinite {
            out.append(contentsOf: (d > 0 ? #""inf""# : #""-inf""#).utf8)
        } else {
            var text = d.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            out.append(contentsOf: text.utf8)
        }
    }

    /// A string with JSONEncoder's escapes: quote, backslash, slash, and control characters.
    static func append(string s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "/"): out.append(contentsOf: #"\/"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
