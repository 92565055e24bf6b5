import Foundation
import Glibc
import TestSupport
import Testing

/// The test peers' harness itself: a peer is stopped politely. Children of the test process
/// used to inherit its blocked SIGTERM, so every stop waited out the grace and ended in SIGKILL.
@Suite("Test peers: stopped by SIGTERM, by PID", .timeLimit(.minutes(1)))
struct PeerProcessTests {
    @Test("a peer ends on SIGTERM (not the SIGKILL after the grace), and a peer that ignores SIGTERM is still forced")
    func stopsOnSIGTERM() async throws {
        let sleeper = try await PeerProcess.start(name: "sleep", executable: "/bin/sleep", arguments: ["600"], readiness: .fileExists("/proc/self"))
        #expect(sleeper.isRunning)
        sleeper.stop(grace: .seconds(10))
        #expect(!sleeper.isRunning)
        #expect(sleeper.exitSignal == SIGTERM, "ended by signal \(sleeper.exitSignal.map(String.init) ?? "none")")

        // A program that ignores SIGTERM itself is still stopped, by SIGKILL after the grace.
        let stubborn = try await PeerProcess.start(
            name: "stubborn", executable: "/bin/sh", arguments: ["-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
            readiness: .logLine("ready"))
        stubborn.stop(grace: .milliseconds(300))
        #expect(!stubborn.isRunning)
        #expect(stubborn.exitSignal == SIGKILL)
    }
}
