/// A bounded wait that ran out: thrown, it fails the test naming what was awaited.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Waits, bounded by real time, until `condition` holds, checking every `poll`; throws
/// ``WaitTimedOut`` naming `what` if it does not. A readiness check with a deadline, never a
/// fixed sleep.
public func waitUntil(
    timeout: Duration = .seconds(20), poll: Duration = .milliseconds(50), _ what: @autoclosure () -> String,
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: poll)
    }
    throw WaitTimedOut(description: "timed out after \(timeout) waiting for \(what())")
}
