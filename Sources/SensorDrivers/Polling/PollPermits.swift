/// A counting semaphore for async tasks: bounds how many polls run at once. Waiting is cancellable.
actor PollPermits {
    private var available: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID = 0

    init(_ count: Int) { available = count }

    /// Waits for a permit; false when the task was cancelled while waiting (no permit taken).
    func acquire() async -> Bool {
        if available > 0 {
            available -= 1
            return true
        }
        let id = nextID
        nextID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { c in
                if Task.isCancelled { c.resume(returning: false) } else { waiters.append((id, c)) }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Returns a permit, handing it to the oldest waiter if any.
    func release() {
        if waiters.isEmpty { available += 1 } else { waiters.removeFirst().continuation.resume(returning: true) }
    }

    private func cancel(_ id: Int) {
        guard let i = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: i).continuation.resume(returning: false)
    }
}
