import Foundation
@testable import FloorModel
import Telemetry
import Testing
import Yams

/// Service criticality on the floor and `Floor.impact(of:)`: which services an anomaly on a CI
/// threatens, through which path (issue 15, decree Lampiran II F.1.b.1).
@Suite(.timeLimit(.minutes(1))) struct ImpactTests {
    /// Room T-H1 (hot aisle row A, cold aisle row C): T-R01 and T-R02 in row B facing south onto
    /// the cold aisle, T-R03 in row E facing north onto row D (no aisle). T-R01 holds SRV1 (on both
    /// PDUs, SVC-CORE criticality 1), SRV2 (PDU-B only, SVC-TOOLS criticality 2) and an offline
    /// OLD (SVC-LEGACY criticality 1); T-R02 holds SRV1 with no power links (SVC-TEST, no
    /// criticality); T-R03 holds SRV1 (SVC-FAR criticality 1). SVC-RETIRED (offline, criticality
    /// 1) is hosted on T-R01-SRV1 too.
    static func floor() -> Floor {
        let racks = [
            Rack(id: "T-R01", room: "T-H1", tile: Tile("B02")!, facing: .south, heightU: 42),
            Rack(id: "T-R02", room: "T-H1", tile: Tile("B03")!, facing: .south, heightU: 42),
            Rack(id: "T-R03", room: "T-H1", tile: Tile("E02")!, facing: .north, heightU: 42),
        ]
        var f = Support.floor(
            racks: racks,
            devices: [
                Device(id: "T-R01-SRV1", type: "srv-1u", rack: "T-R01", position: HalfU(units: 10), poweredBy: ["T-R01-PDU-A", "T-R01-PDU-B"]),
                Device(id: "T-R01-SRV2", type: "srv-1u", rack: "T-R01", position: HalfU(units: 12), poweredBy: ["T-R01-PDU-B"]),
                Device(id: "T-R01-OLD", type: "srv-1u", rack: "T-R01", position: HalfU(units: 14), poweredBy: ["T-R01-PDU-A"], lifecycle: .offline),
                Device(id: "T-R02-SRV1", type: "srv-1u", rack: "T-R02", position: HalfU(units: 10)),
                Device(id: "T-R03-SRV1", type: "srv-1u", rack: "T-R03", position: HalfU(units: 10)),
            ],
            pdus: [
                PDU(id: "T-R01-PDU-A", rack: "T-R01", side: .a, feed: "T-FA", type: "pdu-0u"),
                PDU(id: "T-R01-PDU-B", rack: "T-R01", side: .b, feed: "T-FB", type: "pdu-0u"),
                PDU(id: "T-R02-PDU-A", rack: "T-R02", side: .a, feed: "T-FA", type: "pdu-0u"),
            ])
        f.sensors = [
            SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front)),
            SensorPlacement(id: "T-H1-PC1", kind: .particleCounter, location: .tile(room: "T-H1", tile: Tile("D05")!)),
        ]
        f.cables = [Cable(id: "T-C1", a: PortRef(device: "T-R01-SRV2", port: "eth0"), b: PortRef(device: "T-R02-SRV1", port: "eth0"), type: .cat6, label: "T-C1")]
        f.services = [
            Service(id: "SVC-CORE", name: "Core", hostedOn: ["T-R01-SRV1"], criticality: 1),
            Service(id: "SVC-TOOLS", name: "Tools", hostedOn: ["T-R01-SRV2"], criticality: 2),
            Service(id: "SVC-LEGACY", name: "Legacy", hostedOn: ["T-R01-OLD"], criticality: 1),
            Service(id: "SVC-TEST", name: "Test", hostedOn: ["T-R02-SRV1"]),
            Service(id: "SVC-FAR", name: "Far", hostedOn: ["T-R03-SRV1"], criticality: 1),
            Service(id: "SVC-RETIRED", name: "Retired", hostedOn: ["T-R01-SRV1"], status: .offline, criticality: 1),
        ]
        return f
    }

    /// `SVC-CORE: T-R01 → T-R01-SRV1 → SVC-CORE` for each service reached.
    static func paths(_ i: ServiceImpact) -> [String] { i.services.map { "\($0.service): \($0.pathText)" } }

    @Test func theTestFloorIsValid() {
        #expect(Self.floor().validate() == [])
    }

    struct Case: CustomStringConvertible, Sendable {
        var ci: CIID
        var expected: [String]
        var description: String { ci.rawValue }
    }

    @Test(
        "services reached from each kind of CI, most critical first, with the shortest path",
        arguments: [
            // A rack: its live devices' services; the offline device and the offline service are skipped.
            Case(ci: "T-R01", expected: ["SVC-CORE: T-R01 → T-R01-SRV1 → SVC-CORE", "SVC-TOOLS: T-R01 → T-R01-SRV2 → SVC-TOOLS"]),
            // A rack sensor goes through its rack.
            Case(ci: "T-R01-TH1", expected: ["SVC-CORE: T-R01-TH1 → T-R01 → T-R01-SRV1 → SVC-CORE", "SVC-TOOLS: T-R01-TH1 → T-R01 → T-R01-SRV2 → SVC-TOOLS"]),
            // A PDU: only the devices plugged into it (SRV2 is on PDU-B only; OLD is offline).
            Case(ci: "T-R01-PDU-A", expected: ["SVC-CORE: T-R01-PDU-A → T-R01-SRV1 → SVC-CORE"]),
            Case(ci: "T-R01-PDU-B", expected: ["SVC-CORE: T-R01-PDU-B → T-R01-SRV1 → SVC-CORE", "SVC-TOOLS: T-R01-PDU-B → T-R01-SRV2 → SVC-TOOLS"]),
            // A PDU whose rack's device has no power links recorded: that device may be on it.
            Case(ci: "T-R02-PDU-A", expected: ["SVC-TEST: T-R02-PDU-A → T-R02-SRV1 → SVC-TEST"]),
            // A feed: its PDUs, then their devices.
            Case(ci: "T-FA", expected: ["SVC-CORE: T-FA → T-R01-PDU-A → T-R01-SRV1 → SVC-CORE", "SVC-TEST: T-FA → T-R02-PDU-A → T-R02-SRV1 → SVC-TEST"]),
            // A tile sensor: its whole room; SVC-CORE and SVC-FAR tie on criticality and path length, by id.
            Case(
                ci: "T-H1-PC1",
                expected: [
                    "SVC-CORE: T-H1-PC1 → T-H1 → T-R01 → T-R01-SRV1 → SVC-CORE", "SVC-FAR: T-H1-PC1 → T-H1 → T-R03 → T-R03-SRV1 → SVC-FAR",
                    "SVC-TOOLS: T-H1-PC1 → T-H1 → T-R01 → T-R01-SRV2 → SVC-TOOLS", "SVC-TEST: T-H1-PC1 → T-H1 → T-R02 → T-R02-SRV1 → SVC-TEST",
                ]),
            // The cold aisle: the racks facing onto it (T-R01, T-R02), not T-R03 across row D.
            Case(
                ci: "T-CA",
                expected: ["SVC-CORE: T-CA → T-R01 → T-R01-SRV1 → SVC-CORE", "SVC-TOOLS: T-CA → T-R01 → T-R01-SRV2 → SVC-TOOLS", "SVC-TEST: T-CA → T-R02 → T-R02-SRV1 → SVC-TEST"]),
            // The hot aisle in row A is behind T-R01 and T-R02 too.
            Case(
                ci: "T-HA",
                expected: ["SVC-CORE: T-HA → T-R01 → T-R01-SRV1 → SVC-CORE", "SVC-TOOLS: T-HA → T-R01 → T-R01-SRV2 → SVC-TOOLS", "SVC-TEST: T-HA → T-R02 → T-R02-SRV1 → SVC-TEST"]),
            // A cable: the devices at both ends.
            Case(ci: "T-C1", expected: ["SVC-TOOLS: T-C1 → T-R01-SRV2 → SVC-TOOLS", "SVC-TEST: T-C1 → T-R02-SRV1 → SVC-TEST"]),
            // A device: its services, the offline one left out.
            Case(ci: "T-R01-SRV1", expected: ["SVC-CORE: T-R01-SRV1 → SVC-CORE"]),
            // A service: itself.
            Case(ci: "SVC-TOOLS", expected: ["SVC-TOOLS: SVC-TOOLS"]),
            // An offline device and an offline service threaten nothing.
            Case(ci: "T-R01-OLD", expected: []),
            Case(ci: "SVC-RETIRED", expected: []),
        ])
    func reached(_ c: Case) {
        let impact = Self.floor().impact(of: c.ci)
        #expect(impact.onFloor)
        #expect(impact.ci == c.ci)
        #expect(Self.paths(impact) == c.expected)
    }

    @Test func theSiteReachesEveryLiveService() {
        let impact = Self.floor().impact(of: "T")
        #expect(impact.services.map(\.service) == ["SVC-CORE", "SVC-FAR", "SVC-TOOLS", "SVC-TEST"])
        #expect(impact.mostCritical?.pathText == "T → T-H1 → T-R01 → T-R01-SRV1 → SVC-CORE")
    }

    @Test func anUnknownCIIsNotOnTheFloorAndThreatensNothing() {
        let impact = Self.floor().impact(of: "T-R99")
        #expect(!impact.onFloor)
        #expect(impact.services.isEmpty && impact.mostCritical == nil)
    }

    @Test func criticalityAbsentCountsAsThree() throws {
        let test = try #require(Self.floor().impact(of: "T-R02").mostCritical)
        #expect(test.service == "SVC-TEST")
        #expect(test.criticality == nil)
        #expect(test.effectiveCriticality == 3)
        #expect(test.via == "T-R02 → T-R02-SRV1")
        #expect(Service(id: "S", name: "S", hostedOn: []).effectiveCriticality == 3)
        #expect(Service(id: "S", name: "S", hostedOn: [], criticality: 2).effectiveCriticality == 2)
    }

    @Test func aDisposedDeviceInTheRackIsSkippedToo() {
        var f = Self.floor()
        f.devices.append(Device(id: "T-R01-GONE", type: "srv-1u", rack: "T-R01", position: nil, lifecycle: .disposed))
        f.services.append(Service(id: "SVC-GONE", name: "Gone", hostedOn: ["T-R01-GONE"], criticality: 1))
        #expect(!f.impact(of: "T-R01").services.map(\.service).contains("SVC-GONE"))
        // Staged and decommissioning devices still carry their services.
        f.devices[0].lifecycle = .decommissioning
        #expect(f.impact(of: "T-R01").services.map(\.service).contains("SVC-CORE"))
    }

    // MARK: Criticality in validation, the document and storage formats

    @Test(arguments: [0, 4, -1])
    func aCriticalityOutsideOneToThreeIsRefusedNamingTheService(_ value: Int) {
        var f = Self.floor()
        f.services[0].criticality = value
        let problems = f.validate()
        #expect(problems.count == 1)
        #expect(problems.first?.object == "SVC-CORE")
        #expect(problems.first?.field == "criticality")
        #expect(problems.first?.code == .invalidValue)
        #expect(problems.first?.message.contains("service SVC-CORE has criticality \(value)") == true)
    }

    @Test func docsFloorQuotesTheCriticalityProblemAsTheCodePrintsIt() throws {
        var f = Self.floor()
        f.services = [Service(id: "SVC-X", name: "X", hostedOn: [], criticality: 4)]
        let problem = try #require(f.validate().first)
        let text = try Support.read(Support.repoRoot.appendingPathComponent("docs/floor.md"))
        #expect(text.contains("`\(problem.description)`"), "\(problem)")
    }

    @Test func theDocumentReadsAndWritesCriticality() throws {
        let yaml = """
            version: 1
            device_types: []
            sites:
            - id: T
              kind: DC
              rooms: [{id: T-H1, grid: {tile_mm: 600, rows: 3, columns: 3}}]
              services:
              - {id: SVC-A, name: A, criticality: 1, hosted_on: []}
              - {id: SVC-B, name: B, hosted_on: []}
            """
        let floors = try YAMLDecoder().decode(FloorDocument.self, from: yaml).floors()
        #expect(floors[0].services.map(\.criticality) == [1, nil])
        let exported = try YAMLEncoder().encode(FloorDocument(floors: floors))
        #expect(exported.contains("criticality: 1"))
        let again = try YAMLDecoder().decode(FloorDocument.self, from: exported).floors()
        #expect(again[0].services == floors[0].services)
        let bad = yaml.replacingOccurrences(of: "criticality: 1", with: "criticality: 5")
        #expect {
            try YAMLDecoder().decode(FloorDocument.self, from: bad).floors()
        } throws: { e in
            "\(e)".contains("SVC-A.criticality: [invalid-value] service SVC-A has criticality 5")
        }
    }

    @Test func aServiceStoredBeforeCriticalityExistedStillDecodes() throws {
        // The JSON of a `floor_objects` row written before this field (AgentStore stores the
        // model's Codable form): no `criticality` key.
        let old = #"{"hostedOn":["T-R01-SRV1"],"id":"SVC-OLD","name":"Old","status":"active"}"#
        let s = try JSONDecoder().decode(Service.self, from: Data(old.utf8))
        #expect(s.criticality == nil && s.effectiveCriticality == 3)
        let written = String(decoding: try JSONEncoder().encode(Service(id: "SVC-NEW", name: "New", hostedOn: [], criticality: 2)), as: UTF8.self)
        #expect(written.contains(#""criticality":2"#))
    }

    // MARK: The demo floor

    @Test func theDemoFloorRanksEveryServiceAndTheDRCMatchesTheDC() throws {
        let floors = try DocumentTests.demo().floors()
        let (dc, drc) = (floors[0], floors[1])
        for s in dc.services + drc.services { #expect(s.criticality != nil, "\(s.id) has no criticality") }
        #expect(Set(dc.services.compactMap(\.criticality)) == [1, 2, 3])
        for s in drc.services {
            let original = try #require(dc.services.first { "DRC-" + $0.id.rawValue == s.id.rawValue }, "\(s.id) has no DC original")
            #expect(s.criticality == original.criticality, "\(s.id)")
        }
    }

    @Test func demoRacksImpact() throws {
        let floors = try DocumentTests.demo().floors()
        let (dc, drc) = (floors[0], floors[1])
        let r01 = try #require(dc.impact(of: "DC-R01").mostCritical)
        #expect(r01.service == "SVC-EMAIL" && r01.effectiveCriticality == 1)
        #expect(r01.pathText == "DC-R01 → DC-R01-SRV01 → SVC-EMAIL")
        #expect(dc.impact(of: "DC-R01-TH1").mostCritical?.pathText == "DC-R01-TH1 → DC-R01 → DC-R01-SRV01 → SVC-EMAIL")
        #expect(dc.impact(of: "DC-R07").services.map(\.service) == ["SVC-INTRANET"])
        #expect(dc.impact(of: "DC-R07").mostCritical?.effectiveCriticality == 2)
        #expect(dc.impact(of: "DC-R12").services.map(\.service) == ["SVC-DEVTEST"])
        #expect(dc.impact(of: "DC-R20").services.isEmpty)
        // Both rows face the contained cold aisle, so it reaches every DC service.
        #expect(Set(dc.impact(of: "DC-H1-CA1").services.map(\.service)) == Set(dc.services.map(\.id)))
        #expect(drc.impact(of: "DRC-R01").mostCritical?.service == "DRC-SVC-EMAIL")
    }
}
