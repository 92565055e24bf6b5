import Foundation
@testable import SensorDrivers
import Telemetry
import Testing

/// The v3 credentials of one snmpd test user.
func snmpdV3(_ user: String, _ auth: String, _ priv: String?, authKey: String = SNMPDPeer.authKey) throws -> SNMPVersion
{
    let a = try #require(SNMPAuthProtocol(rawValue: auth))
    let p = try priv.map { try #require(SNMPPrivProtocol(rawValue: $0)) }
    return .v3(
        .init(
            user: user, level: p == nil ? .authNoPriv : .authPriv, authProtocol: a, authKey: Secret(authKey),
            privProtocol: p, privKey: p == nil ? nil : Secret(SNMPDPeer.privKey)))
}

let rpdu2 = "1.3.6.1.4.1.318.1.1.26"

/// An rPDU2 table as pass_persist serves it: device 1, phase 1, `outlets` outlets, a temperature
/// probe (temperature -1: none, as an AP8641 reports it, its status columns saying so too) without
/// humidity.
func rpdu2Table(power: Int, loadState: Int, energy: Int, phaseCurrent: Int, outlets: [Int], temperature: Int)
    -> [String: (String, String)]
{
    var t: [String: (String, String)] = [
        "\(rpdu2).4.3.1.4.1": ("integer", "\(loadState)"), "\(rpdu2).4.3.1.5.1": ("integer", "\(power)"),
        "\(rpdu2).4.3.1.9.1": ("integer", "\(energy)"), "\(rpdu2).4.3.1.16.1": ("integer", "\(power + 10)"),
        "\(rpdu2).4.3.1.17.1": ("integer", "92"),
        "\(rpdu2).6.3.1.4.1": ("integer", "\(loadState)"), "\(rpdu2).6.3.1.5.1": ("integer", "\(phaseCurrent)"),
        "\(rpdu2).6.3.1.6.1": ("integer", "230"), "\(rpdu2).6.3.1.7.1": ("integer", "\(power)"),
        "\(rpdu2).10.2.2.1.8.1": ("integer", "\(temperature)"), "\(rpdu2).10.2.2.1.10.1": ("integer", "-1"),
        "\(rpdu2).10.2.2.1.6.1": ("integer", temperature == -1 ? "1" : "2"),  // comm status notInstalled / commsOK
        "\(rpdu2).10.2.2.1.9.1": ("integer", temperature == -1 ? "1" : "4"),  // temperature status notPresent / normal
        "\(rpdu2).10.2.2.1.11.1": ("integer", "1"),  // humidity status notPresent
    ]
    for (i, current) in outlets.enumerated() {
        t["\(rpdu2).9.4.3.1.6.\(i + 1)"] = ("integer", "\(current)")
        t["\(rpdu2).9.4.3.1.7.\(i + 1)"] = ("integer", "\(current * 23)")
        t["\(rpdu2).9.4.3.1.11.\(i + 1)"] = ("integer", "\(1000 + i)")
    }
    return t
}

@Suite("SNMP against Debian snmpd (v1, v2c, v3 USM; pass_persist rPDU2 table with changing values)", .serialized, .timeLimit(.minutes(5)))
struct SNMPDaemonTests {
    func reader(_ version: SNMPVersion, profile: SNMPProfileSpec? = nil, timeout: Double = 2) throws -> SNMPDeviceReader
    {
        let snmpd = try SNMPDPeer.shared.get()
        return try SNMPDeviceReader(
            device: "DC-R02-PDU-B",
            target: SNMPTarget(host: "127.0.0.1", port: snmpd.port, version: version, timeout: timeout, retries: 1),
            profile: try profile ?? shippedSNMPProfile("apc-rpdu2"), logger: quietLogger)
    }

    @Test("v3 authPriv SHA-256/AES-256: values change between reads and every read is exact")
    func changingValues() async throws {
        let snmpd = try SNMPDPeer.shared.get()
        let reader = try reader(try snmpdV3("u-sha256-aes256", "SHA-256", "AES-256"))
        try snmpd.serve(
            rpdu2Table(power: 121, loadState: 2, energy: 19516, phaseCurrent: 65, outlets: [9, 5, 0], temperature: 245))
        var rows = Dictionary(uniqueKeysWithValues: try await reader.inspect(now: .now).map { ($0.point.name, $0) })
        #expect(rows["power"]?.value == 1.21)
        #expect(rows["energy"]?.value == 1951.6)
        #expect(rows["load_state"]?.stateName == "normal")
        #expect(rows["phase.1.current"]?.value == 6.5)
        #expect(rows["outlet.2.current"]?.value == 0.5)
        #expect(rows["outlet.3.power"]?.value == 0)
        #expect(rows["sensor.1.temperature"]?.value == 24.5)
        #expect(rows["sensor.1.humidity"]?.quality == .absent)
        #expect(rows.keys.filter { $0.hasPrefix("outlet.") }.count == 9)

        try snmpd.serve(
            rpdu2Table(
                power: 387, loadState: 3, energy: 19533, phaseCurrent: 168, outlets: [41, 37, 12, 3], temperature: -1))
        rows = Dictionary(uniqueKeysWithValues: try await reader.inspect(now: .now).map { ($0.point.name, $0) })
        #expect(rows["power"]?.value == 3.87)
        #expect(rows["energy"]?.value == 1953.3)
        #expect(rows["load_state"]?.stateName == "nearOverload")
        #expect(rows["phase.1.current"]?.value == 16.8)
        #expect(rows["outlet.4.current"]?.value == 0.3)
        #expect(rows["sensor.1.temperature"]?.quality == .absent)
        #expect(rows.keys.filter { $0.hasPrefix("outlet.") }.count == 12)
        #expect(reader.points.count == rows.count)
    }

    @Test("documented sentinels through a real agent: a model that cannot meter answers -1, a probe that lost its link")
    func sentinels() async throws {
        let snmpd = try SNMPDPeer.shared.get()
        var table = rpdu2Table(power: -1, loadState: 5, energy: -1, phaseCurrent: 65, outlets: [9], temperature: 245)
        for column in ["4.3.1.16.1", "4.3.1.17.1", "6.3.1.6.1"] { table["\(rpdu2).\(column)"] = ("integer", "-1") }
        table["\(rpdu2).10.2.2.1.6.1"] = ("integer", "3")  // commsLost(3)
        try snmpd.serve(table)
        let rows = Dictionary(
            uniqueKeysWithValues: try await reader(.v2c(community: Secret(SNMPDPeer.community))).inspect(now: .now)
                .map { ($0.point.name, $0) })
        for name in ["power", "apparent_power", "power_factor", "energy", "load_state", "phase.1.voltage", "phase.1.power"] {
            #expect(rows[name]?.quality == .absent, "\(name): 'Models that do not support this feature …'")
            #expect(rows[name]?.value.isNaN == true, "\(name)")
        }
        #expect(rows["phase.1.current"]?.value == 6.5, "no documented sentinel: read as it comes")
        #expect(rows["outlet.1.current"]?.value == 0.9)
        #expect(
            rows["sensor.1.temperature"]?.quality
                == .bad(reason: "probe communication lost (commsLost) (\(rpdu2).10.2.2.1.6.1 = 3)"))
        #expect(rows["sensor.1.humidity"]?.quality == .absent, "notPresent wins over the lost link")
    }

    @Test("every v3 auth/priv pair net-snmp 5.9.3 offers reads the table", arguments: SNMPDPeer.users)
    func v3Users(_ user: (String, String, String?)) async throws {
        let snmpd = try SNMPDPeer.shared.get()
        try snmpd.serve(rpdu2Table(power: 121, loadState: 2, energy: 1, phaseCurrent: 1, outlets: [1], temperature: 1))
        let readings = try await reader(try snmpdV3(user.0, user.1, user.2)).readOnce(
            now: Timestamp(seconds: 1_800_000_000))
        let power = try #require(readings.first { $0.point.name == "power" })
        #expect(power.value == 1.21)
        #expect(power.time == Timestamp(seconds: 1_800_000_000))
    }

    @Test("v1 (GETNEXT walks) and v2c (GETBULK walks) read the same table", arguments: [true, false])
    func communities(_ v1: Bool) async throws {
        let snmpd = try SNMPDPeer.shared.get()
        try snmpd.serve(
            rpdu2Table(
                power: 55, loadState: 1, energy: 7, phaseCurrent: 24, outlets: Array(repeating: 7, count: 30),
                temperature: 199))
        let version: SNMPVersion =
            v1 ? .v1(community: Secret(SNMPDPeer.community)) : .v2c(community: Secret(SNMPDPeer.community))
        let rows = Dictionary(
            uniqueKeysWithValues: try await reader(version).inspect(now: .now).map { ($0.point.name, $0) })
        #expect(rows["power"]?.value == 0.55)
        #expect(rows["load_state"]?.stateName == "lowLoad")
        #expect(rows["outlet.30.current"]?.value == 0.7)
        #expect(rows["sensor.1.temperature"]?.value == 19.9)
        #expect(rows.keys.filter { $0.hasPrefix("outlet.") }.count == 90)
    }

    @Test("wrong v3 key: the agent's report becomes an authentication error, not a reading")
    func wrongKey() async throws {
        let reader = try reader(try snmpdV3(SNMPDPeer.wrongKeyUser, "SHA", "AES", authKey: "not-the-key"), timeout: 0.5)
        await #expect {
            _ = try await reader.readOnce(now: .now)
        } throws: { error in
            (error as? SNMPError)?.code == .authentication
        }
    }

    @Test("counter rates through a real agent: Counter32 wrap, reset guard, Counter64")
    func counterRates() async throws {
        let snmpd = try SNMPDPeer.shared.get()
        let spec = SNMPProfileSpec(points: [
            SNMPPointSpec(
                name: "octets32", oid: "1.3.6.1.4.1.99999.1.0", conversion: .init(quantity: "airflow", rate: true)),
            SNMPPointSpec(
                name: "octets64", oid: "1.3.6.1.4.1.99999.2.0",
                conversion: .init(quantity: "airflow", scale: 0.5, rate: true)),
        ])
        let reader = try reader(.v2c(community: Secret(SNMPDPeer.community)), profile: spec)
        let t0 = Timestamp(seconds: 1_800_000_000)
        let steps: [(UInt32, UInt64, Double, String?, Double?, String?)] = [
            // counter32, counter64, seconds, expected rate32 (nil = bad reason prefix), rate64
            (4_294_967_000, 18_446_744_073_709_551_000, 0, "rate: first sample", nil, "rate: first sample"),
            (200, 18_446_744_073_709_551_400, 4, nil, 50, nil),
            (100, 18_446_744_073_709_551_410, 5, "rate: counter reset", 5, nil),
            (150, 10, 15, nil, nil, "rate: counter reset"),
        ]
        let expected32: [Double?] = [nil, 124, nil, 5]
        for (i, step) in steps.enumerated() {
            try snmpd.serve([
                "1.3.6.1.4.1.99999.1.0": ("counter", "\(step.0)"), "1.3.6.1.4.1.99999.2.0": ("counter64", "\(step.1)"),
            ])
            let rows = Dictionary(
                uniqueKeysWithValues: try await reader.inspect(now: t0.adding(seconds: step.2)).map {
                    ($0.point.name, $0)
                })
            if let e = expected32[i] {
                #expect(rows["octets32"]?.value == e, "step \(i)")
            } else {
                #expect(rows["octets32"]?.quality.reason?.hasPrefix(step.3 ?? "?") == true, "step \(i)")
            }
            if let e = step.4 {
                #expect(rows["octets64"]?.value == e, "step \(i)")
            } else {
                #expect(rows["octets64"]?.quality.reason?.hasPrefix(step.5 ?? "?") == true, "step \(i)")
            }
        }
    }

    @Test("sixteen readers at once, v3 and v2c mixed, each on its own session: all exact")
    func concurrentReaders() async throws {
        let snmpd = try SNMPDPeer.shared.get()
        try snmpd.serve(
            rpdu2Table(power: 121, loadState: 2, energy: 5, phaseCurrent: 65, outlets: [1, 2, 3], temperature: 250))
        var readers: [SNMPDeviceReader] = []
        for i in 0..<16 {
            let user = SNMPDPeer.users[i % SNMPDPeer.users.count]
            readers.append(
                try reader(
                    i % 2 == 0 ? try snmpdV3(user.0, user.1, user.2) : .v2c(community: Secret(SNMPDPeer.community))))
        }
        let powers = try await withThrowingTaskGroup(of: [Double].self) { group in
            for r in readers {
                group.addTask {
                    var seen: [Double] = []
                    for _ in 0..<3 {
                        let rows = try await r.inspect(now: .now)
                        seen.append(rows.first { $0.point.name == "power" }?.value ?? .nan)
                        seen.append(rows.first { $0.point.name == "sensor.1.temperature" }?.value ?? .nan)
                    }
                    return seen
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        #expect(powers.count == 16 * 6)
        #expect(Set(powers) == [1.21, 25.0])
    }

    @Test("wrong varbind types from a real agent: bad for that point only, the rest exact")
    func wrongTypes() async throws {
        let snmpd = try SNMPDPeer.shared.get()
        var table = rpdu2Table(
            power: 121, loadState: 2, energy: 19516, phaseCurrent: 65, outlets: [9], temperature: 245)
        table["\(rpdu2).4.3.1.5.1"] = ("string", "1.21 kW")
        table["\(rpdu2).4.3.1.4.1"] = ("objectid", ".1.3.6.1.4.1.318")
        table["\(rpdu2).6.3.1.6.1"] = ("ipaddress", "10.0.0.1")
        table["\(rpdu2).9.4.3.1.6.1"] = ("timeticks", "12345")
        try snmpd.serve(table)
        let rows = Dictionary(
            uniqueKeysWithValues: try await reader(.v2c(community: Secret(SNMPDPeer.community))).inspect(now: .now)
                .map { ($0.point.name, $0) })
        #expect(rows["power"]?.fault == .wrongType)
        #expect(rows["power"]?.quality.reason?.hasPrefix("wrongType: OCTET STRING") == true)
        #expect(rows["load_state"]?.fault == .wrongType)
        #expect(rows["phase.1.voltage"]?.fault == .wrongType)
        #expect(rows["outlet.1.current"]?.value == 1234.5, "TimeTicks is a number: 12345 × 0.1")
        #expect(rows["energy"]?.value == 1951.6)
        #expect(rows["phase.1.current"]?.value == 6.5)
        #expect(rows["sensor.1.temperature"]?.value == 24.5)
    }
}
