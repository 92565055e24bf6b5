@testable import ContaminationRules
import Telemetry
import Testing

/// The rate rule's history in 12 bytes a reading: it must give back exactly the readings a plain
/// array of `Reading`s kept, and the same least-squares slope.
@Suite("Rate history: compact, and the same readings and slope as whole readings", .timeLimit(.minutes(1)))
struct RateHistoryTests {
    static let point = PointID(ci: "R1-TH1", name: "temperature")!

    static func reading(_ ms: Int64, _ v: Double, _ q: Quality = .good) -> Reading {
        Reading(point: point, time: Timestamp(milliseconds: ms), value: v, quality: q)
    }

    /// The least-squares slope per hour, written out plainly.
    static func naiveSlope(_ rs: [Reading]) -> Double? {
        guard rs.count >= 2 else { return nil }
        let xs = rs.map { Double($0.time.milliseconds - rs[0].time.milliseconds) / 3_600_000 }
        let ys = rs.map(\.value)
        let mx = xs.reduce(0, +) / Double(xs.count)
        let my = ys.reduce(0, +) / Double(ys.count)
        let sxx = xs.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let sxy = zip(xs, ys).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        return sxx > 0 ? sxy / sxx : nil
    }

    @Test("a window kept by record equals the array it replaced, uncertain readings included, and so does the slope")
    func sameAsArray() {
        var m = PointMemory()
        var kept: [Reading] = []
        let window = 900.0
        var rng = SystemRandomNumberGenerator()
        var t: Int64 = 1_795_942_420_123
        for i in 0..<400 {
            t += Int64.random(in: 1_000...20_000, using: &rng)
            let q: Quality = i % 37 == 0 ? .uncertain : .good
            let r = Self.reading(t, 20 + Double.random(in: -2...2, using: &rng), q)
            let taken = m.record(r, keepHistory: window)
            #expect(taken)
            kept.append(r)
            kept.removeAll { r.time.seconds(since: $0.time) > window }
            #expect(m.history == kept)
            let range = m.samples.window(window, before: r.time)
            let a = m.samples.slopePerHour(range)
            let b = Self.naiveSlope(kept)
            #expect(a.map { abs($0 - b!) <= 1e-9 * max(1, abs(b!)) } ?? (b == nil))
        }
        #expect(m.history.contains { $0.quality == .uncertain })
    }

    @Test("readings more than 24.8 days apart rebase the offsets instead of overflowing")
    func rebase() {
        var h = RateHistory()
        let day: Int64 = 86_400_000
        h.append(Self.reading(0, 1))
        h.append(Self.reading(20 * day, 2, .uncertain))
        h.append(Self.reading(40 * day, 3))
        // The first is more than Int32.max ms before the last: dropped; the others kept exactly.
        #expect(h.readings(Self.point, in: h.indices) == [Self.reading(20 * day, 2, .uncertain), Self.reading(40 * day, 3)])
        h.dropOlder(than: 40 * day)
        #expect(h.readings(Self.point, in: h.indices) == [Self.reading(40 * day, 3)])
    }
}

/// The checkpoint writes point memories by hand; `JSONEncoder` (through `RuleJSON`) is the peer
/// it must match byte for byte.
@Suite("Checkpoint JSON by hand: the bytes JSONEncoder writes", .timeLimit(.minutes(1)))
struct PointMemoryJSONTests {
    static func hand(_ m: PointMemory) -> String {
        var out: [UInt8] = []
        m.appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func coded(_ m: PointMemory) throws -> String { String(decoding: try RuleJSON.encode(m), as: UTF8.self) }

    @Test("memories of every kind of reading: values, non-finite values, qualities, reasons with escapes, and none")
    func sameBytes() throws {
        let p = PointID(ci: "DC-R1-A05-TH1", name: "outlet.3.current")!
        let t = Timestamp(milliseconds: 1_795_942_420_123)
        let values: [Double] = [0, 22, 22.5, -3.25, 1e-5, 123_456_789.125, 1e16, 5e-324, .greatestFiniteMagnitude, .infinity, -.infinity, .nan]
        let qualities: [Quality] = [
            .good, .uncertain, .absent, .bad(reason: "timeout"), .bad(reason: #"exception 02 "illegal" data\/ address"#),
            .bad(reason: "line\nbreak\ttab\r\u{08}\u{0C}\u{01}\u{1F} — ünïcode 温度"),
        ]
        var memories = [PointMemory()]
        for (i, v) in values.enumerated() {
            for (j, q) in qualities.enumerated() {
                var m = PointMemory()
                let r = Reading(point: p, time: Timestamp(milliseconds: t.milliseconds + Int64(i * 100 + j)), value: v, quality: q)
                if r.isUsable {
                    m.lastUsable = r
                    m.last = r
                } else {
                    m.lastUsable = Reading(point: p, time: t, value: values[(i + 1) % 8])
                    m.last = r
                }
                m.sameValueCount = i
                m.badCount = j
                memories.append(m)
            }
        }
        var onlyUsable = PointMemory()
        onlyUsable.lastUsable = Reading(point: p, time: t, value: 21)
        memories.append(onlyUsable)
        for m in memories {
            #expect(Self.hand(m) == (try Self.coded(m)))
        }
    }
}
