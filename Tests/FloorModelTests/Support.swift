import Foundation
@testable import FloorModel
import Telemetry
import Yams

/// Paths and builders shared by the FloorModel tests.
enum Support {
    /// This test target's folder.
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository root.
    static let repoRoot = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    /// NetBox device-type fixtures (copied verbatim from /work/shared/fixtures, CC0-1.0).
    static let netboxDir = testsDir.appendingPathComponent("Fixtures/netbox-devicetypes")

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    /// Decodes a NetBox device-type file and converts it.
    static func importNetBox(_ relative: String) throws -> NetBoxImportOutcome {
        let raw = try YAMLDecoder().decode(NetBoxDeviceTypeRaw.self, from: read(netboxDir.appendingPathComponent(relative)))
        return NetBoxImport.convert(raw)
    }

    static let t0 = Timestamp(seconds: 1_795_000_000)

    // MARK: Builders for small floors

    static let server1U = DeviceType(slug: "srv-1u", manufacturer: "Acme", model: "S1", height: HalfU(units: 1), isFullDepth: true, airflow: .frontToRear, weightKg: 15, ports: [
        PortTemplate(name: "eth0", kind: .interface, type: "1000base-t"), PortTemplate(name: "eth1", kind: .interface, type: "1000base-t"),
        PortTemplate(name: "PSU1", kind: .powerPort, maximumDrawW: 500), PortTemplate(name: "PSU2", kind: .powerPort, maximumDrawW: 500),
    ])
    static let server2U = DeviceType(slug: "srv-2u", manufacturer: "Acme", model: "S2", height: HalfU(units: 2), isFullDepth: true, airflow: .frontToRear, weightKg: 30)
    static let halfDepth1U = DeviceType(slug: "sw-half", manufacturer: "Acme", model: "SW", height: HalfU(units: 1), isFullDepth: false, airflow: .frontToRear, weightKg: 5, ports: [
        PortTemplate(name: "1", kind: .interface), PortTemplate(name: "2", kind: .interface),
    ])
    static let halfU = DeviceType(slug: "apu", manufacturer: "PC Engines", model: "APU6", height: HalfU(halves: 1), isFullDepth: false, airflow: .passive, weightKg: 0.45)
    static let zeroU = DeviceType(slug: "pdu-0u", manufacturer: "APC", model: "AP8641", height: .zero, isFullDepth: false)
    static let pdu1U = DeviceType(slug: "pdu-1u", manufacturer: "APC", model: "AP7900B", height: HalfU(units: 1), isFullDepth: false, airflow: .passive, weightKg: 2.25)
    static let reverseSwitch = DeviceType(slug: "sw-r2f", manufacturer: "HPE", model: "Aruba R2F", height: HalfU(units: 1), isFullDepth: false, airflow: .rearToFront, weightKg: 8)

    /// A room 5 rows × 6 columns: hot aisle row A, racks row B facing south, cold aisle row C.
    static func floor(racks: [Rack]? = nil, devices: [Device] = [], pdus: [PDU]? = nil, feeds: [PowerFeed]? = nil) -> Floor {
        let room = Room(id: "T-H1", name: "Test hall", grid: FloorGrid(rows: 5, columns: 6))
        let rack = Rack(id: "T-R01", room: "T-H1", tile: Tile("B02")!, facing: .south, heightU: 42, maxWeightKg: 500, powerBudgetKW: 5, coolingBudgetKW: 4)
        return Floor(
            site: Site(id: "T", name: "Test", kind: .dc), rooms: [room],
            aisles: [
                Aisle(id: "T-HA", room: "T-H1", kind: .hot, contained: false, tiles: TileRect(from: Tile("A01")!, to: Tile("A06")!)),
                Aisle(id: "T-CA", room: "T-H1", kind: .cold, contained: true, tiles: TileRect(from: Tile("C01")!, to: Tile("C06")!)),
            ],
            racks: racks ?? [rack], devices: devices,
            deviceTypes: [server1U, server2U, halfDepth1U, halfU, zeroU, pdu1U, reverseSwitch],
            feeds: feeds ?? [PowerFeed(id: "T-FA", panel: "PP-A", side: .a), PowerFeed(id: "T-FB", panel: "PP-B", side: .b)],
            pdus: pdus ?? [
                PDU(id: "T-R01-PDU-A", rack: "T-R01", side: .a, feed: "T-FA", type: "pdu-0u", ratingKW: 3.7),
                PDU(id: "T-R01-PDU-B", rack: "T-R01", side: .b, feed: "T-FB", type: "pdu-0u", ratingKW: 3.7),
            ])
    }

    static func device(_ id: String, _ type: String, at u: Double?, face: RackFace = .front, power: Double? = nil, pdus: [CIID] = ["T-R01-PDU-A", "T-R01-PDU-B"], lifecycle: Lifecycle = .active) -> Device {
        Device(id: CIID(stringLiteral: id), type: type, rack: "T-R01", position: u.flatMap { HalfU(exactly: $0) }, face: face, allocatedPowerW: power, poweredBy: pdus, lifecycle: lifecycle)
    }
}
