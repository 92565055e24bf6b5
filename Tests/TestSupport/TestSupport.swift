/// Test support shared by the test targets (DESIGN decision 13):
/// ``PeerProcess`` (start a peer, log to a file, readiness probe, stop by PID),
/// ``FreePort`` (free loopback ports, TCP/UDP probes), ``PythonPeers`` (the peers' venv),
/// ``SharedPeer`` (one peer per test run), ``SilentListener`` (a port that never answers)
/// and ``ManualClock`` (a clock tests advance).
public enum TestSupport {}
