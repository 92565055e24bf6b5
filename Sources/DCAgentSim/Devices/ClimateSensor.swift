/// One temperature / humidity reading: dry bulb, RH and dew point (by Magnus from the first two).
struct Climate: Sendable, Equatable {
    var temperature: Double
    var relativeHumidity: Double
    var dewPoint: Double { Psychrometrics.dewPoint(temperature: temperature, relativeHumidity: relativeHumidity) }

    /// The summary rows of a climate reading.
    var summary: [SummaryValue] {
        [
            SummaryValue(name: "temperature", value: temperature, unit: "°C"),
            SummaryValue(name: "relative_humidity", value: relativeHumidity, unit: "%"),
            SummaryValue(name: "dew_point", value: dewPoint, unit: "°C"),
        ]
    }
}

/// The measuring element shared by every device with a T/RH probe: its calibration
/// offsets and noise, and the effect of a hot spot (same moisture, hotter air, lower RH).
struct ClimateSensor: Sendable {
    private var rng: SimRandom
    private let t: SensorError
    private let rh: SensorError

    /// A probe whose small, fixed errors are drawn from `seed` and its sensor id.
    init(seed: UInt64, id: String) {
        rng = SimRandom(seed: seed, stream: "climate:" + id)
        t = SensorError(offset: rng.uniform(-0.15...0.15), noise: 0.04)
        rh = SensorError(offset: rng.uniform(-1.0...1.0), noise: 0.25)
    }

    /// Reads the air, shifted by a hot spot's `temperatureOffset`.
    mutating func read(_ air: Air, effects: DeviceEffects) -> Climate {
        var hot = air
        hot.temperature += effects.temperatureOffset
        let temperature = t.read(hot.temperature, &rng)
        let humidity = min(100, max(0, rh.read(hot.relativeHumidity, &rng)))
        return Climate(temperature: temperature, relativeHumidity: humidity)
    }
}
