import Foundation

/// Options of `dcagent-sim run`.
struct SimOptions: Sendable {
    /// Seconds between ticks.
    var tick = 1.0
    /// Speed-up of slow processes (corrosion growth): 1 is real time.
    var timeScale = 1.0
    /// Particle counters' sample period, seconds.
    var samplePeriod = 60.0
    /// Seed of every random stream.
    var seed: UInt64 = 1
    /// Path of snmpd.
    var snmpd = "/usr/sbin/snmpd"
    /// Path of this executable (snmpd runs it as the bridge).
    var bridge = ""
}

/// The running simulator: every device's physics, one libmodbus server per Modbus endpoint,
/// one snmpd per SNMP device, and a tick loop that applies injections and publishes values.
final class Simulator {
    /// Time constant of a hot spot's rise and fall, seconds (rack thermal inertia).
    static let hotSpotLag = 10.0

    private let config: SimConfig
    private let dir: StateDirectory
    private let options: SimOptions
    private let log: SimLog
    private let ambient: AmbientModel
    private let devices: [any SimulatedDevice]
    private let pduShare: [String: Double]
    private var lags: [String: Lag] = [:]
    private var servers: [ModbusTCPServer] = []
    private var tables: [Endpoint: ModbusUnitTable] = [:]
    private var snmpds: [String: SnmpdProcess] = [:]
    private var injections: [Injection] = []
    private var status: SimStatus

    init(config: SimConfig, dir: StateDirectory, options: SimOptions, log: SimLog) {
        self.config = config
        self.dir = dir
        self.options = options
        self.log = log
        ambient = AmbientModel(seed: options.seed, allocatedKW: config.rackAllocatedKW)
        devices = config.sensors.map { DeviceFactory.make($0, seed: options.seed, samplePeriod: options.samplePeriod) }
        var pdusPerRack: [String: Int] = [:]
        for s in config.sensors where s.profile.isPDU { pdusPerRack[s.rack ?? "", default: 0] += 1 }
        pduShare = pdusPerRack.mapValues { 1 / Double($0) }
        status = SimStatus(
            pid: getpid(), started: Date(), updated: Date(), running: true, tick: options.tick,
            sensors: config.sensors.map {
                .init(
                    id: $0.id, profile: $0.profile, endpoint: $0.endpoint.description, unit: $0.unit, rack: $0.rack,
                    frozen: false, offline: false, values: [])
            }, injections: [])
    }

    /// Starts everything, ticks until `stop` fires, then stops everything it started.
    func run(until stop: StopSignal) throws {
        defer { shutdown() }
        try FileManager.default.createDirectory(atPath: dir.snmpDir, withIntermediateDirectories: true)
        var last = Date()
        try tick(now: last, dt: options.tick, strict: true)
        try startServers()
        try startSnmpds()
        if !config.skipped.isEmpty {
            log(.warning, "not simulated (serial Modbus RTU): \(config.skipped.joined(separator: ", "))")
        }
        log(
            "simulating \(devices.count) sensors: \(servers.count) Modbus endpoint(s), \(snmpds.count) SNMP agent(s); state in \(dir.path)"
        )
        while !stop.wait(last.addingTimeInterval(options.tick).timeIntervalSinceNow) {
            let now = Date()
            try tick(now: now, dt: now.timeIntervalSince(last), strict: false)
            last = now
        }
        log("stopping")
    }

    // MARK: Tick

    /// One step of every device. A state file that cannot be written stops the start (`strict`);
    /// later it is logged once per distinct error and the simulation goes on.
    private func tick(now: Date, dt: Double, strict: Bool) throws {
        reloadInjections(now: now)
        let t = Tick(now: now, dt: dt, slowDt: dt * options.timeScale)
        ambient.step(now: now, dt: dt)
        for (i, device) in devices.enumerated() {
            let s = device.sensor
            let effect = InjectionEffect(injections, sensor: s, now: now)
            var effects = effect.effects
            var lag = lags[s.id] ?? Lag(tau: Self.hotSpotLag)
            effects.temperatureOffset = lag.step(toward: effects.temperatureOffset, dt)
            lags[s.id] = lag
            let load = ambient.itLoadKW(rack: s.rack) * (pduShare[s.rack ?? ""] ?? 1)
            device.step(t, air: ambient.air(rack: s.rack), itLoadKW: load, effects: effects)
            if !effect.frozen { try attempt(strict) { try publish(device) } }
            setOffline(s, effect.offline)
            status.sensors[i].frozen = effect.frozen
            status.sensors[i].offline = effect.offline
            if !effect.frozen { status.sensors[i].values = device.summary() }
        }
        status.updated = now
        status.injections = injections.filter { $0.isActive(at: now) }
        try attempt(strict) { try StateDirectory.write(status, to: dir.status) }
    }

    private var lastError: String?

    private func attempt(_ strict: Bool, _ body: () throws -> Void) throws {
        do { try body() } catch {
            if strict { throw error }
            let text = "\(error)"
            if text != lastError { log(.warning, text) }
            lastError = text
        }
    }

    private func publish(_ device: any SimulatedDevice) throws {
        let s = device.sensor
        switch device.output() {
        case .modbus(let image):
            if let unit = s.unit { tables[s.endpoint]?.publish(unit: UInt8(unit), image: image) }
        case .snmp(let table):
            try SNMPDeviceFile.write(table, device: s.id, in: dir)
        }
    }

    private func setOffline(_ s: SimSensor, _ offline: Bool) {
        if let unit = s.unit {
            tables[s.endpoint]?.setOffline(unit: UInt8(unit), offline)
        } else if let snmpd = snmpds[s.id] {
            snmpd.setPaused(offline)
        }
    }

    /// Reads the injections file and logs what appeared, ended or was cleared.
    private func reloadInjections(now: Date) {
        let loaded: [Injection]
        do { loaded = try InjectionStore(dir).load() } catch {
            log(.warning, "ignoring injections: \(error)")
            return
        }
        let before = injections.filter { $0.isActive(at: now) }
        let after = loaded.filter { $0.isActive(at: now) }
        for inj in after where !before.contains(inj) { log("injection started: \(inj.line)") }
        for inj in before where !after.contains(inj) {
            log("injection ended: \(inj.kind.rawValue) on \(inj.targetText)")
        }
        injections = loaded
    }

    // MARK: Servers

    private func startServers() throws {
        for (endpoint, sensors) in config.modbusEndpoints {
            var layouts: [UInt8: ModbusLayout] = [:]
            var images: [UInt8: ModbusImage] = [:]
            for s in sensors {
                guard let unit = s.unit, case .modbus(let image) = device(s.id).output() else { continue }
                layouts[UInt8(unit)] = image.layout
                images[UInt8(unit)] = image
            }
            let table = try ModbusUnitTable(layouts: layouts)
            for (unit, image) in images { table.publish(unit: unit, image: image) }
            let server = ModbusTCPServer(endpoint: endpoint, units: table)
            try server.start()
            tables[endpoint] = table
            servers.append(server)
            log(
                "modbus \(endpoint): units \(layouts.keys.sorted().map(String.init).joined(separator: ", ")) (\(sensors.map(\.id).joined(separator: ", ")))"
            )
        }
    }

    private func startSnmpds() throws {
        for s in config.snmpSensors {
            let p = try SnmpdProcess(sensor: s, dir: dir, snmpd: options.snmpd, bridge: options.bridge)
            try p.start()
            snmpds[s.id] = p
            log("snmp \(s.endpoint): \(s.id) (\(s.profile.rawValue)), snmpd pid \(p.pid)")
        }
    }

    private func device(_ id: String) -> any SimulatedDevice { devices.first { $0.sensor.id == id }! }

    private func shutdown() {
        for p in snmpds.values { p.stop() }
        snmpds = [:]
        for s in servers { s.stop() }
        servers = []
        status.running = false
        status.updated = Date()
        try? StateDirectory.write(status, to: dir.status)
    }
}
