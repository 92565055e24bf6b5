/// A bounded FIFO that overwrites its oldest element when full, counting what it dropped.
struct RingBuffer<Element> {
    private var storage: [Element?]
    private var head = 0
    private(set) var count = 0
    /// Elements overwritten because the buffer was full, since creation.
    private(set) var dropped = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        storage = Array(repeating: nil, count: capacity)
    }

    var capacity: Int { storage.count }

    mutating func append(_ e: Element) {
        if count == storage.count {
            storage[head] = e
            head = (head + 1) % storage.count
            dropped += 1
        } else {
            storage[(head + count) % storage.count] = e
            count += 1
        }
    }

    /// Puts elements taken by ``popFirst(_:)`` back in front, oldest first, as if they had never
    /// left. They are older than everything queued, so when the buffer is full the oldest of them
    /// are the ones dropped (and counted).
    mutating func prepend(_ elements: [Element]) {
        for e in elements.reversed() {
            if count == storage.count {
                dropped += 1
                continue
            }
            head = (head - 1 + storage.count) % storage.count
            storage[head] = e
            count += 1
        }
    }

    /// Removes and returns up to `n` of the oldest elements.
    mutating func popFirst(_ n: Int) -> [Element] {
        let k = Swift.min(n, count)
        var out: [Element] = []
        out.reserveCapacity(k)
        for _ in 0..<k {
            out.append(storage[head]!)
            storage[head] = nil
            head = (head + 1) % storage.count
        }
        count -= k
        return out
    }
}
