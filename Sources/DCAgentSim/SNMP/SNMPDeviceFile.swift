import Foundation

/// The live values of one SNMP device in the state directory, replaced atomically each tick
/// by the simulator and read by that device's `snmp-bridge`.
struct SNMPDeviceFile: Sendable, Codable {
    /// The device's CI id.
    let device: String
    /// When the simulator wrote it.
    let updated: Date
    /// Its variables, sorted by OID.
    let table: SNMPTable

    /// Writes the file for `device` atomically.
    static func write(_ table: SNMPTable, device: String, in dir: StateDirectory) throws {
        try StateDirectory.write(
            SNMPDeviceFile(device: device, updated: Date(), table: table), to: dir.snmpValues(device))
    }

    /// Reads the file for `device`, or nil when it is missing or unreadable.
    static func read(device: String, in dir: StateDirectory) -> SNMPDeviceFile? {
        try? StateDirectory.read(SNMPDeviceFile.self, from: dir.snmpValues(device))
    }
}
