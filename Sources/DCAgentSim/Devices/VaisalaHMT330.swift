/// `vaisala-hmt330`: holding registers, `base: 1`; float32 least-significant word first
/// (CDAB) at 0001 RH, 0003 T, 0007 Td; the manual's 16-bit signed copies ×0.01 at 0257 RH,
/// 0258 T, 0260 Td (served as the device does, though the profile reads the floats only);
/// status registers 0513 fault status (1 = no errors) and 0514 online status (1 = online data).
final class VaisalaHMT330: SimulatedDevice {
    static let humidityFloat = RegisterField(VendorAddress.base1(.holding, 1), .float32, order: .cdab)
    static let temperatureFloat = RegisterField(VendorAddress.base1(.holding, 3), .float32, order: .cdab)
    static let dewPointFloat = RegisterField(VendorAddress.base1(.holding, 7), .float32, order: .cdab)
    static let humidityInt = RegisterField(VendorAddress.base1(.holding, 257), .int16, scale: 0.01)
    static let temperatureInt = RegisterField(VendorAddress.base1(.holding, 258), .int16, scale: 0.01)
    static let dewPointInt = RegisterField(VendorAddress.base1(.holding, 260), .int16, scale: 0.01)
    static let faultStatus = RegisterField(VendorAddress.base1(.holding, 513), .uint16)
    static let onlineStatus = RegisterField(VendorAddress.base1(.holding, 514), .uint16)
    static let layout = ModbusLayout.covering([
        humidityFloat, temperatureFloat, dewPointFloat, humidityInt, temperatureInt, dewPointInt, faultStatus,
        onlineStatus,
    ])

    let sensor: SimSensor
    private var probe: ClimateSensor
    private var climate = Climate(temperature: 0, relativeHumidity: 0)

    init(sensor: SimSensor, seed: UInt64) {
        self.sensor = sensor
        probe = ClimateSensor(seed: seed, id: sensor.id)
    }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        climate = probe.read(air, effects: effects)
    }

    func output() -> DeviceOutput {
        var image = ModbusImage(layout: Self.layout)
        let td = climate.dewPoint
        image.put(climate.relativeHumidity, at: Self.humidityFloat)
        image.put(climate.temperature, at: Self.temperatureFloat)
        image.put(td, at: Self.dewPointFloat)
        image.put(climate.relativeHumidity, at: Self.humidityInt)
        image.put(climate.temperature, at: Self.temperatureInt)
        image.put(td, at: Self.dewPointInt)
        image.put(1, at: Self.faultStatus)  // 1 = no errors
        image.put(1, at: Self.onlineStatus)  // 1 = online data available
        return .modbus(image)
    }

    func summary() -> [SummaryValue] { climate.summary }
}
