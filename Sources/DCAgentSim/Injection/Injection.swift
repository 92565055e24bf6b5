import Foundation

/// The anomalies the simulator can inject.
enum InjectionKind: String, Sendable, Codable, CaseIterable {
    /// Rack inlet +10–15 °C.
    case hotSpot = "hot-spot"
    /// Particle counts ×100.
    case particleBurst = "particle-burst"
    /// PDU draws above its rating: load state overload.
    case pduOverload = "pdu-overload"
    /// The sensor's values stop changing.
    case sensorFreeze = "sensor-freeze"
    /// The unit stops answering (Modbus: no reply; SNMP: no answer).
    case sensorOffline = "sensor-offline"
    /// Leak rope wet.
    case leak
    /// Door contact open.
    case doorOpen = "door-open"
    /// The T/H probe is unplugged: the device serves its "not present" sentinel.
    case probeAbsent = "probe-absent"
    /// Removes every injection (a command, never stored).
    case clear

    /// True when this kind can act on a device of `profile`.
    func acts(on profile: DeviceProfile) -> Bool {
        switch self {
        case .hotSpot: profile != .diModule && profile != .lighthouseRemote && profile != .raritanPDU2
        case .particleBurst: profile == .lighthouseRemote
        case .pduOverload: profile.isPDU
        case .leak, .doorOpen: profile == .diModule
        case .probeAbsent: profile == .thProbe || profile == .apcRPDU2 || profile == .akcpSensorProbe
        case .sensorFreeze, .sensorOffline: true
        case .clear: false
        }
    }
}

/// One active (or expired) injection, as stored in the state directory.
struct Injection: Sendable, Codable, Equatable {
    /// A short id for logs (`hot-spot@DC-R05`).
    let id: String
    let kind: InjectionKind
    /// Rack id, or its suffix after a dash (`R05` matches `DC-R05`); nil with `sensor` nil means everywhere.
    let rack: String?
    /// Sensor id.
    let sensor: String?
    /// Kind-specific size: °C for a hot spot, the factor for a particle burst.
    let magnitude: Double?
    /// When it was injected.
    let started: Date
    /// When it ends by itself (nil: until `clear`).
    let expires: Date?

    /// True while it acts.
    func isActive(at now: Date) -> Bool { expires.map { now < $0 } ?? true }

    /// True when it acts on `s`: the target matches and the kind makes sense for its profile.
    func applies(to s: SimSensor) -> Bool {
        guard kind.acts(on: s.profile) else { return false }
        if let sensor { return s.id == sensor }
        if let rack { return Self.rack(s.rack, matches: rack) }
        return true
    }

    /// `DC-R05` matches `DC-R05` and `R05`.
    static func rack(_ rack: String?, matches target: String) -> Bool {
        guard let rack else { return false }
        return rack == target || rack.hasSuffix("-" + target)
    }

    /// The target as a person reads it.
    var targetText: String { sensor.map { "sensor \($0)" } ?? rack.map { "rack \($0)" } ?? "all sensors" }

    /// One line for logs and `status`.
    var line: String {
        let size =
            magnitude.map { kind == .hotSpot ? String(format: " +%.1f °C", $0) : String(format: " ×%.0f", $0) } ?? ""
        let until = expires.map { " until \(ISO8601DateFormatter().string(from: $0))" } ?? " until cleared"
        return "\(kind.rawValue)\(size) on \(targetText)\(until)"
    }
}

/// What a set of injections does to one sensor now.
struct InjectionEffect: Sendable, Equatable {
    /// Physical effects (the hot-spot offset is a target; the simulator lags it).
    var effects = DeviceEffects()
    /// The published values must not change.
    var frozen = false
    /// The unit must not answer.
    var offline = false

    /// Folds every active injection that applies to `sensor`.
    init(_ injections: [Injection], sensor: SimSensor, now: Date) {
        for inj in injections where inj.isActive(at: now) && inj.applies(to: sensor) {
            switch inj.kind {
            case .hotSpot: effects.temperatureOffset += inj.magnitude ?? 12
            case .particleBurst: effects.particleFactor *= inj.magnitude ?? 100
            case .pduOverload: effects.overload = true
            case .leak: effects.leak = true
            case .doorOpen: effects.doorOpen = true
            case .probeAbsent: effects.probeAbsent = true
            case .sensorFreeze: frozen = true
            case .sensorOffline: offline = true
            case .clear: break
            }
        }
    }
}
