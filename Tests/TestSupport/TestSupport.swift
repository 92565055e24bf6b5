/// Test support shared by the test targets (DESIGN decision 13):
/// ``PeerProcess`` (start a peer, log to a file, readiness probe, stop by PID),
/// ``FreePort`` (free loopback ports, TCP/UDP probes), ``PythonPeers`` (the peers' venv),
/// ``SharedPeer`` (one peer per test run), ``SilentListener`` (a port that never answers),
/// ``ManualClock`` (a clock tests advance), ``Browser`` (headless Chromium through chromedriver,
/// for the web pages as a person uses them), ``JSONValue`` and ``PNGHeader``.
public enum TestSupport {}
