/// The shipped device profiles the simulator can impersonate (names as in `config/profiles/`).
enum DeviceProfile: String, Sendable, CaseIterable, Codable {
    case vaisalaHMT330 = "vaisala-hmt330"
    case lighthouseRemote = "lighthouse-remote"
    case corrosionMonitor = "generic-corrosion-monitor"
    case thProbe = "generic-th-probe"
    case diModule = "generic-di-module"
    case apcRPDU2 = "apc-rpdu2"
    case raritanPDU2 = "raritan-pdu2"
    case akcpSensorProbe = "akcp-sensorprobe"

    /// The protocol the device speaks.
    enum Transport: String, Sendable { case modbusTCP = "tcp", snmp = "udp" }

    /// The protocol the device speaks (and so the endpoint scheme it needs).
    var transport: Transport {
        switch self {
        case .vaisalaHMT330, .lighthouseRemote, .corrosionMonitor, .thProbe, .diModule: .modbusTCP
        case .apcRPDU2, .raritanPDU2, .akcpSensorProbe: .snmp
        }
    }

    /// For SNMP devices, the enterprise subtree the snmpd bridge serves.
    var snmpSubtree: OID? {
        switch self {
        case .apcRPDU2: APCRackPDU.subtree
        case .raritanPDU2: RaritanPDU.subtree
        case .akcpSensorProbe: AKCPSensorProbe.subtree
        default: nil
        }
    }

    /// True for power distribution units (they share a rack's IT load).
    var isPDU: Bool { self == .apcRPDU2 || self == .raritanPDU2 }
}
