import Foundation
import Logging
import SensorDrivers
import Telemetry
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A Debian snmpd of its own (not shared with SNMPDaemonTests, whose tables change under it),
/// serving values of every SMI type at their edges through pass_persist, and v3 users for the
/// failure tests. Its values never change, so suites may share it.
final class SNMPReferenceAgent: Sendable {
    static let shared = Result { try SNMPReferenceAgent() }

    static let community = "dcref"
    static let authKey = "authpass123"
    static let privKey = "privpass123"
    static let root = "1.3.6.1.4.1.99999.7"

    /// OID suffix under ``root`` → (pass_persist type, value): every type at its edges.
    static let values: [(Int, String, String)] = [
        (1, "integer", "-2147483648"), (2, "integer", "2147483647"), (3, "integer", "0"),
        (4, "counter", "4294967295"), (5, "counter", "0"),
        (6, "gauge", "4294967295"), (7, "unsigned", "0"),
        (8, "timeticks", "4294967295"), (9, "timeticks", "0"),
        (10, "counter64", "18446744073709551615"), (11, "counter64", "9007199254740993"), (12, "counter64", "4294967296"),
        (13, "string", "23.5"), (14, "string", "-0.25"), (15, "string", " 23.5 "), (16, "string", "23,5"), (17, "string", "1e3"),
        (18, "octet", "FF FE 00 41"), (19, "string", ""), (20, "string", "NaN"),
        (21, "objectid", ".1.3.6.1.4.1.318.1.1"), (22, "ipaddress", "10.20.30.40"), (23, "ipaddress", "255.255.255.255"),
    ]

    /// v3 users: one that works, and users only ever tried with a wrong key (net-snmp keeps one
    /// USM user list per process, keyed by engine and name).
    static let goodUser = "u-ref-ok"
    static let wrongPrivUser = "u-ref-wrongpriv"
    static let wrongPrivDESUser = "u-ref-wrongpriv-des"
    static let wrongProtocolUser = "u-ref-des"
    static let wrongAuthUser = "u-ref-wrongauth"
    static let unknownUser = "u-ref-nobody"

    let peer: SNMPPeerProcess
    var port: UInt16 { peer.port }

    private init() throws {
        let dir = try makeTempDir("snmpd-ref")
        let state = dir.appendingPathComponent("state.json")
        var object: [String: [String]] = [:]
        for (n, kind, value) in Self.values { object["\(Self.root).\(n).0"] = [kind, value] }
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: state)
        let script = SNMPTestPaths.peers.appendingPathComponent("rpdu2_pass_persist.py").path
        let conf = """
            rocommunity \(Self.community) 127.0.0.1
            createUser \(Self.goodUser) SHA-256 \(Self.authKey) AES \(Self.privKey)
            rouser \(Self.goodUser) priv
            createUser \(Self.wrongPrivUser) SHA-256 \(Self.authKey) AES \(Self.privKey)
            rouser \(Self.wrongPrivUser) priv
            createUser \(Self.wrongPrivDESUser) SHA \(Self.authKey) DES \(Self.privKey)
            rouser \(Self.wrongPrivDESUser) priv
            createUser \(Self.wrongProtocolUser) SHA \(Self.authKey) DES \(Self.privKey)
            rouser \(Self.wrongProtocolUser) priv
            createUser \(Self.wrongAuthUser) SHA-256 \(Self.authKey) AES \(Self.privKey)
            rouser \(Self.wrongAuthUser) priv
            pass_persist .\(Self.root) /usr/bin/python3 \(script) \(state.path)

            """
        let confURL = dir.appendingPathComponent("snmpd.conf")
        try Data(conf.utf8).write(to: confURL)
        let persist = dir.appendingPathComponent("persist")
        try FileManager.default.createDirectory(at: persist, withIntermediateDirectories: true)
        let port = try freeUDPPort()
        peer = try SNMPPeerProcess(
            "/usr/sbin/snmpd", ["-f", "-Lo", "-C", "-c", confURL.path, "udp:127.0.0.1:\(port)"],
            environment: ["MIBS": "", "SNMP_PERSISTENT_DIR": persist.path], log: dir.appendingPathComponent("snmpd.log"), port: port)
        try peer.waitReady(auth: ["-v2c", "-c", Self.community], oid: "\(Self.root).1.0")
    }

    /// net-snmp's own `snmpget` of `oids` (`-On -Ox`: numeric OIDs, strings in hex), bounded in
    /// time; its output lines.
    func snmpget(_ oids: [String], auth: [String]) throws -> [String] {
        let run = try runBounded(
            "/usr/bin/snmpget", auth + ["-On", "-Ox", "-t", "2", "-r", "1", "127.0.0.1:\(port)"] + oids, timeout: .seconds(20))
        guard run.status == 0 else { throw PeerError(text: "snmpget failed (\(String(describing: run.status))): \(run.log)") }
        return run.log.split(separator: "\n").map(String.init)
    }
}

/// Parses one line of `snmpget -On -Ox` into the value net-snmp's tools decoded.
enum NetSNMPRendering {
    static func parse(_ line: String) -> (oid: String, value: SNMPValue)? {
        guard let eq = line.range(of: " = ") else { return nil }
        let oid = String(line[..<eq.lowerBound])
        let rest = String(line[eq.upperBound...])
        if rest.hasPrefix("No Such Object") { return (oid, .noSuchObject) }
        if rest.hasPrefix("No Such Instance") { return (oid, .noSuchInstance) }
        if rest.hasPrefix("No more variables") { return (oid, .endOfMibView) }
        if rest == "\"\"" { return (oid, .octets([])) }
        guard let colon = rest.range(of: ": ") else { return nil }
        let type = String(rest[..<colon.lowerBound])
        let text = String(rest[colon.upperBound...]).trimmingCharacters(in: .whitespaces)
        let value: SNMPValue?
        switch type {
        case "INTEGER": value = Int64(text).map { .integer($0) }
        case "Counter32": value = UInt32(text).map { .counter32($0) }
        case "Gauge32": value = UInt32(text).map { .unsigned($0) }
        case "Timeticks":  // "(4294967295) 497 days, 2:27:52.95"
            value = text.split(separator: ")").first.flatMap { UInt32($0.dropFirst()) }.map { .timeticks($0) }
        case "Counter64": value = UInt64(text).map { .counter64($0) }
        case "Hex-STRING":
            value = .octets(text.split(separator: " ").compactMap { UInt8($0, radix: 16) })
        case "STRING": value = .octets(Array(text.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).utf8))
        case "OID": value = SNMPOID(text).map { .oid($0) }
        case "IpAddress": value = .ipAddress(text.split(separator: ".").compactMap { UInt8($0) })
        default: value = nil
        }
        return value.map { (oid, $0) }
    }
}

@Suite("SNMP values: our reader against net-snmp's own snmpget, from a real snmpd", .serialized, .timeLimit(.minutes(2)))
struct SNMPAgentReferenceTests {
    static var allOIDs: [String] {
        SNMPReferenceAgent.values.map { "\(SNMPReferenceAgent.root).\($0.0).0" } + [
            "1.3.6.1.4.1.99998.1.0",  // no such object: nothing is registered there
            "1.3.6.1.2.1.1.3.1",  // no such instance: sysUpTime is a scalar (.0 only)
            "\(SNMPReferenceAgent.root).99.0",  // inside the pass_persist subtree, not served
        ]
    }

    static func client(_ version: SNMPVersion, timeout: Double = 2) throws -> SNMPClient {
        let agent = try SNMPReferenceAgent.shared.get()
        return SNMPClient(target: SNMPTarget(host: "127.0.0.1", port: agent.port, version: version, timeout: timeout, retries: 1), logger: quietLogger)
    }

    static let v3Good = SNMPVersion.v3(
        .init(
            user: SNMPReferenceAgent.goodUser, level: .authPriv, authProtocol: .sha256, authKey: Secret(SNMPReferenceAgent.authKey),
            privProtocol: .aes128, privKey: Secret(SNMPReferenceAgent.privKey)))

    @Test("every SMI type at its edges, v2c and v3 authPriv: each varbind equals what snmpget decoded from the same agent")
    func valuesMatchNetSNMP() async throws {
        let agent = try SNMPReferenceAgent.shared.get()
        let lines = try agent.snmpget(Self.allOIDs, auth: ["-v2c", "-c", SNMPReferenceAgent.community])
        var reference: [String: SNMPValue] = [:]
        for line in lines {
            guard let (oid, value) = NetSNMPRendering.parse(line) else {
                Issue.record("cannot parse snmpget's line: \(line)")
                continue
            }
            reference[oid.hasPrefix(".") ? String(oid.dropFirst()) : oid] = value
        }
        #expect(reference.count == Self.allOIDs.count, "snmpget said:\n\(lines.joined(separator: "\n"))")
        // The reference itself is what the table meant (so that a parser slip here cannot agree with one there).
        #expect(reference["\(SNMPReferenceAgent.root).1.0"] == .integer(-2_147_483_648))
        #expect(reference["\(SNMPReferenceAgent.root).10.0"] == .counter64(UInt64.max))
        #expect(reference["\(SNMPReferenceAgent.root).11.0"] == .counter64(9_007_199_254_740_993))
        #expect(reference["\(SNMPReferenceAgent.root).18.0"] == .octets([0xFF, 0xFE, 0x00, 0x41]))
        #expect(reference["1.3.6.1.2.1.1.3.1"] == .noSuchInstance)
        #expect(reference["1.3.6.1.4.1.99998.1.0"] == .noSuchObject)

        let oids = try Self.allOIDs.map { try #require(SNMPOID($0)) }
        for version in [SNMPVersion.v2c(community: Secret(SNMPReferenceAgent.community)), Self.v3Good] {
            let got = try await Self.client(version).get(oids)
            #expect(got.count == oids.count)
            for (oid, vb) in zip(oids, got) {
                #expect(vb.oid == oid)
                #expect(vb.result == reference[oid.description].map { .success($0) }, "\(version) \(oid): ours \(vb), snmpget's \(String(describing: reference[oid.description]))")
            }
        }
    }

    /// A scalar point per numeric and text OID, read through the device reader.
    static let profileYAML: String = {
        var y = "name: edge-values\nsnmp:\n  points:\n"
        for (n, kind, _) in SNMPReferenceAgent.values where kind != "objectid" && kind != "ipaddress" {
            let text = kind == "string" || kind == "octet"
            y += "    - {name: v\(n), oid: \(SNMPReferenceAgent.root).\(n).0, quantity: temperature, unit: degC\(text ? ", encoding: decimal_text" : "")}\n"
        }
        y += "    - {name: oid, oid: \(SNMPReferenceAgent.root).21.0, quantity: temperature, unit: degC}\n"
        y += "    - {name: ip, oid: \(SNMPReferenceAgent.root).22.0, quantity: temperature, unit: degC}\n"
        y += "    - {name: missing, oid: 1.3.6.1.4.1.99998.1.0, quantity: temperature, unit: degC}\n"
        y += "    - {name: noinstance, oid: 1.3.6.1.2.1.1.3.1, quantity: temperature, unit: degC}\n"
        return y
    }()

    @Test("engineering values and bad reasons of the same edges through the device reader")
    func engineeringValues() async throws {
        let agent = try SNMPReferenceAgent.shared.get()
        let profile = try #require(try ProfileFiles.decode(Self.profileYAML).snmp)
        let reader = try SNMPDeviceReader(
            device: "DC-R09-REF1",
            target: SNMPTarget(host: "127.0.0.1", port: agent.port, version: .v2c(community: Secret(SNMPReferenceAgent.community)), timeout: 2, retries: 1),
            profile: profile, logger: quietLogger)
        let rows = Dictionary(uniqueKeysWithValues: try await reader.inspect(now: .now).map { ($0.point.name, $0) })
        let values: [String: Double] = [
            "v1": -2_147_483_648, "v2": 2_147_483_647, "v3": 0, "v4": 4_294_967_295, "v5": 0, "v6": 4_294_967_295, "v7": 0,
            "v8": 4_294_967_295, "v9": 0, "v10": 18_446_744_073_709_551_615, "v12": 4_294_967_296,
            "v13": 23.5, "v14": -0.25, "v15": 23.5,
            // 2^53 + 1 has no Double: the reading is the nearest one, 2^53 (values are Doubles, DESIGN decision 2).
            "v11": 9_007_199_254_740_992,
        ]
        for (name, v) in values {
            #expect(rows[name]?.value == v && rows[name]?.quality == .good, "\(name): \(String(describing: rows[name]))")
        }
        let faults: [String: SNMPValueFault] = [
            "v16": .notANumber, "v17": .notANumber, "v18": .notANumber, "v19": .notANumber, "v20": .notANumber,
            "oid": .wrongType, "ip": .wrongType, "missing": .noSuchObject, "noinstance": .noSuchInstance,
        ]
        for (name, f) in faults {
            #expect(rows[name]?.fault == f, "\(name): \(String(describing: rows[name]))")
            #expect(rows[name]?.quality.reason?.hasPrefix("\(f): ") == true, "\(name): \(String(describing: rows[name]?.quality))")
        }
        #expect(rows["ip"]?.quality == .bad(reason: "wrongType: IpAddress 10.20.30.40 for point ip"))
        #expect(rows["missing"]?.quality == .bad(reason: "noSuchObject: noSuchObject noSuchObject for point missing"))
        #expect(rows.count == values.count + faults.count)
    }
}

@Suite("SNMPv3 failures against a real snmpd: what an operator is told", .serialized, .timeLimit(.minutes(2)))
struct SNMPv3FailureTests {
    static func reader(_ cred: SNMPv3Credentials, timeout: Double = 0.5) throws -> SNMPDeviceReader {
        let agent = try SNMPReferenceAgent.shared.get()
        let profile = try #require(
            try ProfileFiles.decode(
                "name: uptime\nsnmp:\n  points:\n    - {name: v3, oid: \(SNMPReferenceAgent.root).3.0, quantity: temperature, unit: degC}\n"
            ).snmp)
        return try SNMPDeviceReader(
            device: "DC-R09-V3",
            target: SNMPTarget(host: "127.0.0.1", port: agent.port, version: .v3(cred), timeout: timeout, retries: 1),
            profile: profile, logger: quietLogger)
    }

    static func cred(
        _ user: String, auth: SNMPAuthProtocol = .sha256, authKey: String = SNMPReferenceAgent.authKey, priv: SNMPPrivProtocol = .aes128,
        privKey: String = SNMPReferenceAgent.privKey
    ) -> SNMPv3Credentials {
        .init(user: user, level: .authPriv, authProtocol: auth, authKey: Secret(authKey), privProtocol: priv, privKey: Secret(privKey))
    }

    static func failure(_ cred: SNMPv3Credentials) async throws -> SNMPError {
        let r = try reader(cred)
        do {
            _ = try await r.readOnce(now: .now)
        } catch let e as SNMPError {
            print("SNMPv3 \(cred): \(e)")
            return e
        }
        throw PeerError(text: "\(cred) read the agent")
    }

    static func target(_ cred: SNMPv3Credentials) throws -> String {
        let agent = try SNMPReferenceAgent.shared.get()
        return "udp:127.0.0.1:\(agent.port) v3 \(cred) timeout 0.5 s × 2"
    }

    @Test("the right keys read the value (the agent and users are set up as the failures assume)")
    func control() async throws {
        let readings = try await Self.reader(Self.cred(SNMPReferenceAgent.goodUser)).readOnce(now: Timestamp(seconds: 1_800_000_000))
        #expect(readings.map(\.value) == [0] && readings.map(\.quality) == [.good])
    }

    @Test("wrong privacy key (AES and DES): the agent drops what it cannot decrypt; we say so, not just 'no reply'")
    func wrongPrivacyKey() async throws {
        for cred in [
            Self.cred(SNMPReferenceAgent.wrongPrivUser, privKey: "not-the-priv-key"),
            Self.cred(SNMPReferenceAgent.wrongPrivDESUser, auth: .sha, priv: .des, privKey: "not-the-priv-key"),
        ] {
            let e = try await Self.failure(cred)
            #expect(e.code == .timeout)
            #expect(
                e.description
                    == "SNMP timeout (\(try Self.target(cred))): no reply after 2 attempt(s) of 0.5 s, though the agent answered "
                    + "SNMPv3 engine discovery: an agent drops requests it cannot decrypt, so check the privacy key and protocol")
        }
    }

    @Test("unknown user: an authentication error naming it")
    func unknownUser() async throws {
        let cred = Self.cred(SNMPReferenceAgent.unknownUser)
        let e = try await Self.failure(cred)
        #expect(e.code == .authentication)
        #expect(e.description == "SNMP authentication (\(try Self.target(cred))): Unknown user name")
    }

    @Test("nothing answers on the port (v3): a timeout")
    func deadPort() async throws {
        let port = try freeUDPPort()
        let cred = Self.cred(SNMPReferenceAgent.goodUser)
        let profile = try #require(
            try ProfileFiles.decode("name: x\nsnmp:\n  points:\n    - {name: v, oid: 1.3.6.1.2.1.1.3.0, quantity: temperature, unit: degC}\n").snmp)
        let r = try SNMPDeviceReader(
            device: "DC-R09-V3", target: SNMPTarget(host: "127.0.0.1", port: port, version: .v3(cred), timeout: 0.5, retries: 1),
            profile: profile, logger: quietLogger)
        do {
            _ = try await r.readOnce(now: .now)
            Issue.record("read a port where nothing listens")
        } catch let e as SNMPError {
            print("SNMPv3 dead port: \(e)")
            #expect(e.code == .timeout)
            #expect(e.description == "SNMP timeout (udp:127.0.0.1:\(port) v3 \(cred) timeout 0.5 s × 2): no reply after 2 attempt(s) of 0.5 s")
        }
    }

    @Test("wrong privacy protocol (AES for a DES user): a decryption error, or the same hint as a wrong key")
    func wrongPrivacyProtocol() async throws {
        // A DES agent reports a decryption error when the AES ciphertext is not a whole number of
        // DES blocks, and otherwise drops what it decrypted into garbage (as for a wrong key):
        // which one depends on the request's length. Either way the operator is told what to check.
        let cred = Self.cred(SNMPReferenceAgent.wrongProtocolUser, auth: .sha, priv: .aes128)
        let e = try await Self.failure(cred)
        let target = try Self.target(cred)
        #expect(
            e.description == "SNMP authentication (\(target)): Decryption error: check the privacy key and protocol"
                || e.description
                    == "SNMP timeout (\(target)): no reply after 2 attempt(s) of 0.5 s, though the agent answered "
                    + "SNMPv3 engine discovery: an agent drops requests it cannot decrypt, so check the privacy key and protocol",
            "\(e)")
    }

    @Test("wrong authentication key: an authentication error")
    func wrongAuthKey() async throws {
        let cred = Self.cred(SNMPReferenceAgent.wrongAuthUser, authKey: "not-the-auth-key")
        let e = try await Self.failure(cred)
        #expect(e.code == .authentication)
        #expect(e.description == "SNMP authentication (\(try Self.target(cred))): Authentication failure (incorrect password, community or key)")
    }
}
