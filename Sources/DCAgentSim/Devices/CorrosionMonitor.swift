import Foundation

/// `generic-corrosion-monitor`: input registers, `base: 0`; 0–1 copper and 2–3 silver cumulative
/// film thickness Å (float32 ABCD), 4 status (bit0 copper spent, bit1 silver spent),
/// 5 temperature int16 ×0.1 °C, 6 RH uint16 ×0.1 %. Films grow at G1 rates
/// (copper ~100–250 Å/30 d, silver ~60–150 Å/30 d), sped up by `--time-scale`.
final class CorrosionMonitor: SimulatedDevice {
    static let copper = RegisterField(VendorAddress.base0(.input, 0), .float32)
    static let silver = RegisterField(VendorAddress.base0(.input, 2), .float32)
    static let status = RegisterField(VendorAddress.base0(.input, 4), .uint16)
    static let temperature = RegisterField(VendorAddress.base0(.input, 5), .int16, scale: 0.1)
    static let humidity = RegisterField(VendorAddress.base0(.input, 6), .uint16, scale: 0.1)
    static let layout = ModbusLayout.covering([copper, silver, status, temperature, humidity])
    /// A sensing element is spent at this thickness (STANDARDS.md).
    static let spentAt = 4000.0
    static let secondsPer30Days = 30.0 * 86400

    let sensor: SimSensor
    private var rng: SimRandom
    private var probe: ClimateSensor
    private var climate = Climate(temperature: 0, relativeHumidity: 0)
    private(set) var copperAngstrom: Double
    private(set) var silverAngstrom: Double
    private let copperRate: Double
    private let silverRate: Double

    init(sensor: SimSensor, seed: UInt64) {
        self.sensor = sensor
        var g = SimRandom(seed: seed, stream: "corrosion:" + sensor.id)
        copperAngstrom = g.uniform(300...1500)
        silverAngstrom = g.uniform(100...800)
        copperRate = g.uniform(100...250)
        silverRate = g.uniform(60...150)
        rng = g
        probe = ClimateSensor(seed: seed, id: sensor.id)
    }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        climate = probe.read(air, effects: effects)
        // Growth comes in small irregular steps, never backwards.
        let fraction = tick.slowDt / Self.secondsPer30Days
        copperAngstrom = min(Self.spentAt, copperAngstrom + copperRate * fraction * max(0, 1 + 0.3 * rng.gaussian()))
        silverAngstrom = min(Self.spentAt, silverAngstrom + silverRate * fraction * max(0, 1 + 0.3 * rng.gaussian()))
    }

    func output() -> DeviceOutput {
        var image = ModbusImage(layout: Self.layout)
        image.put(copperAngstrom, at: Self.copper)
        image.put(silverAngstrom, at: Self.silver)
        let spent = (copperAngstrom >= Self.spentAt ? 1 : 0) | (silverAngstrom >= Self.spentAt ? 2 : 0)
        image.put(Double(spent), at: Self.status)
        image.put(climate.temperature, at: Self.temperature)
        image.put(climate.relativeHumidity, at: Self.humidity)
        return .modbus(image)
    }

    func summary() -> [SummaryValue] {
        [
            SummaryValue(name: "copper_thickness", value: copperAngstrom, unit: "Å"),
            SummaryValue(name: "silver_thickness", value: silverAngstrom, unit: "Å"),
        ] + climate.summary.prefix(2)
    }
}
