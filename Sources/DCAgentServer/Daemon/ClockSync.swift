package import ContaminationRules
import Glibc

/// The agent's own clock, as the kernel disciplines it: `adjtimex(2)` with no changes requested.
/// The clock is synchronised when the call does not return `TIME_ERROR` and the status lacks
/// `STA_UNSYNC` — the test systemd's `timedatectl` (NTPSynchronized) makes, without needing
/// systemd or D-Bus. The maximum error is the kernel's estimate (`maxerror`, µs).
///
/// Swift's Glibc module does not carry <sys/timex.h>: the function is found with `dlsym` and
/// `struct timex` read at its LP64 offsets (modes u32 at 0, maxerror long at 24, status int at
/// 40; the struct is 208 bytes, a larger zeroed buffer is passed).
package enum ClockSync {
    /// `STA_UNSYNC` from <sys/timex.h>: the clock is not synchronised.
    package static let staUnsync: Int32 = 0x0040
    /// `TIME_ERROR` from <sys/timex.h>.
    package static let timeError: Int32 = 5
    package static let maxErrorOffset = 24
    package static let statusOffset = 40

    private typealias AdjTimex = @convention(c) (UnsafeMutableRawPointer) -> Int32

    /// The C function, looked up once (nil where it is missing, or not LP64).
    private static let adjtimexFunction: AdjTimex? = {
        guard MemoryLayout<Int>.size == 8, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "adjtimex") else { return nil }
        return unsafeBitCast(symbol, to: AdjTimex.self)
    }()

    private static let stateNames: [Int32: String] = [0: "TIME_OK", 1: "TIME_INS", 2: "TIME_DEL", 3: "TIME_OOP", 4: "TIME_WAIT", 5: "TIME_ERROR"]

    /// Reads the kernel's status now.
    package static func read() -> AgentClockStatus {
        guard let adjtimex = adjtimexFunction else {
            return AgentClockStatus(synchronised: false, maxErrorSeconds: nil, source: "adjtimex unavailable")
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        let state = adjtimex(buffer)
        guard state >= 0 else {
            return AgentClockStatus(synchronised: false, maxErrorSeconds: nil, source: "adjtimex failed: errno \(errno)")
        }
        let status = buffer.load(fromByteOffset: statusOffset, as: Int32.self)
        let maxError = buffer.load(fromByteOffset: maxErrorOffset, as: Int.self)
        let unsync = (status & staUnsync) != 0
        return AgentClockStatus(
            synchronised: state != timeError && !unsync, maxErrorSeconds: Double(maxError) / 1_000_000,
            source: "adjtimex: \(stateNames[state] ?? "state \(state)")\(unsync ? ", STA_UNSYNC" : "")")
    }
}
