/// A configuration problem in a device profile or in a sensor's use of one, naming the sensor,
/// the profile, the point and the key so that a person can fix the file.
public struct ProfileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem (for tests and programmatic handling).
    public enum Code: Hashable, Sendable {
        case unknownProfile, notModbus, badAddress, kindMismatch, missingKind, typeNotForKind
        case registerCountOverLimit, badQuirk, duplicatePoint, badPointName, badRecordTime, badQualifier, badUnit, badEndpoint
        case badPowerRole, badSentinel, badCondition, badRange
    }

    /// What kind of problem.
    public let code: Code
    /// The sensor (CI id) whose configuration uses the profile, when known.
    public var sensor: String?
    /// The profile's name.
    public var profile: String?
    /// The point's name, when the problem is in one point.
    public var point: String?
    /// The key of the profile or sensor entry that is wrong (`address`, `type`, `quirks.max_registers`).
    public var key: String?
    /// What is wrong, for a person.
    public let detail: String

    init(_ code: Code, sensor: String? = nil, profile: String? = nil, point: String? = nil, key: String? = nil, _ detail: String) {
        self.code = code
        self.sensor = sensor
        self.profile = profile
        self.point = point
        self.key = key
        self.detail = detail
    }

    /// This error with the sensor filled in.
    public func forSensor(_ sensor: String) -> ProfileError {
        var e = self
        e.sensor = sensor
        return e
    }

    public var description: String {
        var parts: [String] = []
        if let sensor { parts.append("sensor \(sensor)") }
        if let profile { parts.append("profile \(profile)") }
        if let point { parts.append("point \(point)") }
        if let key { parts.append("key \(key)") }
        return parts.isEmpty ? detail : parts.joined(separator: ", ") + ": " + detail
    }

    // MARK: Factories

    static func unknownProfile(_ name: String, sensor: String, known: [String]) -> ProfileError {
        ProfileError(
            .unknownProfile, sensor: sensor, key: "profile",
            "no profile named '\(name)' (known: \(known.joined(separator: ", ")))")
    }

    static func notModbus(_ profile: String, sensor: String?) -> ProfileError {
        ProfileError(.notModbus, sensor: sensor, profile: profile, key: "modbus", "the profile has no modbus section")
    }

    static func address(_ problem: AddressConvention.Problem, written: String, base: AddressConvention, profile: String, point: String)
        -> ProfileError
    {
        let (code, key, detail): (Code, String, String) =
            switch problem {
            case .syntax: (.badAddress, "address", "'\(written)' is not an address (a decimal number, or 0x… hexadecimal under base 0/1)")
            case .outOfRange: (.badAddress, "address", "'\(written)' is outside the range of base \(base.rawValue) addresses")
            case .kindMismatch(let table):
                (.kindMismatch, "kind", "Modicon address '\(written)' is in the \(table.pluralName) table, not the one named by kind")
            case .missingKind:
                (.missingKind, "kind", "no register kind: name one on the point or the profile (coil, discrete_input, holding, input)")
            }
        return ProfileError(code, profile: profile, point: point, key: key, detail)
    }
}
