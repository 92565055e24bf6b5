import Foundation

/// The air at a point of the floor.
struct Air: Sendable {
    /// Dry-bulb temperature, °C.
    var temperature: Double
    /// Dew point, °C (the room's moisture; a hotter inlet has the same dew point and a lower RH).
    var dewPoint: Double
    /// Relative humidity, %, from the two by Magnus.
    var relativeHumidity: Double { Psychrometrics.relativeHumidity(temperature: temperature, dewPoint: dewPoint) }
}

/// The shared physical state of the demo floor: the room's air with a diurnal
/// swing and slow drift, each rack's inlet offset, and each rack's IT load.
/// Every sensor reads from here, so sensors of one rack agree with each other.
final class AmbientModel {
    /// Room set point, °C.
    static let roomSetPoint = 22.9
    /// Mean room dew point, °C (≈ 45 % RH at 23 °C).
    static let meanDewPoint = 10.4

    private struct Rack {
        let inletOffset: Double
        var inletDrift: Drift
        let baseLoadKW: Double
        var loadDrift: Drift
    }

    private var rng: SimRandom
    private let seed: UInt64
    private var roomDrift = Drift(sigma: 0.15, tau: 1800)
    private var dewDrift = Drift(sigma: 0.5, tau: 3600)
    private var racks: [String: Rack] = [:]
    private var hourOfDay: Double = 12

    /// Each rack's allocated power, kW (from the floor file), when known.
    private let allocatedKW: [String: Double]

    /// A model seeded for repeatable runs; a rack with allocated power draws 55–75 % of it.
    init(seed: UInt64, allocatedKW: [String: Double] = [:]) {
        self.seed = seed
        self.allocatedKW = allocatedKW
        rng = SimRandom(seed: seed, stream: "room")
    }

    /// Advances every drift by `dt` seconds; `now` sets the phase of the diurnal swing.
    func step(now: Date, dt: Double) {
        let c = Calendar.current.dateComponents([.hour, .minute, .second], from: now)
        hourOfDay = Double(c.hour ?? 0) + Double(c.minute ?? 0) / 60 + Double(c.second ?? 0) / 3600
        _ = roomDrift.step(dt, &rng)
        _ = dewDrift.step(dt, &rng)
        for key in racks.keys {
            _ = racks[key]!.inletDrift.step(dt, &rng)
            _ = racks[key]!.loadDrift.step(dt, &rng)
        }
    }

    /// The inlet air of `rack` (the room's air when the sensor has no rack).
    func air(rack: String?) -> Air {
        let r = state(of: rack)
        let diurnal = 0.3 * cos(2 * .pi * (hourOfDay - 15) / 24)
        return Air(
            temperature: Self.roomSetPoint + diurnal + roomDrift.value + r.inletOffset + r.inletDrift.value,
            dewPoint: Self.meanDewPoint + dewDrift.value)
    }

    /// The IT load of `rack`, kW: a base per rack (55–75 % of its devices' allocated power, when
    /// the floor gives it), busier in the afternoon, drifting a few per cent.
    func itLoadKW(rack: String?) -> Double {
        let r = state(of: rack)
        let diurnal = 1 + 0.06 * cos(2 * .pi * (hourOfDay - 14) / 24)
        return max(0.1, r.baseLoadKW * diurnal * (1 + r.loadDrift.value))
    }

    private func state(of rack: String?) -> Rack {
        let key = rack ?? ""
        if let r = racks[key] { return r }
        var g = SimRandom(seed: seed, stream: "rack:" + key)
        let r = Rack(
            inletOffset: g.uniform(-0.4...0.4), inletDrift: Drift(sigma: 0.12, tau: 900),
            baseLoadKW: allocatedKW[key].flatMap { $0 > 0 ? $0 * g.uniform(0.55...0.75) : nil } ?? g.uniform(2.5...5.5),
            loadDrift: Drift(sigma: 0.03, tau: 600))
        racks[key] = r
        return r
    }
}
