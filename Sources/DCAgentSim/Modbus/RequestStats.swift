import Foundation
import Synchronization

/// What a Modbus server was asked, counted for benchmarks (`serve-bench --stats FILE`): how
/// many requests, and how many registers (or bits) they asked for, in total and per unit and
/// function code. A harness reads the totals between its measurement windows to see how many
/// requests each poller sends per poll cycle.
///
/// The server thread calls ``record(unit:function:quantity:)`` once per request; the totals are
/// relaxed atomics (no lock on the hot path), the breakdown a mutex taken only by that thread
/// and by ``snapshot()`` (once a second) — uncontended, tens of nanoseconds against the
/// microseconds of the request's own system calls.
final class RequestStats: Sendable {
    /// The counts at one moment.
    struct Snapshot: Codable, Equatable, Sendable {
        /// Requests received (every well-formed request, answered or refused).
        var requests: Int
        /// Registers and bits the read requests asked for (their quantity field).
        var registers: Int
        /// Requests per unit id, then per function code (decimal strings, for JSON keys).
        var byUnit: [String: [String: Int]]
        /// When the snapshot was taken, seconds since the epoch.
        var time: Double

        enum CodingKeys: String, CodingKey {
            case requests, registers, time
            case byUnit = "by_unit"
        }
    }

    private let requests = Atomic<Int>(0)
    private let registers = Atomic<Int>(0)
    private let breakdown = Mutex<[UInt16: Int]>([:])

    init() {}

    /// Counts one request to `unit` with `function`, asking for `quantity` registers or bits
    /// (0 for functions that ask for none).
    func record(unit: UInt8, function: UInt8, quantity: Int) {
        requests.wrappingAdd(1, ordering: .relaxed)
        if quantity > 0 { registers.wrappingAdd(quantity, ordering: .relaxed) }
        breakdown.withLock { $0[UInt16(unit) << 8 | UInt16(function), default: 0] += 1 }
    }

    /// Counts one request from its raw ADU as libmodbus received it: the unit id is the last byte
    /// of the header, the function code follows, and the read functions (1–4) carry their
    /// quantity in the two bytes after the start address.
    func record(adu: UnsafeBufferPointer<UInt8>, headerLength: Int) {
        guard adu.count > headerLength else { return }
        let function = adu[headerLength]
        var quantity = 0
        if (1...4).contains(function), adu.count >= headerLength + 5 {
            quantity = Int(adu[headerLength + 3]) << 8 | Int(adu[headerLength + 4])
        }
        record(unit: adu[headerLength - 1], function: function, quantity: quantity)
    }

    /// The counts now.
    func snapshot(now: Date = Date()) -> Snapshot {
        let pairs = breakdown.withLock { $0 }
        var byUnit: [String: [String: Int]] = [:]
        for (key, n) in pairs {
            byUnit[String(key >> 8), default: [:]][String(key & 0xFF)] = n
        }
        return Snapshot(
            requests: requests.load(ordering: .relaxed), registers: registers.load(ordering: .relaxed), byUnit: byUnit,
            time: now.timeIntervalSince1970)
    }

    /// Writes the snapshot as JSON to `path` atomically (a temporary file beside it, then
    /// rename(2)), so a reader never sees half a file.
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(snapshot())
        data.append(0x0A)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
