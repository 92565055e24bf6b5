package import Foundation
package import Logging
package import SensorDrivers
package import Telemetry
package import Yams

/// Turns the config's sensors into device readers for the polling service: profiles are read
/// from `profiles.directory` (unknown keys refused, like the config), each sensor's request plan
/// is compiled once, and secrets are resolved. Every problem names the sensor.
package enum SensorWiring {
    /// Reads every `*.yaml` of the profiles directory, or returns every problem found.
    package static func loadCatalog(directory: String) -> Result<ProfileCatalog, ConfigErrors> {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            return .failure(ConfigErrors(problems: [ConfigProblem(file: directory, path: "", reason: "the profiles directory cannot be read")]))
        }
        var profiles: [DeviceProfile] = []
        var problems: [ConfigProblem] = []
        for name in names.sorted() where name.hasSuffix(".yaml") {
            let file = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                problems.append(ConfigProblem(file: file, path: "", reason: "cannot be read"))
                continue
            }
            var context = DecodeContext(file: file)
            do {
                guard let node = try Yams.compose(yaml: text) else {
                    problems.append(ConfigProblem(file: file, path: "", reason: "the file is empty"))
                    continue
                }
                context.root = node
                if !context.refuseOversized(node), let profile = context.decode(DeviceProfile.self, node, [KeyPathElement]()) {
                    let expected = String(name.dropLast(5))
                    if profile.name != expected {
                        problems.append(context.problem(at: ["name"], "the profile is named '\(profile.name)' but its file is \(name); they must match"))
                    } else {
                        profiles.append(profile)
                    }
                }
            } catch {
                problems.append(context.yamlProblem(error))
            }
            problems += context.problems
        }
        return problems.isEmpty ? .success(ProfileCatalog(profiles)) : .failure(ConfigErrors(problems: problems))
    }

    /// Checks every sensor against its profile (plans compile, SNMP specs compile) without IO.
    package static func check(_ plan: ConfigPlan, catalog: ProfileCatalog) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for (i, s) in plan.sensors.enumerated() {
            let path = "sensors[\(i)]"
            do {
                let profile = try catalog.profile(named: s.profile, forSensor: s.id.rawValue)
                switch s.endpoint {
                case .modbusTCP, .modbusRTU:
                    guard profile.modbus != nil else {
                        problems.append(ConfigProblem(file: plan.file, path: path + ".profile", reason: "sensor \(s.id): profile '\(s.profile)' has no Modbus points"))
                        continue
                    }
                    _ = try ModbusDevicePlan.compile(profile: profile, device: s.id, unit: s.unit ?? 1)
                case .snmp:
                    guard let spec = profile.snmp else {
                        problems.append(ConfigProblem(file: plan.file, path: path + ".profile", reason: "sensor \(s.id): profile '\(s.profile)' has no SNMP points"))
                        continue
                    }
                    do { _ = try SNMPReadPlan.compile(spec, sensor: s.id) } catch {
                        // The problem is in the profile file, which the compiler's message does not name.
                        let file = (plan.profilesDirectory as NSString).appendingPathComponent("\(s.profile).yaml")
                        problems.append(ConfigProblem(file: plan.file, path: path + ".profile", reason: "profile \(s.profile) (\(file)): \(error)"))
                        continue
                    }
                }
            } catch {
                problems.append(ConfigProblem(file: plan.file, path: path, reason: "\(error)"))
            }
        }
        return problems
    }

    /// The points the sensors will report, known without IO: every Modbus point and every SNMP
    /// scalar (table rows are known only after a walk). Sensors whose plans fail are skipped
    /// (``check(_:catalog:)`` reports them).
    package static func plannedPoints(_ plan: ConfigPlan, catalog: ProfileCatalog) -> [PointDescriptor] {
        var out: [PointDescriptor] = []
        for s in plan.sensors {
            guard let profile = try? catalog.profile(named: s.profile, forSensor: s.id.rawValue) else { continue }
            switch s.endpoint {
            case .modbusTCP, .modbusRTU:
                if let p = try? ModbusDevicePlan.compile(profile: profile, device: s.id, unit: s.unit ?? 1) {
                    out += p.points.map(\.descriptor)
                }
            case .snmp:
                if let spec = profile.snmp, let p = try? SNMPReadPlan.compile(spec, sensor: s.id) { out += p.scalarPoints }
            }
        }
        return out
    }

    /// Builds one polled device per sensor, SNMP ones with the versions (and secrets) resolved
    /// by ``SensorSupervisor/fingerprint(_:environment:)``. Throws the problems (plans that do not
    /// compile) so the daemon refuses to start, naming each sensor.
    package static func devices(
        _ plan: ConfigPlan, catalog: ProfileCatalog, snmp versions: [CIID: SNMPVersion], pool: ModbusBusPool, logger: Logger
    ) async throws(ConfigErrors) -> [PolledDevice] {
        var out: [PolledDevice] = []
        var problems: [ConfigProblem] = []
        // Modbus sensors behind one endpoint share a bus, and so its response timeout: the
        // longest any of them asks for.
        let endpoints = plan.sensors.map { s -> ModbusEndpoint? in
            switch s.endpoint {
            case .modbusTCP, .modbusRTU: try? ModbusEndpoint(parsing: s.endpoint.description)
            case .snmp: nil
            }
        }
        var busTimeout: [ModbusEndpoint: Duration] = [:]
        for (s, e) in zip(plan.sensors, endpoints) {
            if let e { busTimeout[e] = max(busTimeout[e] ?? .zero, s.timeout) }
        }
        for (i, s) in plan.sensors.enumerated() {
            var log = logger
            log[metadataKey: "sensor.id"] = "\(s.id)"
            do {
                switch s.endpoint {
                case .modbusTCP, .modbusRTU:
                    let reader = try await ModbusDeviceReader.make(
                        ModbusSensorConfig(
                            id: s.id, profile: s.profile, endpoint: s.endpoint.description, unit: s.unit ?? 1, interval: s.interval,
                            timeout: endpoints[i].flatMap { busTimeout[$0] } ?? s.timeout),
                        catalog: catalog, pool: pool, logger: log)
                    out.append(PolledDevice(reader: reader, interval: s.interval))
                case .snmp(let host, let port):
                    let profile = try catalog.profile(named: s.profile, forSensor: s.id.rawValue)
                    guard let spec = profile.snmp else { throw ProfileErrorText("profile '\(s.profile)' has no SNMP points") }
                    guard let version = versions[s.id] else { throw ProfileErrorText("its SNMP credentials were not resolved") }
                    let target = SNMPTarget(
                        host: host, port: UInt16(port), version: version,
                        timeout: s.timeout.inSeconds, retries: 1)
                    let reader = try SNMPDeviceReader(device: s.id, target: target, profile: spec, logger: log)
                    log.info("planned", metadata: ["sensor.endpoint": "\(s.endpoint)", "snmp.version": "\(target.version)"])
                    out.append(PolledDevice(reader: reader, interval: s.interval))
                }
            } catch {
                problems.append(ConfigProblem(file: plan.file, path: "sensors[\(i)]", reason: "sensor \(s.id): \(error)"))
            }
        }
        if !problems.isEmpty { throw ConfigErrors(problems: problems) }
        return out
    }

    package static func snmpVersion(_ s: SensorPlan, environment: [String: String]) throws -> SNMPVersion {
        switch s.snmp {
        case .none:
            return .v2c(community: "public")
        case .community(let version, let community):
            let c = try community.resolve(environment)
            return version == "1" ? .v1(community: c) : .v2c(community: c)
        case .v3(let user, let level, let authProtocol, let authKey, let privProtocol, let privKey):
            return .v3(
                SNMPv3Credentials(
                    user: user, level: SNMPSecurityLevel(rawValue: level) ?? .authPriv,
                    authProtocol: authProtocol.flatMap(SNMPAuthProtocol.init(rawValue:)), authKey: try authKey?.resolve(environment),
                    privProtocol: privProtocol.flatMap(SNMPPrivProtocol.init(rawValue:)), privKey: try privKey?.resolve(environment)))
        }
    }
}

package struct ProfileErrorText: Error, CustomStringConvertible {
    package var description: String
    package init(_ d: String) { description = d }
}
