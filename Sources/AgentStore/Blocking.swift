import Dispatch

/// Runs blocking store work — a synchronous write with the audit trail's file lock and fsync —
/// on a Dispatch thread, so that an async caller (a web request) does not hold a thread of the
/// cooperative pool while it waits. Reads need none of this: they use GRDB's async read.
enum Blocking {
    /// The result of `body`, run on a global Dispatch queue.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try body() }) }
        }
    }
}
