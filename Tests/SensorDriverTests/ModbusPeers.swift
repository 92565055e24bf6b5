import Foundation
import SensorDrivers
import TestSupport

/// The pymodbus peers, one per test run: a TCP gateway and an RTU bus over a socat pty pair.
enum ModbusPeers {
    /// A running TCP peer and its port.
    struct TCP: Sendable {
        let process: PeerProcess
        let port: Int
        var endpoint: ModbusEndpoint { .tcp(host: "127.0.0.1", port: port) }
    }

    /// A running RTU peer: socat's pty pair, the server on one end; we use the other.
    struct RTU: Sendable {
        let socat: PeerProcess
        let server: PeerProcess
        let clientPort: String
        var endpoint: ModbusEndpoint { .rtu(SerialSettings(device: clientPort, baud: 19_200, parity: .none, dataBits: 8, stopBits: 1)) }
    }

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static let tcp = SharedPeer<TCP> {
        guard PythonPeers.isInstalled else { throw Missing(description: PythonPeers.missingMessage) }
        let port = FreePort.tcp()
        let p = try await PeerProcess.start(
            name: "modbus-tcp", executable: PythonPeers.python,
            arguments: [ProfileFiles.peerScript("modbus_peer.py"), "--port", String(port)], readiness: .tcpConnect(port: port))
        return TCP(process: p, port: port)
    }

    /// A TCP peer that answers with malformed replies (Peers/malformed_peer.py).
    static let malformed = SharedPeer<TCP> {
        guard PythonPeers.isInstalled else { throw Missing(description: PythonPeers.missingMessage) }
        let port = FreePort.tcp()
        let p = try await PeerProcess.start(
            name: "modbus-malformed", executable: PythonPeers.python,
            arguments: [ProfileFiles.peerScript("malformed_peer.py"), "--port", String(port)], readiness: .tcpConnect(port: port))
        return TCP(process: p, port: port)
    }

    static let rtu = SharedPeer<RTU> {
        guard PythonPeers.isInstalled else { throw Missing(description: PythonPeers.missingMessage) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-rtu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("server").path, b = dir.appendingPathComponent("client").path
        let socat = try await PeerProcess.start(
            name: "socat", executable: "/usr/bin/socat",
            arguments: ["-d", "-d", "pty,raw,echo=0,link=\(a)", "pty,raw,echo=0,link=\(b)"], readiness: .logLine("starting data transfer loop"))
        let server = try await PeerProcess.start(
            name: "modbus-rtu", executable: PythonPeers.python,
            arguments: [ProfileFiles.peerScript("modbus_peer.py"), "--serial", a, "--baud", "19200"], readiness: .logLine("READY"))
        return RTU(socat: socat, server: server, clientPort: b)
    }
}
