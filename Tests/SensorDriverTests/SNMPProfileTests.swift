import Foundation
import Logging
@testable import SensorDrivers
import Telemetry
import Testing
import Yams

/// Loads a shipped profile's SNMP part from config/profiles.
func shippedSNMPProfile(_ name: String) throws -> SNMPProfileSpec {
    let url = SNMPTestPaths.profiles.appendingPathComponent("\(name).yaml")
    let profile = try YAMLDecoder().decode(DeviceProfile.self, from: String(contentsOf: url, encoding: .utf8))
    #expect(profile.name == name)
    return try #require(profile.snmp, "profile \(name) has no snmp part")
}

/// A logger that drops everything (libraries accept a logger; tests make a quiet one).
let quietLogger = Logger(label: "dcagent.test.snmp", factory: { _ in SwiftLogNoOpLogHandler() })

@Suite("SNMP profiles: decoding, validation, configuration errors", .timeLimit(.minutes(1)))
struct SNMPProfileTests {
    static let shipped = ["apc-rpdu2", "raritan-pdu2", "akcp-sensorprobe"]

    @Test("shipped profiles decode and compile", arguments: shipped)
    func shippedCompile(_ name: String) throws {
        let spec = try shippedSNMPProfile(name)
        let plan = try SNMPReadPlan.compile(spec, sensor: "DC-R01-PDU-A")
        #expect(plan.scalars.count + plan.tables.count == spec.points.count + spec.tables.count)
        #expect(plan.scalars.count + plan.tables.count > 0)
    }

    static func spec(
        oid: String = "1.3.6.1.4.1.318.1.1.26.4.3.1.5.1", walk: String = "1.3.6.1.4.1.318.1.1.26.9.4.3.1.6"
    )
        -> SNMPProfileSpec
    {
        SNMPProfileSpec(
            points: [
                SNMPPointSpec(
                    name: "power", oid: oid, conversion: .init(quantity: "active_power", unit: "kW", scale: 0.01))
            ],
            tables: [
                SNMPTableSpec(
                    name: "outlet.{index}.current", walk: walk, conversion: .init(quantity: "current", unit: "A"))
            ])
    }

    @Test(
        "bad input is a configuration error naming the sensor, the point and the key",
        arguments: [
            (spec(oid: "1.3.6.1.4.1.318.x.26"), "points[0] 'power': oid '1.3.6.1.4.1.318.x.26' is not a numeric OID"),
            (spec(oid: ".1.3.6..1"), "points[0] 'power': oid '.1.3.6..1' is not a numeric OID"),
            (spec(walk: "iso.3.6.1"), "tables[0] 'outlet.{index}.current': walk 'iso.3.6.1' is not a numeric OID"),
            (SNMPProfileSpec(), "the SNMP profile has no points and no tables"),
            (
                SNMPProfileSpec(points: [SNMPPointSpec(name: "p", oid: "1.3.6", conversion: .init(quantity: "volume"))]
                ),
                "points[0] 'p': quantity 'volume' is not one of"
            ),
            (
                SNMPProfileSpec(points: [
                    SNMPPointSpec(name: "p", oid: "1.3.6", conversion: .init(quantity: "current", unit: "furlong"))
                ]),
                "points[0] 'p': unit 'furlong' is not known"
            ),
            (
                SNMPProfileSpec(points: [
                    SNMPPointSpec(name: "p", oid: "1.3.6", conversion: .init(quantity: "current", scale: 0))
                ]),
                "points[0] 'p': scale 0.0 is not a non-zero decimal"
            ),
            (
                SNMPProfileSpec(tables: [
                    SNMPTableSpec(name: "outlet.current", walk: "1.3.6", conversion: .init(quantity: "current"))
                ]),
                "tables[0] 'outlet.current': name must be a template"
            ),
            (
                SNMPProfileSpec(tables: [
                    SNMPTableSpec(name: "i.{1}", walk: "1.3.6", index: "*.x", conversion: .init(quantity: "current"))
                ]),
                "tables[0] 'i.{1}': index '*.x' is not arcs and '*'"
            ),
            (
                SNMPProfileSpec(tables: [
                    SNMPTableSpec(
                        name: "i.{1}", walk: "1.3.6", conversion: .init(quantity: "current", decimalsOID: "1.3.{zz}"))
                ]),
                "tables[0] 'i.{1}': decimals_oid '1.3.{zz}' is not numeric arcs and {index}"
            ),
            (
                SNMPProfileSpec(points: [
                    SNMPPointSpec(name: "p", oid: "1.3.6", conversion: .init(quantity: "current")),
                    SNMPPointSpec(name: "p", oid: "1.3.7", conversion: .init(quantity: "current")),
                ]), "points[1] 'p': duplicate point name"
            ),
            (
                SNMPProfileSpec(
                    points: [SNMPPointSpec(name: "p", oid: "1.3.6", conversion: .init(quantity: "current"))],
                    maxVarBinds: 0),
                "max_varbinds 0 is not in 1…128"
            ),
        ] as [(SNMPProfileSpec, String)])
    func badProfile(_ spec: SNMPProfileSpec, _ message: String) {
        #expect {
            try SNMPDeviceReader(
                device: "DC-R07-PDU-B", target: SNMPTarget(host: "127.0.0.1", version: .v2c(community: "public")),
                profile: spec, logger: quietLogger)
        } throws: { error in
            let e = error as? SNMPError
            return e?.code == .configuration && e?.context == "sensor DC-R07-PDU-B"
                && e?.description.contains(message) == true
        }
    }

    static func v3(
        _ level: SNMPSecurityLevel, auth: SNMPAuthProtocol? = .sha256, authKey: Secret? = "authpass123",
        priv: SNMPPrivProtocol? = .aes256, privKey: Secret? = "privpass123", user: String = "ops"
    ) -> SNMPVersion {
        .v3(.init(user: user, level: level, authProtocol: auth, authKey: authKey, privProtocol: priv, privKey: privKey))
    }

    @Test(
        "missing or short credentials are configuration errors naming the sensor",
        arguments: [
            (v3(.authPriv, priv: nil), "SNMPv3 authPriv needs priv protocol"),
            (v3(.authPriv, privKey: nil), "SNMPv3 authPriv needs a priv key of at least 8 characters"),
            (v3(.authNoPriv, auth: nil), "SNMPv3 authNoPriv needs auth protocol"),
            (v3(.authPriv, authKey: "short"), "SNMPv3 authPriv needs an auth key of at least 8 characters"),
            (v3(.authPriv, user: ""), "SNMPv3 needs a user name"),
            (.v2c(community: ""), "SNMP v2c needs a community"),
        ] as [(SNMPVersion, String)])
    func badCredentials(_ version: SNMPVersion, _ message: String) throws {
        let spec = try shippedSNMPProfile("apc-rpdu2")
        #expect {
            try SNMPDeviceReader(
                device: "DC-R07-PDU-B", target: SNMPTarget(host: "127.0.0.1", version: version), profile: spec,
                logger: quietLogger)
        } throws: { error in
            let e = error as? SNMPError
            return e?.code == .configuration && e?.description == "SNMP configuration (sensor DC-R07-PDU-B): \(message)"
        }
    }

    @Test(
        "table templates and index patterns",
        arguments: [
            ("inlet.{1}.current", "*.1", [2, 1] as [UInt32], "inlet.2.current" as String?),
            ("inlet.{1}.current", "*.1", [2, 4], nil),
            ("outlet.{index}.power", nil, [7], "outlet.7.power"),
            ("port.{index}", nil, [1, 0], "port.1.0"),
            ("inlet.{1}.current", "*.1", [2, 1, 3], nil),
        ] as [(String, String?, [UInt32], String?)])
    func templates(_ name: String, _ index: String?, _ row: [UInt32], _ expected: String?) throws {
        let spec = SNMPProfileSpec(tables: [
            SNMPTableSpec(name: name, walk: "1.3.6.1", index: index, conversion: .init(quantity: "current"))
        ])
        let table = try #require(try SNMPReadPlan.compile(spec, sensor: "X").tables.first)
        #expect((table.matches(row) ? table.pointName(row) : nil) == expected)
    }
}
