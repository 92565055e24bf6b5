/// `akcp-sensorprobe`: AKCP sensorProbe (1.3.6.1.4.1.3854.1.2.2.1), one temperature and one
/// humidity port: temperature …16.1.3.{i} °C (raw ×0.1 at …16.1.14.{i}), status …16.1.4.{i}
/// (2 normal, 3 highWarning, 4 highCritical), online …16.1.5.{i} (1 online, 2 offline),
/// humidity …17.1.3.{i} %, status …17.1.4.{i}, online …17.1.5.{i}. An empty port reads as a
/// real sensorProbe8's does: value 0, status 0, offline(2).
enum AKCPSensorProbe: ProbeEncoding {
    static let subtree = OID([1, 3, 6, 1, 4, 1, 3854, 1, 2, 2, 1])
    static let temperatureEntry = subtree.appending(16, 1)
    static let humidityEntry = subtree.appending(17, 1)
    /// Probe index (`{i}` in STANDARDS.md): the first port.
    static let port: UInt32 = 1
    /// Warning and critical thresholds, °C (the device's defaults in this simulator).
    static let highWarning = 27.0
    static let highCritical = 32.0

    static func output(_ climate: Climate?) -> DeviceOutput {
        // An unplugged port reads 0 with status 0 and offline(2), as a real sensorProbe8's empty port.
        let absent = climate == nil
        let t = climate?.temperature ?? 0
        let rh = climate?.relativeHumidity ?? 0
        let status = absent ? 0 : t >= Self.highCritical ? 4 : t >= Self.highWarning ? 3 : 2
        let online = absent ? 2 : 1
        let i = Self.port
        let te = Self.temperatureEntry
        let he = Self.humidityEntry
        return .snmp(
            SNMPTable([
                (te.appending(1, i), .string("Temperature \(i)")),
                (te.appending(3, i), .scaled(t)),
                (te.appending(4, i), .integer(status)),
                (te.appending(5, i), .integer(online)),
                (te.appending(14, i), .scaled(t, 0.1)),
                (he.appending(1, i), .string("Humidity \(i)")),
                (he.appending(3, i), .scaled(rh)),
                (he.appending(4, i), .integer(absent ? 0 : 2)),
                (he.appending(5, i), .integer(online)),
            ]))
    }

    /// Temperature and RH: the device reports no dew point.
    static func summary(_ climate: Climate) -> [SummaryValue] { Array(climate.summary.prefix(2)) }
}
