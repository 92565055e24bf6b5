import Telemetry

/// What the pymodbus peer (Peers/modbus_peer.py) serves, as engineering values the shipped
/// profiles must decode exactly. Keep in step with the script.
enum PeerValues {
    enum Expect: Equatable, CustomStringConvertible {
        case value(Double)
        /// A value read with quality `uncertain` (a qualifying status bit is set).
        case uncertain(Double)
        case absent
        /// Quality `bad` with this reason.
        case bad(String)
        var description: String {
            switch self {
            case .value(let v): "\(v)"
            case .uncertain(let v): "\(v) (uncertain)"
            case .absent: "absent"
            case .bad(let reason): "bad(\(reason))"
            }
        }
    }

    struct Device: Sendable {
        let profile: String
        let unit: Int
        let values: [String: Expect]
        /// The device's own sample time, when its records carry one.
        let recordTime: Timestamp?
    }

    static let vaisala = Device(
        profile: "vaisala-hmt330", unit: 1,
        values: [
            "humidity": .value(45.5), "temperature": .value(22.25), "dew_point": .value(-3.5), "status.fault": .value(1),
            "status.online": .value(1),
        ], recordTime: nil)

    /// Fault status 0513 = 0: every measurement is bad, naming the register.
    static let vaisalaFault = Device(
        profile: "vaisala-hmt330", unit: 20,
        values: [
            "humidity": .bad("fault status 0513 reports errors (status.fault = 0)"),
            "temperature": .bad("fault status 0513 reports errors (status.fault = 0)"),
            "dew_point": .bad("fault status 0513 reports errors (status.fault = 0)"), "status.fault": .value(0),
            "status.online": .value(1),
        ], recordTime: nil)

    /// The humidity float is a quiet NaN (unavailable): bad; the rest good.
    static let vaisalaNaN = Device(
        profile: "vaisala-hmt330", unit: 21,
        values: [
            "humidity": .bad("value is not a number"), "temperature": .value(22.25), "dew_point": .value(-3.5),
            "status.fault": .value(1), "status.online": .value(1),
        ], recordTime: nil)

    static let lighthouse = Device(
        profile: "lighthouse-remote", unit: 2,
        values: [
            "sample.time": .value(1_764_403_200), "sample.duration": .value(60), "status": .value(9),
            "laser.fault": .value(1), "flow.fault": .value(0), "overflow": .value(0), "malfunction": .value(1),
            "threshold.high": .value(0), "threshold.low": .value(0), "sampler.error": .value(0),
            "count.0.3um": .uncertain(105_230), "count.0.5um": .uncertain(40_210),
            "count.1.0um": .uncertain(9_120), "count.2.5um": .uncertain(2_210), "count.5.0um": .uncertain(810), "count.10um": .uncertain(120),
            "count.15um": .uncertain(40), "count.25um": .uncertain(9),
        ], recordTime: Timestamp(seconds: 1_764_403_200))

    static let corrosion = Device(
        profile: "generic-corrosion-monitor", unit: 3,
        values: [
            "copper.thickness": .value(123.5), "silver.thickness": .uncertain(87.25), "status": .value(2), "copper.spent": .value(0),
            "silver.spent": .value(1), "temperature": .value(23.1), "humidity": .value(45.5),
        ], recordTime: nil)

    static let thProbe = Device(
        profile: "generic-th-probe", unit: 4,
        values: ["temperature": .value(21.5), "humidity": .value(45.5), "dew_point": .value(9.4)], recordTime: nil)

    static let thProbeNotFitted = Device(
        profile: "generic-th-probe", unit: 5, values: ["temperature": .value(21.5), "humidity": .absent, "dew_point": .absent],
        recordTime: nil)

    /// 0x7FFF (over range) and 0x8001 (under range) are bad; RH 100.5 % is out of its range.
    static let thProbeOutOfRange = Device(
        profile: "generic-th-probe", unit: 22,
        values: [
            "temperature": .bad("raw 32767: over range (0x7FFF, convention)"), "humidity": .bad("out of range: 100.5 not in 0…100"),
            "dew_point": .bad("raw -32767: under range (0x8001, convention)"),
        ], recordTime: nil)

    static let diModule = Device(
        profile: "generic-di-module", unit: 6,
        values: ["leak": .value(0), "door": .value(1), "smoke": .value(0), "ups.on_battery": .value(1), "crac.alarm": .value(0)],
        recordTime: nil)

    /// Every device of the peer, one per shipped profile (plus the not-fitted, faulty and out-of-range ones).
    static let all = [vaisala, lighthouse, corrosion, thProbe, thProbeNotFitted, diModule, vaisalaFault, vaisalaNaN, thProbeOutOfRange]

    /// The observed value of a reading in the same terms.
    static func observed(_ r: Reading) -> Expect? {
        switch r.quality {
        case .good: .value(r.value)
        case .uncertain: .uncertain(r.value)
        case .absent: .absent
        case .bad(let reason): .bad(reason)
        }
    }
}
