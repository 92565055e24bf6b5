public import Telemetry
import Dispatch
import Synchronization

/// One Modbus bus (a TCP server or gateway, or one serial line) with its own serial queue:
/// requests to one bus run one at a time, different buses run in parallel, and the blocking
/// libmodbus calls never run on the Swift cooperative pool.
public final class ModbusBus: @unchecked Sendable {
    /// Where the bus is.
    public let endpoint: ModbusEndpoint
    /// Retry and reconnect policy of each request.
    public let policy: RetryPolicy
    // `context` is touched only from `queue` (that is what makes this type Sendable).
    private let queue: DispatchQueue
    private let context: ModbusContext
    private let clock: any Clock<Duration>

    /// Creates a bus; nothing is opened until the first request.
    public init(
        endpoint: ModbusEndpoint, timeouts: ModbusTimeouts = ModbusTimeouts(), policy: RetryPolicy = RetryPolicy(),
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.endpoint = endpoint
        self.policy = policy
        self.clock = clock
        self.queue = DispatchQueue(label: "dcagent.modbus \(endpoint)")
        self.context = ModbusContext(endpoint: endpoint, timeouts: timeouts)
    }

    /// Reads one request from one unit, executing the connection state machine's actions:
    /// retries busy devices with back-off (without holding the bus), reconnects after a timeout.
    public func read(_ request: ModbusRequest, unit: Int) async -> Result<[UInt16], RequestFailure> {
        await settle(request, unit: unit, first: nil)
    }

    /// Reads a device's requests from one unit, in order, in as few turns of the bus as it can:
    /// one turn runs every request that succeeds at once, up to the first that does not, which
    /// then goes through the state machine as ``read(_:unit:)`` does before the turns go on. A
    /// hop onto the bus's thread and back per request was most of a poll's CPU when every value
    /// is its own request (futex wake-ups; docs/benchmarks.md). Once a request has failed on the
    /// transport (timeout, connection), the rest get that failure without being sent: the
    /// device is unreachable and each would wait out its own timeout. A turn ends early when the
    /// poll is cancelled (the rest are `poll cancelled`) or after ``turnLength``, so a long plan
    /// on a slow serial line does not keep the other devices of the bus waiting.
    public func read(_ requests: [ModbusRequest], unit: Int) async -> [Result<[UInt16], RequestFailure>] {
        var out: [Result<[UInt16], RequestFailure>] = []
        out.reserveCapacity(requests.count)
        while out.count < requests.count {
            if case .failure(let f)? = out.last, f.isTransport {
                out.append(.failure(f))
                continue
            }
            if Task.isCancelled {
                out.append(.failure(RequestFailure(.cancelled, "poll cancelled")))
                continue
            }
            let rest = Array(requests[out.count...])
            let cancelled = CancelFlag()
            let turn = Self.turnLength
            let (done, stopped) = await withTaskCancellationHandler {
                await onQueue { context -> ([Result<[UInt16], RequestFailure>], Result<[UInt16], RequestFailure>?) in
                    var done: [Result<[UInt16], RequestFailure>] = []
                    let start = ContinuousClock.now
                    for request in rest {
                        // A cancelled poll stops between requests; a long plan (a slow serial line)
                        // gives the other devices on the bus a turn after `turnLength`.
                        if cancelled.isSet || (!done.isEmpty && start.duration(to: .now) > turn) { break }
                        let o = Self.exchange(context, request, unit: unit)
                        guard case .success = o else { return (done, o) }
                        done.append(o)
                    }
                    return (done, nil)
                }
            } onCancel: {
                cancelled.set()
            }
            out += done
            if let first = stopped { out.append(await settle(requests[out.count], unit: unit, first: first)) }
        }
        return out
    }

    /// One request on the bus's thread. The connection is dropped in the same turn as a failed
    /// exchange that may leave bytes behind: a close queued behind other devices' requests would
    /// let them read its late reply.
    private static func exchange(_ context: ModbusContext, _ request: ModbusRequest, unit: Int) -> Result<[UInt16], RequestFailure> {
        let o = context.transact(request, unit: unit)
        if ConnectionStateMachine.leavesStaleBytes(o) { context.close() }
        return o
    }

    /// How long one device holds the bus before the others get a turn.
    static let turnLength: Duration = .seconds(1)

    /// Set when the poll reading a plan is cancelled; read by the bus's thread between requests.
    private final class CancelFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        var isSet: Bool { flag.load(ordering: .relaxed) }
        func set() { flag.store(true, ordering: .relaxed) }
    }

    /// Runs one request through the connection state machine, starting from an outcome already
    /// received when `first` is given.
    private func settle(
        _ request: ModbusRequest, unit: Int, first: Result<[UInt16], RequestFailure>?
    ) async -> Result<[UInt16], RequestFailure> {
        var machine = ConnectionStateMachine(policy: policy)
        var received = first
        while true {
            let outcome: Result<[UInt16], RequestFailure>
            if let r = received {
                outcome = r
                received = nil
            } else {
                if Task.isCancelled { return .failure(RequestFailure(.cancelled, "poll cancelled")) }
                outcome = await onQueue { Self.exchange($0, request, unit: unit) }
            }
            switch machine.received(outcome) {
            case .deliver:
                return outcome
            case .retry(let pause):
                do { try await clock.sleep(for: pause) } catch { return .failure(RequestFailure(.cancelled, "poll cancelled")) }
            case .reconnect:
                await onQueue { $0.close() }
            case .giveUp(let drop):
                if drop { await onQueue { $0.close() } }
                return outcome
            }
        }
    }

    /// Closes the connection (it reopens on the next request).
    public func close() async { await onQueue { $0.close() } }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (ModbusContext) -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body(self.context)) }
        }
    }
}

/// The buses of one agent by endpoint, so that sensors behind one gateway or on one serial line
/// share a bus (and its serialisation).
public actor ModbusBusPool {
    private var buses: [ModbusEndpoint: ModbusBus] = [:]
    private let timeouts: ModbusTimeouts
    private let policy: RetryPolicy
    private let clock: any Clock<Duration>

    /// Creates an empty pool; every bus it makes gets these timeouts, policy and clock.
    public init(timeouts: ModbusTimeouts = ModbusTimeouts(), policy: RetryPolicy = RetryPolicy(), clock: any Clock<Duration> = ContinuousClock()) {
        self.timeouts = timeouts
        self.policy = policy
        self.clock = clock
    }

    /// The bus of an endpoint, made on first use with `timeouts` (nil: the pool's); a later
    /// request for the same endpoint gets the same bus, whatever timeouts it names.
    public func bus(for endpoint: ModbusEndpoint, timeouts: ModbusTimeouts? = nil) -> ModbusBus {
        if let b = buses[endpoint] { return b }
        let b = ModbusBus(endpoint: endpoint, timeouts: timeouts ?? self.timeouts, policy: policy, clock: clock)
        buses[endpoint] = b
        return b
    }

    /// Closes every bus.
    public func closeAll() async {
        for b in buses.values { await b.close() }
    }
}
