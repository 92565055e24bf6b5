import Foundation
import Telemetry
import Yams

/// One simulated sensor, validated from the `sensors:` list of the demo config.
struct SimSensor: Sendable, Codable, Equatable {
    /// CI id of the sensor or device.
    let id: String
    /// The profile it impersonates.
    let profile: DeviceProfile
    /// Where it answers.
    let endpoint: Endpoint
    /// Modbus unit id (nil for SNMP).
    let unit: Int?
    /// The rack it sits in, if any (the target of `inject --rack`).
    let rack: String?
}

/// The part of the demo config the simulator reads: the `sensors:` list.
/// Other top-level keys belong to the daemon and are ignored here.
struct SimConfig: Sendable {
    /// Every sensor, in file order.
    let sensors: [SimSensor]
    /// Sensors the simulator cannot serve (Modbus RTU on a serial line), by id.
    var skipped: [String] = []

    /// The Modbus sensors grouped by TCP endpoint (one server per endpoint), in first-seen order.
    var modbusEndpoints: [(endpoint: Endpoint, sensors: [SimSensor])] {
        var order: [Endpoint] = []
        var groups: [Endpoint: [SimSensor]] = [:]
        for s in sensors where s.profile.transport == .modbusTCP {
            if groups[s.endpoint] == nil { order.append(s.endpoint) }
            groups[s.endpoint, default: []].append(s)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// The SNMP sensors (one snmpd each).
    var snmpSensors: [SimSensor] { sensors.filter { $0.profile.transport == .snmp } }

    /// The power allocated to the devices of each rack of the floor file the config imports on
    /// first start, kW: the simulated IT load of a rack follows it (real equipment draws a part
    /// of what it is allocated), so the demo's meters agree with its floor.
    var rackAllocatedKW: [String: Double] = [:]

    private struct RawFile: Decodable {
        let sensors: [RawSensor]?
        let floor: RawFloorRef?
    }
    private struct RawFloorRef: Decodable {
        let importOnFirstStart: String?
        enum CodingKeys: String, CodingKey { case importOnFirstStart = "import_on_first_start" }
    }
    /// The part of a floor file the simulator reads: each rack's devices' allocated power.
    private struct RawFloorFile: Decodable {
        struct Site: Decodable { let rooms: [Room]? }
        struct Room: Decodable { let racks: [Rack]? }
        struct Rack: Decodable {
            let id: String?
            let devices: [Device]?
        }
        struct Device: Decodable {
            let allocatedPowerW: Double?
            enum CodingKeys: String, CodingKey { case allocatedPowerW = "allocated_power_w" }
        }
        let sites: [Site]?
    }
    private struct RawSensor: Decodable {
        let id: String?
        let profile: String?
        let endpoint: String?
        let unit: Int?
        let rack: String?
    }

    /// Reads and validates `file`; errors name the file, the key path and the sensor.
    static func load(file: String) throws -> SimConfig {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw SimError.config(file: file, path: "-", "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: file)
    }

    /// Validates the YAML `text` as if read from `file`.
    static func parse(_ text: String, file: String) throws -> SimConfig {
        let raw: RawFile
        do { raw = try YAMLDecoder().decode(RawFile.self, from: text) } catch {
            throw SimError.config(file: file, path: "-", "not the expected YAML: \(error)")
        }
        guard let list = raw.sensors, !list.isEmpty else {
            throw SimError.config(file: file, path: "sensors", "missing or empty: nothing to simulate")
        }
        var sensors: [SimSensor] = []
        var seenIDs: Set<String> = []
        var seenUnits: [String: String] = [:]
        var skipped: [String] = []
        for (i, r) in list.enumerated() {
            let at = "sensors[\(i)]"
            guard let id = r.id, CIID.isValid(id) else {
                throw SimError.config(file: file, path: at + ".id", "missing or not a valid CI id: \(r.id ?? "nil")")
            }
            let who = "\(at).\(id)"
            guard seenIDs.insert(id).inserted else { throw SimError.config(file: file, path: who, "duplicate id") }
            guard let name = r.profile, let profile = DeviceProfile(rawValue: name) else {
                let known = DeviceProfile.allCases.map(\.rawValue).joined(separator: ", ")
                throw SimError.config(
                    file: file, path: who + ".profile", "unknown profile '\(r.profile ?? "nil")' (known: \(known))")
            }
            if let text = r.endpoint, text.hasPrefix("rtu://") {
                skipped.append(id)
                continue
            }
            guard let text = r.endpoint, let endpoint = Endpoint(text) else {
                throw SimError.config(
                    file: file, path: who + ".endpoint",
                    "'\(r.endpoint ?? "nil")' is not tcp://HOST:PORT or udp://HOST:PORT")
            }
            guard endpoint.scheme == profile.transport.rawValue else {
                throw SimError.config(
                    file: file, path: who + ".endpoint",
                    "profile \(name) needs a \(profile.transport.rawValue):// endpoint, got \(endpoint)")
            }
            var unit: Int? = nil
            if profile.transport == .modbusTCP {
                guard let u = r.unit, (1...247).contains(u) else {
                    throw SimError.config(file: file, path: who + ".unit", "a Modbus sensor needs a unit id 1–247")
                }
                let key = "\(endpoint)#\(u)"
                if let other = seenUnits[key] {
                    throw SimError.config(
                        file: file, path: who + ".unit", "unit \(u) on \(endpoint) is already \(other)")
                }
                seenUnits[key] = id
                unit = u
            } else {
                if let other = seenUnits[endpoint.description] {
                    throw SimError.config(
                        file: file, path: who + ".endpoint",
                        "\(endpoint) is already \(other) (one SNMP agent per endpoint)")
                }
                seenUnits[endpoint.description] = id
            }
            sensors.append(SimSensor(id: id, profile: profile, endpoint: endpoint, unit: unit, rack: r.rack))
        }
        guard !sensors.isEmpty else {
            throw SimError.config(file: file, path: "sensors", "no TCP or UDP sensor to simulate")
        }
        var config = SimConfig(sensors: sensors, skipped: skipped)
        if let floorFile = raw.floor?.importOnFirstStart {
            let path = floorFile.hasPrefix("/") ? floorFile : ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(floorFile)
            config.rackAllocatedKW = try allocations(path)
        }
        return config
    }

    /// Each rack's allocated power from a floor file, kW.
    static func allocations(_ path: String) throws -> [String: Double] {
        let floor: RawFloorFile
        do { floor = try YAMLDecoder().decode(RawFloorFile.self, from: try String(contentsOfFile: path, encoding: .utf8)) } catch {
            throw SimError.config(file: path, path: "-", "the floor file cannot be read: \(error)")
        }
        var out: [String: Double] = [:]
        for site in floor.sites ?? [] {
            for room in site.rooms ?? [] {
                for rack in room.racks ?? [] {
                    guard let id = rack.id else { continue }
                    out[id] = (rack.devices ?? []).compactMap(\.allocatedPowerW).reduce(0, +) / 1000
                }
            }
        }
        return out
    }
}
