/// A device profile: the data that says how to read one model of device (DESIGN "Fixed choices":
/// profiles are data files in `config/profiles/`, decoded into this type by DCAgent).
/// Exactly one of `modbus` and `snmp` is set.
public struct DeviceProfile: Hashable, Sendable, Codable {
    /// The profile's name, the file name without `.yaml` (`vaisala-hmt330`).
    public var name: String
    /// What device(s) the profile is for and where its register table comes from.
    public var description: String?
    /// The Modbus part: address convention, request quirks and points.
    public var modbus: ModbusProfileSpec?
    /// The SNMP part (owned by the SNMP driver).
    public var snmp: SNMPProfileSpec?

    /// Creates a profile.
    public init(name: String, description: String? = nil, modbus: ModbusProfileSpec? = nil, snmp: SNMPProfileSpec? = nil) {
        self.name = name
        self.description = description
        self.modbus = modbus
        self.snmp = snmp
    }
}

/// The profiles a configuration can refer to, by name.
public struct ProfileCatalog: Sendable {
    /// Profiles by name.
    public private(set) var profiles: [String: DeviceProfile]

    /// Creates a catalog; a later profile with the same name replaces an earlier one.
    public init(_ profiles: [DeviceProfile]) {
        self.profiles = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
    }

    /// The profile a sensor names, or a configuration error naming the sensor.
    public func profile(named name: String, forSensor sensor: String) throws(ProfileError) -> DeviceProfile {
        guard let p = profiles[name] else {
            throw .unknownProfile(name, sensor: sensor, known: profiles.keys.sorted())
        }
        return p
    }
}
