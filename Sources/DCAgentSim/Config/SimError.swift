/// Why the simulator cannot do what it was asked, with the context a person needs to fix it.
struct SimError: Error, CustomStringConvertible {
    /// What failed, as the description names it (`config`, `modbus server`, `snmpd`, …).
    private let area: String
    private let message: String

    var description: String { "\(area): \(message)" }

    /// The config file is wrong at `path` (a key path such as `sensors[3].endpoint`).
    static func config(file: String, path: String, _ reason: String) -> SimError {
        SimError(area: "config", message: "\(file): \(path): \(reason)")
    }

    /// A Modbus endpoint could not be served.
    static func server(endpoint: String, _ reason: String) -> SimError {
        SimError(area: "modbus server", message: "\(endpoint): \(reason)")
    }

    /// snmpd for a sensor could not be started.
    static func snmpd(sensor: String, _ reason: String) -> SimError {
        SimError(area: "snmpd", message: "sensor \(sensor): \(reason)")
    }

    /// A file of the state directory could not be read or written.
    static func state(file: String, _ reason: String) -> SimError {
        SimError(area: "state directory", message: "\(file): \(reason)")
    }

    /// An injection request does not make sense.
    static func injection(_ reason: String) -> SimError {
        SimError(area: "injection", message: reason)
    }
}
