package import AgentStore
package import ContaminationRules
import DequeModule
import Synchronization
package import Telemetry

/// What reaches the rules engine, in order, through one queue.
package enum RuleInput: Sendable {
    /// A batch the writer committed (DESIGN decision 7: rules see acknowledged readings), with
    /// the point registrations and device health it carried, in the order they were polled.
    case committed(CommittedBatch)
    /// Devices no longer polled (a reload removed their sensors): their offline events resolve.
    case retired([CIID])
    /// Time passes: stale data, sustain expiry, flapping calm-down, obligations.
    case tick
    /// Read the rule file again and recompile against the current floor and points (SIGHUP, or
    /// new sensors); the running rules stay when the new file does not compile.
    case reload(reason: String)
}

/// The rules engine's input queue. `submit` never blocks (the writer's commit callback and the
/// reload service call it). It is bounded in readings: when full, the oldest queued readings
/// are dropped and counted — never health, point registrations, retirements or reloads — and
/// the count joins the writer's, so the engine raises the same data-loss event for both.
package final class RuleInbox: Sendable {
    private struct State {
        var queue: Deque<RuleInput> = []
        var readings = 0
        var dropped = 0
        var tickQueued = false
        var finished = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// `capacity`: readings the queue holds before the oldest are dropped.
    package init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    /// Readings dropped because the queue was full, since start.
    package var droppedReadings: Int { state.withLock { $0.dropped } }

    /// Queues an input; a tick while one is queued is not queued again.
    package func submit(_ input: RuleInput) {
        state.withLock { s in
            guard !s.finished else { return }
            if case .tick = input {
                if s.tickQueued { return }
                s.tickQueued = true
            }
            if case .committed(let batch) = input { s.readings += batch.readings.count }
            s.queue.append(input)
            Self.shed(&s, capacity: capacity)
        }
        wake.yield()
    }

    /// The inputs, in order, for the one consumer (the rules service's loop); the sequence ends
    /// once ``finish()`` was called and the queue is empty.
    package var inputs: Inputs { Inputs(inbox: self) }

    package struct Inputs: AsyncSequence {
        package typealias Element = RuleInput
        let inbox: RuleInbox

        package func makeAsyncIterator() -> Iterator { Iterator(inbox: inbox, wakes: inbox.wakes.makeAsyncIterator()) }

        package struct Iterator: AsyncIteratorProtocol {
            let inbox: RuleInbox
            var wakes: AsyncStream<Void>.Iterator

            package mutating func next() async -> RuleInput? {
                while true {
                    let (item, finished) = inbox.take()
                    if let item { return item }
                    if finished { return nil }
                    // nil: the consuming task was cancelled (the wake stream never finishes).
                    guard await wakes.next() != nil else { return nil }
                }
            }
        }
    }

    private func take() -> (RuleInput?, finished: Bool) {
        state.withLock { s -> (RuleInput?, Bool) in
            guard let item = s.queue.popFirst() else { return (nil, s.finished) }
            switch item {
            case .tick: s.tickQueued = false
            case .committed(let batch): s.readings -= batch.readings.count
            default: break
            }
            return (item, false)
        }
    }

    /// Ends the queue: what is queued is still handed out, then `next()` returns nil.
    package func finish() {
        state.withLock { $0.finished = true }
        wake.yield()
    }

    /// Drops the oldest readings until the queue holds at most `capacity`; the batches keep their
    /// point registrations and health, so the engine still learns every transition.
    private static func shed(_ s: inout State, capacity: Int) {
        var index = s.queue.startIndex
        while s.readings > capacity, index < s.queue.endIndex {
            if case .committed(var batch) = s.queue[index], !batch.readings.isEmpty {
                let n = batch.readings.count
                batch.items = batch.items.filter { if case .readings = $0 { false } else { true } }
                s.queue[index] = .committed(batch)
                s.readings -= n
                s.dropped += n
            }
            index = s.queue.index(after: index)
        }
    }
}
