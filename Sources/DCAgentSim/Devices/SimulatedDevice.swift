import Foundation

/// One tick of simulated time, as every device sees it.
struct Tick: Sendable {
    /// Wall-clock time of this tick.
    let now: Date
    /// Real seconds since the previous tick.
    let dt: Double
    /// Seconds of slow processes (corrosion growth) since the previous tick: `dt` × `--time-scale`.
    let slowDt: Double
}

/// What the active injections do to one device at this tick (already lagged where physics lags).
struct DeviceEffects: Sendable, Equatable {
    /// Added to the inlet temperature, °C (a hot spot).
    var temperatureOffset = 0.0
    /// Multiplies particle counts (a particle burst).
    var particleFactor = 1.0
    /// The PDU draws more than its rating.
    var overload = false
    /// The leak rope is wet.
    var leak = false
    /// The door contact is open.
    var doorOpen = false
    /// The T/H probe is unplugged (the device reports its "not present" sentinel).
    var probeAbsent = false
}

/// What a device serves on the wire.
enum DeviceOutput: Sendable, Equatable {
    case modbus(ModbusImage)
    case snmp(SNMPTable)
}

/// A few headline values for `status` and the log.
struct SummaryValue: Sendable, Codable, Equatable {
    let name: String
    let value: Double
    let unit: String
}

/// A simulated device: a physical state that advances each tick, and the one place
/// where that state becomes the profile's registers or OIDs.
protocol SimulatedDevice: AnyObject {
    /// The sensor this device answers for.
    var sensor: SimSensor { get }
    /// Advances the physical state by one tick.
    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects)
    /// What the device serves now.
    func output() -> DeviceOutput
    /// Headline values.
    func summary() -> [SummaryValue]
}

/// A sensor's own small error: a fixed calibration offset plus read noise.
struct SensorError: Sendable {
    let offset: Double
    let noise: Double

    /// A reading of `truth` through this sensor.
    func read(_ truth: Double, _ rng: inout SimRandom) -> Double { truth + offset + noise * rng.gaussian() }
}
