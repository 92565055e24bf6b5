/// `generic-th-probe`: input registers, `base: 0`; temperature int16 ×0.1 °C at 0,
/// RH uint16 ×0.1 % at 1, dew point int16 ×0.1 °C at 2; 0x8000 means "probe not fitted".
enum THProbe: ProbeEncoding {
    static let temperature = RegisterField(VendorAddress.base0(.input, 0), .int16, scale: 0.1)
    static let humidity = RegisterField(VendorAddress.base0(.input, 1), .uint16, scale: 0.1)
    static let dewPoint = RegisterField(VendorAddress.base0(.input, 2), .int16, scale: 0.1)
    /// The vendor's "not fitted" sentinel.
    static let notFitted: UInt16 = 0x8000
    static let layout = ModbusLayout.covering([temperature, humidity, dewPoint])

    static func output(_ climate: Climate?) -> DeviceOutput {
        var image = ModbusImage(layout: Self.layout)
        guard let climate else {
            for f in [Self.temperature, Self.humidity, Self.dewPoint] { image.putWords([Self.notFitted], at: f) }
            return .modbus(image)
        }
        image.put(climate.temperature, at: Self.temperature)
        image.put(climate.relativeHumidity, at: Self.humidity)
        image.put(climate.dewPoint, at: Self.dewPoint)
        return .modbus(image)
    }
}
