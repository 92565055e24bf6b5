import Foundation

/// Ctrl-C and SIGTERM as a flag the main loop can wait on (an interruptible sleep).
final class StopSignal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var requested = false
    private var sources: [any DispatchSourceSignal] = []

    /// Catches SIGINT and SIGTERM from now on; SIGPIPE is ignored (a client that hangs up is not fatal).
    init() {
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            sources.append(source)
        }
    }

    /// Asks the loop to stop.
    func request() {
        let first = lock.withLock { () -> Bool in
            defer { requested = true }
            return !requested
        }
        if first { semaphore.signal() }
    }

    /// Waits up to `seconds`; true when a stop was requested.
    func wait(_ seconds: Double) -> Bool {
        if lock.withLock({ requested }) { return true }
        if semaphore.wait(timeout: .now() + max(0, seconds)) == .success {
            semaphore.signal()  // stay signalled for later waits
            return true
        }
        return false
    }
}
