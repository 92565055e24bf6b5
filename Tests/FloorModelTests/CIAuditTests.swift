@testable import FloorModel
import Telemetry
import Testing

/// The CI view of every floor object (B.2.f) and the yearly audit list.
@Suite(.timeLimit(.minutes(1))) struct CIAuditTests {
    static func floor() -> Floor {
        var f = Support.floor(devices: [
            Device(id: "T-R01-SRV", name: "app01", type: "srv-1u", rack: "T-R01", position: HalfU(units: 10), poweredBy: ["T-R01-PDU-A", "T-R01-PDU-B"], serial: "CZJ123", assetTag: "KMK-1", ownerUnit: "Pusintek"),
            Device(id: "T-R01-SW", type: "sw-half", rack: "T-R01", position: HalfU(units: 42), face: .rear, airflow: .rearToFront),
            Device(id: "T-R01-OLD", type: "srv-1u", rack: "T-R01", position: HalfU(units: 5), lifecycle: .disposed),
        ])
        f.sensors = [SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front))]
        f.cables = [Cable(id: "T-C1", a: PortRef(device: "T-R01-SRV", port: "eth0"), b: PortRef(device: "T-R01-SW", port: "1"), type: .cat6a, label: "T-C1", lengthM: 2)]
        f.services = [Service(id: "SVC-MAIL", name: "E-mail", hostedOn: ["T-R01-SRV"])]
        return f
    }

    @Test func everyObjectIsACIWithTypeRelationsAndStatus() throws {
        let f = Self.floor()
        #expect(f.validate().isEmpty)
        let cis = f.configurationItems()
        let byID = Dictionary(uniqueKeysWithValues: cis.map { ($0.id, $0) })
        #expect(cis.count == 1 + 1 + 2 + 1 + 3 + 2 + 2 + 1 + 1 + 1)  // site, room, aisles, rack, devices, feeds, PDUs, sensor, cable, service
        let srv = try #require(byID["T-R01-SRV"])
        #expect(srv.type == .device)
        #expect(srv.status == "active")
        #expect(srv.location == "T-H1 B02 T-R01 U10 front")
        #expect(Set(srv.relations.map(\.description)) == [
            "contained-in T-R01", "powered-by T-R01-PDU-A", "powered-by T-R01-PDU-B", "connected-to T-R01-SW", "hosts-service SVC-MAIL",
        ])
        #expect(byID["T-R01"]?.relations.map(\.description).contains("monitored-by T-R01-TH1") == true)
        #expect(byID["T-R01-PDU-A"]?.relations.map(\.description) == ["contained-in T-R01", "powered-by T-FA"])
        #expect(byID["T-R01-TH1"]?.type == .sensor)
        #expect(byID["T-C1"]?.type == .cable)
    }

    @Test func auditListLeavesOutDisposedCIsAndSaysWhatToCheck() throws {
        let rows = Self.floor().ciAuditList()
        #expect(!rows.contains { $0.ci.id == "T-R01-OLD" })
        #expect(rows.map(\.ci.id) == rows.map(\.ci.id).sorted())
        let srv = try #require(rows.first { $0.ci.id == "T-R01-SRV" })
        #expect(srv.checks.contains("serial number CZJ123"))
        #expect(srv.checks.contains("asset tag KMK-1"))
        #expect(srv.checks.contains("powered-by T-R01-PDU-B"))
        #expect(srv.columns.count == CIAuditRow.header.count)
        #expect(srv.columns[0] == "T-R01-SRV" && srv.columns[5] == "CZJ123")
    }

    @Test func demoAuditListCoversEveryRackPDUAndSensor() throws {
        let dc = try DocumentTests.demo().floors()[0]
        let rows = dc.ciAuditList()
        let types = Dictionary(grouping: rows, by: \.ci.type).mapValues(\.count)
        #expect(types[.rack] == dc.racks.count)
        #expect(types[.pdu] == 40)
        #expect(types[.sensor] == dc.sensors.count)
        #expect(Set(rows.map(\.ci.id)).count == rows.count)
    }
}
