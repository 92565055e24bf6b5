/// How a device that is one T/RH probe and nothing else (`generic-th-probe`,
/// `akcp-sensorprobe`) writes its reading on the wire.
protocol ProbeEncoding {
    /// What the device serves for a reading; nil while the probe is unplugged.
    static func output(_ climate: Climate?) -> DeviceOutput
    /// The headline values of a reading (default: temperature, RH and dew point).
    static func summary(_ climate: Climate) -> [SummaryValue]
}

extension ProbeEncoding {
    static func summary(_ climate: Climate) -> [SummaryValue] { climate.summary }
}

/// A device that is one T/RH probe: the probe's physics (and its unplugging) once, the wire
/// format from `Encoding`.
final class ProbeDevice<Encoding: ProbeEncoding>: SimulatedDevice {
    let sensor: SimSensor
    private var probe: ClimateSensor
    private var climate = Climate(temperature: 0, relativeHumidity: 0)
    private var absent = false

    init(sensor: SimSensor, seed: UInt64) {
        self.sensor = sensor
        probe = ClimateSensor(seed: seed, id: sensor.id)
    }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        climate = probe.read(air, effects: effects)
        absent = effects.probeAbsent
    }

    func output() -> DeviceOutput { Encoding.output(absent ? nil : climate) }

    func summary() -> [SummaryValue] {
        absent ? [SummaryValue(name: "probe_absent", value: 1, unit: "state")] : Encoding.summary(climate)
    }
}
