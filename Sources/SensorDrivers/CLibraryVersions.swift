import CModbus
import CNetSNMP

/// Versions of the C libraries the drivers are built against, for `dcagent version` and logs.
public enum CLibraryVersions {
    /// libmodbus version, as `major.minor.micro`.
    public static var libmodbus: String {
        "\(LIBMODBUS_VERSION_MAJOR).\(LIBMODBUS_VERSION_MINOR).\(LIBMODBUS_VERSION_MICRO)"
    }
    /// net-snmp version string.
    public static var netSNMP: String { String(cString: netsnmp_get_version()) }
}
