import Foundation

/// The Python venv holding the test peers (pymodbus, snmpsim): `DCAGENT_PEERS_VENV`,
/// default `/opt/dcagent-peers` (outside `/root`: snmpsim drops to `nobody`).
public enum PythonPeers {
    /// The venv directory.
    public static var venv: String {
        ProcessInfo.processInfo.environment["DCAGENT_PEERS_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? "/opt/dcagent-peers"
    }

    /// The venv's Python interpreter.
    public static var python: String { venv + "/bin/python" }

    /// A program installed in the venv (`snmpsim-command-responder`).
    public static func program(_ name: String) -> String { venv + "/bin/" + name }

    /// True when the venv's interpreter exists.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// The message to show when the venv is missing.
    public static var missingMessage: String {
        "Python test peers not found at \(venv): run scripts/bootstrap --test (or set DCAGENT_PEERS_VENV)"
    }
}
