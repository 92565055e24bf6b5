import Foundation
import FloorModel
import Telemetry
import Testing
import Yams

/// Every NetBox fixture file with its expected outcome (SOURCE.md lists each file's quirks),
/// and broken files that must be reported and skipped, never crash.
@Suite(.timeLimit(.minutes(1))) struct NetBoxImportTests {
    struct Expected: CustomStringConvertible, Sendable {
        let path: String
        let slug: String
        let halves: Int
        let fullDepth: Bool
        let airflow: Airflow?
        let weightKg: Double?
        let maxDrawW: Double?
        let allocatedDrawW: Double?
        let ports: Int
        let noteContains: [String]
        var description: String { path }
    }

    // Port counts are interfaces + front + rear + console + power ports + power outlets.
    static let expected: [Expected] = [
        .init(path: "APC/AP8641.yaml", slug: "ap8641", halves: 0, fullDepth: false, airflow: nil, weightKg: nil, maxDrawW: nil, allocatedDrawW: nil, ports: 1 + 1 + 1 + 24, noteContains: ["maximum_draw null: unknown", "allocated_draw null: unknown"]),
        .init(path: "APC/AP7900B.yaml", slug: "apc-ap7900b", halves: 2, fullDepth: false, airflow: .passive, weightKg: 2.25, maxDrawW: nil, allocatedDrawW: nil, ports: 1 + 1 + 1 + 8, noteContains: []),
        .init(path: "Dell/PowerEdge-R640.yaml", slug: "dell-poweredge-r640", halves: 2, fullDepth: true, airflow: nil, weightKg: 29, maxDrawW: 1500, allocatedDrawW: nil, ports: 5 + 1 + 2, noteContains: []),
        .init(path: "HPE/ProLiant-DL360-Gen10.yaml", slug: "hpe-proliant-dl360-gen10", halves: 2, fullDepth: true, airflow: .frontToRear, weightKg: 13.04, maxDrawW: nil, allocatedDrawW: nil, ports: 1 + 1, noteContains: []),
        .init(path: "Supermicro/SYS-1029U-TR4T.yaml", slug: "supermicro-superserver-1029u-tr4t", halves: 2, fullDepth: true, airflow: .frontToRear, weightKg: 11.8, maxDrawW: 1500, allocatedDrawW: nil, ports: 5 + 1 + 2, noteContains: []),
        .init(path: "HPE/ProLiant-DL380-Gen10.yaml", slug: "hpe-proliant-dl380-gen10", halves: 4, fullDepth: true, airflow: .frontToRear, weightKg: 14.9, maxDrawW: nil, allocatedDrawW: nil, ports: 5 + 1, noteContains: []),
        .init(path: "Lenovo/ThinkSystem-SR650-v3.yaml", slug: "lenovo-thinksystem-sr650-v3", halves: 4, fullDepth: true, airflow: .frontToRear, weightKg: 38.8, maxDrawW: nil, allocatedDrawW: nil, ports: 1, noteContains: []),
        .init(path: "Dell/PowerEdge-M1000e.yaml", slug: "dell-poweredge-m1000e", halves: 20, fullDepth: true, airflow: nil, weightKg: nil, maxDrawW: nil, allocatedDrawW: nil, ports: 6, noteContains: []),
        .init(path: "HPE/Alletra-6000.yaml", slug: "hpe-alletra-6000", halves: 8, fullDepth: true, airflow: .frontToRear, weightKg: 54.5, maxDrawW: nil, allocatedDrawW: nil, ports: 9 + 1, noteContains: []),
        .init(path: "HPE/Aruba-10000-48Y6C-Back-to-Front.yaml", slug: "hpe-aruba-10000-48y6c-back-to-front", halves: 2, fullDepth: false, airflow: .rearToFront, weightKg: nil, maxDrawW: 1500, allocatedDrawW: nil, ports: 55 + 3 + 2, noteContains: []),
        .init(path: "Supermicro/SYS-5019D-FN8TP.yaml", slug: "supermicro-sys-5019d-fn8tp", halves: 2, fullDepth: false, airflow: .frontToRear, weightKg: 3.63, maxDrawW: 200, allocatedDrawW: nil, ports: 9 + 1, noteContains: []),
        .init(path: "PC Engines/APU6.yaml", slug: "pc-engines-apu6", halves: 1, fullDepth: false, airflow: .passive, weightKg: 16 * 0.028_349_523_125, maxDrawW: 12, allocatedDrawW: 6, ports: 6 + 1 + 1, noteContains: ["16 oz → 0.45 kg"]),
        .init(path: "Generic/24-port-copper-patch-panel.yaml", slug: "generic-24-port-copper-patch-panel", halves: 2, fullDepth: true, airflow: .passive, weightKg: nil, maxDrawW: nil, allocatedDrawW: nil, ports: 48, noteContains: ["is_full_depth absent"]),
        .init(path: "Eaton/9PX3000iRT2U.yaml", slug: "eaton-9px-3000i-rt-2u", halves: 4, fullDepth: true, airflow: .frontToRear, weightKg: nil, maxDrawW: 3000, allocatedDrawW: nil, ports: 2 + 2 + 1 + 10, noteContains: []),
        .init(path: "Eaton/5PX1500IRT.yaml", slug: "eaton-5px1500irt", halves: 4, fullDepth: true, airflow: .frontToRear, weightKg: 27.6, maxDrawW: 1500, allocatedDrawW: nil, ports: 1 + 2 + 2 + 8, noteContains: ["maximum_draw '': unknown", "allocated_draw '': unknown"]),
        .init(path: "Palo Alto/PA-3220.yaml", slug: "palo-alto-pa-3220", halves: 4, fullDepth: true, airflow: nil, weightKg: nil, maxDrawW: 1300, allocatedDrawW: 480, ports: 24 + 1 + 2, noteContains: []),
        .init(path: "Palo Alto/PA-850.yaml", slug: "pa-850", halves: 2, fullDepth: false, airflow: .frontToRear, weightKg: 13.5 * 0.453_592_37, maxDrawW: nil, allocatedDrawW: nil, ports: 16 + 2, noteContains: ["13.5 lb → 6.12 kg"]),
    ]

    @Test(arguments: expected)
    func fixture(_ e: Expected) throws {
        let outcome = try Support.importNetBox(e.path)
        let t = try #require(outcome.deviceType, "skipped: \(outcome.reasons)")
        #expect(t.slug == e.slug)
        #expect(t.height.halves == e.halves)
        #expect(t.isFullDepth == e.fullDepth)
        #expect(t.airflow == e.airflow)
        if let w = e.weightKg {
            #expect(abs((t.weightKg ?? -1) - w) < 1e-9)
        } else {
            #expect(t.weightKg == nil)
        }
        #expect(t.maximumDrawW == e.maxDrawW)
        #expect(t.allocatedDrawW == e.allocatedDrawW)
        #expect(t.ports.count == e.ports)
        guard case .imported(_, let notes) = outcome else { return }
        for n in e.noteContains { #expect(notes.contains { $0.contains(n) }, "notes: \(notes)") }
    }

    @Test func everyFixtureFileHasAnExpectedOutcome() throws {
        let fm = FileManager.default
        let files = try #require(fm.enumerator(atPath: Support.netboxDir.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == Set(Self.expected.map(\.path)))
        #expect(files.count == 17)
    }

    struct Broken: CustomStringConvertible, Sendable {
        let name: String
        let yaml: String
        let reasons: [String]
        var description: String { name }
    }

    static let broken: [Broken] = [
        .init(name: "no manufacturer, no slug", yaml: "model: X\nu_height: 1\n", reasons: ["manufacturer is missing", "slug is missing"]),
        .init(name: "u_height 0.3", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nu_height: 0.3\n", reasons: ["u_height 0.3 is not a non-negative multiple of 0.5"]),
        .init(name: "negative u_height", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nu_height: -1\n", reasons: ["u_height -1.0 is not a non-negative multiple of 0.5"]),
        .init(name: "u_height as text", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nu_height: two\n", reasons: ["u_height 'two' is not a number"]),
        .init(name: "unknown weight unit", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nweight: 3\nweight_unit: stone\n", reasons: ["weight_unit 'stone' is not kg, g, lb or oz"]),
        .init(name: "weight without unit", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nweight: 3\n", reasons: ["weight 3 has no weight_unit"]),
        .init(name: "negative weight", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nweight: -3\nweight_unit: kg\n", reasons: ["weight -3 is negative"]),
        .init(name: "unknown airflow", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nairflow: up\n", reasons: ["airflow 'up' is not one of"]),
        .init(name: "is_full_depth as text", yaml: "manufacturer: A\nmodel: X\nslug: a-x\nis_full_depth: maybe\n", reasons: ["is_full_depth 'maybe' is not true or false"]),
        .init(name: "draw as text", yaml: "manufacturer: A\nmodel: X\nslug: a-x\npower-ports:\n  - name: P1\n    maximum_draw: lots\n", reasons: ["power-ports 'P1' maximum_draw 'lots' is not a non-negative number of watts"]),
        .init(name: "port without a name", yaml: "manufacturer: A\nmodel: X\nslug: a-x\ninterfaces:\n  - type: 1000base-t\n", reasons: ["interfaces[0] has no name"]),
        .init(name: "duplicate interface", yaml: "manufacturer: A\nmodel: X\nslug: a-x\ninterfaces:\n  - name: e0\n  - name: e0\n", reasons: ["interface 'e0' is defined twice"]),
        .init(name: "bad slug", yaml: "manufacturer: A\nmodel: X\nslug: A X\n", reasons: ["slug 'A X' has characters"]),
    ]

    @Test(arguments: broken)
    func brokenFilesAreSkippedWithEveryReason(_ b: Broken) throws {
        let raw = try YAMLDecoder().decode(NetBoxDeviceTypeRaw.self, from: b.yaml)
        let outcome = NetBoxImport.convert(raw)
        #expect(outcome.deviceType == nil)
        #expect(outcome.reasons.count == b.reasons.count, "\(outcome.reasons)")
        for (got, want) in zip(outcome.reasons, b.reasons) { #expect(got.hasPrefix(want), "\(got)") }
    }

    @Test func missingUHeightDefaultsToOneUnit() throws {
        // PC Engines APU4 upstream has no u_height (SOURCE.md "Upstream versions not used").
        let raw = try YAMLDecoder().decode(NetBoxDeviceTypeRaw.self, from: "manufacturer: PC Engines\nmodel: APU4\nslug: pc-engines-apu4\n")
        guard case .imported(let t, let notes) = NetBoxImport.convert(raw) else {
            Issue.record("not imported")
            return
        }
        #expect(t.height == HalfU(units: 1))
        #expect(notes.contains("u_height absent: 1 U (NetBox default)"))
    }

    @Test func unparseableFileIsAnErrorNotACrash() {
        // The upstream PA-3220 with unresolved git conflict markers.
        let text = "manufacturer: Palo Alto\n<<<<<<< HEAD\nmodel: PA-3220\n=======\nmodel: PA 3220\n>>>>>>> branch\n"
        #expect(throws: (any Error).self) { try YAMLDecoder().decode(NetBoxDeviceTypeRaw.self, from: text) }
    }
}
