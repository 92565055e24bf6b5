import ArgumentParser
import DCAgentServer
import Foundation
import Logging
import SensorDrivers
import Telemetry
import Yams

/// Where profiles come from for the commissioning commands: `--profiles DIR`; else the
/// `profiles.directory` of the config (`--config`, shared with every command) when that file
/// exists; else, with no config at the default path, the profiles shipped with DCAgent — so
/// `dcagent profiles list` works on a machine that has no config yet.
struct ProfilesOption: ParsableArguments {
    @Option(help: "Profiles directory (default: profiles.directory of --config, else the shipped profiles).") var profiles: String?
    @OptionGroup var config: ConfigOption

    func catalog() throws -> ProfileCatalog {
        switch SensorWiring.loadCatalog(directory: try directory()) {
        case .success(let c): return c
        case .failure(let e):
            printErr(e.description)
            throw ExitCode(2)
        }
    }

    func directory() throws -> String {
        if let profiles { return profiles }
        // A config named on the command line must load; only the default one may be absent.
        if config.config != ConfigOption.defaultPath || FileManager.default.fileExists(atPath: config.config) {
            return try config.plan().profilesDirectory
        }
        guard let shipped = ShippedFiles.profilesDirectory() else {
            throw ValidationError("no config at \(config.config) and no shipped profiles found: pass --profiles DIR or --config FILE")
        }
        return shipped
    }
}

/// `dcagent profiles list|show`.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles", abstract: "List and show device profiles.", subcommands: [List.self, Show.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the profiles with their protocol and point count.")
        @OptionGroup var source: ProfilesOption

        func run() throws {
            let catalog = try source.catalog()
            for name in catalog.profiles.keys.sorted() {
                let p = catalog.profiles[name]!
                let proto = [p.modbus != nil ? "modbus" : nil, p.snmp != nil ? "snmp" : nil].compactMap { $0 }.joined(separator: "+")
                let count = (p.modbus?.points.count ?? 0) + (p.snmp?.points.count ?? 0) + (p.snmp?.tables.count ?? 0)
                print("\(name)\t\(proto)\t\(count) point\(count == 1 ? "" : "s")\(p.snmp?.tables.isEmpty == false ? " or tables" : "")\t\(p.description ?? "")")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one profile as YAML, and its Modbus request plan.")
        @OptionGroup var source: ProfilesOption
        @Argument(help: "Profile name.") var name: String

        func run() throws {
            let catalog = try source.catalog()
            let p: DeviceProfile
            do { p = try catalog.profile(named: name, forSensor: "profiles show") } catch {
                printErr("dcagent: \(error)")
                throw ExitCode(1)
            }
            print(try YAMLEncoder().encode(p))
            if p.modbus != nil, let plan = try? ModbusDevicePlan.compile(profile: p, device: "PROBE", unit: 1) {
                print("# plan: \(plan.summary)")
            }
        }
    }
}

/// `dcagent probe modbus|snmp`: poll a device once and print every point with raw and
/// engineering value, unit and quality (commissioning).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Poll one device once and print each point.", subcommands: [Modbus.self, SNMP.self])

    struct Modbus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a Modbus device: tcp://HOST:PORT or rtu:///dev/ttyX?baud=19200&parity=E.")
        @OptionGroup var source: ProfilesOption
        @Argument(help: "tcp://HOST:PORT or rtu:///dev/ttyX?baud=…&parity=N|E|O&data=8&stop=1") var endpoint: String
        @Option(help: "Modbus unit id.") var unit: Int = 1
        @Option(help: "Profile name.") var profile: String
        @Option(help: "Response timeout (e.g. 2s).") var timeout: String = "2s"

        func run() async throws {
            guard ConfigValidator.parseEndpoint(endpoint).map({ if case .snmp = $0 { false } else { true } }) == true else {
                throw ValidationError("'\(endpoint)' is not a Modbus endpoint (tcp://HOST:PORT or rtu:///dev/ttyX?baud=…)")
            }
            guard let t = DurationText.parse(timeout) else { throw ValidationError("'\(timeout)' is not a duration") }
            let catalog = try source.catalog()
            let logger = Logger(label: "probe", factory: { _ in StreamLogHandler.standardError(label: "probe") })
            let reader = try await ModbusDeviceReader.make(
                ModbusSensorConfig(id: "PROBE", profile: profile, endpoint: endpoint, unit: unit, interval: .seconds(1)),
                catalog: catalog, pool: ModbusBusPool(timeouts: ModbusTimeouts(response: t, byte: t)), logger: logger)
            print("# \(reader.plan.summary) at \(endpoint) (profile \(profile))")
            do {
                for row in try await reader.inspect(now: Timestamp.now) { print(row) }
            } catch {
                printErr("dcagent: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct SNMP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read an SNMP agent: udp://HOST:PORT.")
        @OptionGroup var source: ProfilesOption
        @Argument(help: "udp://HOST:PORT") var endpoint: String
        @Option(help: "Profile name.") var profile: String
        @Option(name: .customLong("snmp-version"), help: "1, 2c or 3.") var version: String = "2c"
        @Option(help: "v1/v2c community (visible in the process list; prefer --community-file).") var community: String?
        @Option(name: .customLong("community-file"), help: "File holding the community.") var communityFile: String?
        @Option(help: "v3 user.") var user: String?
        @Option(name: .customLong("security-level"), help: "noAuthNoPriv, authNoPriv or authPriv.") var level: String = "authPriv"
        @Option(name: .customLong("auth-protocol"), help: "MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512.") var authProtocol: String = "SHA"
        @Option(name: .customLong("auth-key-file"), help: "File holding the v3 auth pass phrase.") var authKeyFile: String?
        @Option(name: .customLong("priv-protocol"), help: "DES, AES, AES-192, AES-256.") var privProtocol: String = "AES"
        @Option(name: .customLong("priv-key-file"), help: "File holding the v3 privacy pass phrase.") var privKeyFile: String?
        @Option(help: "Timeout per try (e.g. 2s).") var timeout: String = "2s"

        func readSecret(_ path: String?) throws -> Secret? {
            guard let path else { return nil }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
            return Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        func run() async throws {
            guard case .snmp(let host, let port)? = ConfigValidator.parseEndpoint(endpoint) else {
                throw ValidationError("'\(endpoint)' is not an SNMP endpoint (udp://HOST:PORT)")
            }
            guard let t = DurationText.parse(timeout) else { throw ValidationError("'\(timeout)' is not a duration") }
            let snmpVersion: SNMPVersion
            switch version {
            case "1", "2c":
                let c = try readSecret(communityFile) ?? community.map { Secret($0) } ?? Secret("public")
                snmpVersion = version == "1" ? .v1(community: c) : .v2c(community: c)
            case "3":
                guard let user else { throw ValidationError("SNMPv3 needs --user") }
                guard let lvl = SNMPSecurityLevel(rawValue: level) else { throw ValidationError("unknown security level '\(level)'") }
                guard let ap = SNMPAuthProtocol(rawValue: authProtocol) else { throw ValidationError("unknown auth protocol '\(authProtocol)'") }
                guard let pp = SNMPPrivProtocol(rawValue: privProtocol) else { throw ValidationError("unknown privacy protocol '\(privProtocol)'") }
                if lvl != .noAuthNoPriv && authKeyFile == nil { throw ValidationError("\(level) needs --auth-key-file") }
                if lvl == .authPriv && privKeyFile == nil { throw ValidationError("authPriv needs --priv-key-file") }
                snmpVersion = .v3(
                    SNMPv3Credentials(user: user, level: lvl, authProtocol: ap, authKey: try readSecret(authKeyFile), privProtocol: pp, privKey: try readSecret(privKeyFile)))
            default:
                throw ValidationError("--snmp-version must be 1, 2c or 3")
            }
            let catalog = try source.catalog()
            let p = try catalog.profile(named: profile, forSensor: "PROBE")
            guard let spec = p.snmp else { throw ValidationError("profile '\(profile)' has no SNMP points") }
            let logger = Logger(label: "probe", factory: { _ in StreamLogHandler.standardError(label: "probe") })
            let seconds = t.inSeconds
            let reader = try SNMPDeviceReader(
                device: "PROBE", target: SNMPTarget(host: host, port: UInt16(port), version: snmpVersion, timeout: seconds, retries: 1), profile: spec,
                logger: logger)
            do {
                for row in try await reader.inspect(now: Timestamp.now) { print(row) }
            } catch {
                printErr("dcagent: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
