import Foundation
import SensorDrivers
import Yams

/// Locates repository files from this source file and decodes the shipped profiles.
enum ProfileFiles {
    /// The repository root (three levels above this file).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The shipped Modbus profiles this work owns.
    static let modbusNames = [
        "vaisala-hmt330", "lighthouse-remote", "generic-corrosion-monitor", "generic-th-probe", "generic-di-module",
    ]

    /// Decodes `config/profiles/NAME.yaml`.
    static func load(_ name: String) throws -> DeviceProfile {
        let url = root.appendingPathComponent("config/profiles/\(name).yaml")
        return try YAMLDecoder().decode(DeviceProfile.self, from: String(contentsOf: url, encoding: .utf8))
    }

    /// Decodes a profile written inline in a test.
    static func decode(_ yaml: String) throws -> DeviceProfile {
        try YAMLDecoder().decode(DeviceProfile.self, from: yaml)
    }

    /// The path of a peer script under Tests/SensorDriverTests/Peers.
    static func peerScript(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/\(name)").path
    }
}
