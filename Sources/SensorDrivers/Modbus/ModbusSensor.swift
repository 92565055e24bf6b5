public import Logging
public import Telemetry

/// One Modbus sensor as the agent's config names it (`id`, `profile`, `endpoint`, `unit`, `interval`).
public struct ModbusSensorConfig: Hashable, Sendable {
    /// The CI id of the sensor.
    public var id: CIID
    /// The profile's name (`generic-th-probe`).
    public var profile: String
    /// `tcp://HOST:PORT` or `rtu:///dev/DEVICE?baud=…` (see ``ModbusEndpoint/init(parsing:)``).
    public var endpoint: String
    /// The Modbus unit id (1…247).
    public var unit: Int
    /// How often to poll it.
    public var interval: Duration
    /// The response timeout of its bus (nil: the pool's). Sensors sharing an endpoint share a
    /// bus: the first to ask for it sets the timeout, so give them all the same one.
    public var timeout: Duration?

    /// Creates a sensor entry.
    public init(id: CIID, profile: String, endpoint: String, unit: Int, interval: Duration, timeout: Duration? = nil) {
        self.id = id
        self.profile = profile
        self.endpoint = endpoint
        self.unit = unit
        self.interval = interval
        self.timeout = timeout
    }
}

extension ModbusDeviceReader {
    /// Validates and compiles one sensor (profile, endpoint, unit, points, plan) and makes its
    /// reader on the pool's bus for its endpoint. Errors name the sensor; call it for every sensor
    /// at start so that configuration problems surface before the first poll.
    public static func make(
        _ sensor: ModbusSensorConfig, catalog: ProfileCatalog, pool: ModbusBusPool, logger: Logger
    ) async throws(ProfileError) -> ModbusDeviceReader {
        let profile = try catalog.profile(named: sensor.profile, forSensor: sensor.id.rawValue)
        let endpoint: ModbusEndpoint
        do { endpoint = try ModbusEndpoint(parsing: sensor.endpoint) } catch { throw error.forSensor(sensor.id.rawValue) }
        let plan = try ModbusDevicePlan.compile(profile: profile, device: sensor.id, unit: sensor.unit)
        let timeouts = sensor.timeout.map { ModbusTimeouts(response: $0, byte: min($0, .milliseconds(500))) }
        return ModbusDeviceReader(plan: plan, bus: await pool.bus(for: endpoint, timeouts: timeouts), logger: logger)
    }
}
