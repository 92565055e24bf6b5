/// The electrical state of a rack PDU: power follows the IT load with noise, energy
/// integrates power, and each phase is consistent (I = P / V / pf).
struct PDUElectrics: Sendable {
    /// One phase (or the single inlet) now.
    struct Phase: Sendable {
        var voltage = 0.0
        var current = 0.0
        var powerW = 0.0
        var powerFactor = 1.0
        var peakCurrent = 0.0
        var apparentVA: Double { voltage * current }
    }

    /// Load state, numbered as PowerNet-MIB numbers it (1 low, 2 normal, 3 nearOverload, 4 overload).
    enum LoadState: Int, Sendable {
        case low = 1
        case normal, nearOverload, overload
    }

    /// Phase-to-neutral voltage, V.
    let nominalVoltage: Double
    /// Rated current per phase, A.
    let ratedCurrent: Double
    private(set) var phases: [Phase]
    private(set) var energyKWh: Double
    private(set) var peakPowerW = 0.0
    private var rng: SimRandom
    private var voltageDrift: [Drift]
    private let imbalance: [Double]
    private var powerFactor: Drift

    /// A PDU with `phases` phases, seeded per device.
    init(phases count: Int, nominalVoltage: Double, ratedCurrent: Double, seed: UInt64, id: String) {
        self.nominalVoltage = nominalVoltage
        self.ratedCurrent = ratedCurrent
        var g = SimRandom(seed: seed, stream: "pdu:" + id)
        energyKWh = g.uniform(8_000...40_000)
        let raw = (0..<count).map { _ in g.uniform(0.9...1.1) }
        let mean = raw.reduce(0, +) / Double(count)
        imbalance = raw.map { $0 / mean }
        phases = Array(repeating: Phase(), count: count)
        voltageDrift = Array(repeating: Drift(sigma: 1.5, tau: 300), count: count)
        powerFactor = Drift(sigma: 0.01, tau: 600)
        rng = g
    }

    /// Real power the PDU draws at its rating (all phases at rated current), W.
    var ratedPowerW: Double { Double(phases.count) * nominalVoltage * ratedCurrent * 0.96 }
    /// Total real power, W.
    var powerW: Double { phases.reduce(0) { $0 + $1.powerW } }
    /// Total apparent power, VA.
    var apparentVA: Double { phases.reduce(0) { $0 + $1.apparentVA } }
    /// Overall power factor.
    var overallPowerFactor: Double { apparentVA > 0 ? powerW / apparentVA : 1 }

    /// The load state of one phase from its current against the rating.
    func loadState(current: Double) -> LoadState {
        switch current / ratedCurrent {
        case 1...: .overload
        case 0.8..<1: .nearOverload
        case ..<0.05: .low
        default: .normal
        }
    }

    /// The device's load state: the worst phase.
    var loadState: LoadState {
        phases.map { loadState(current: $0.current) }.max { $0.rawValue < $1.rawValue } ?? .normal
    }

    /// Advances by `dt` seconds drawing `loadKW` (or 112 % of the rating when `overload`).
    mutating func step(dt: Double, loadKW: Double, overload: Bool) {
        let pf = min(0.99, max(0.9, 0.96 + powerFactor.step(dt, &rng)))
        let target = overload ? ratedPowerW * 1.12 : loadKW * 1000
        let total = max(0, target * (1 + 0.01 * rng.gaussian()))
        for i in phases.indices {
            let v = nominalVoltage + voltageDrift[i].step(dt, &rng) + 0.3 * rng.gaussian()
            let p = total / Double(phases.count) * imbalance[i]
            phases[i].voltage = v
            phases[i].powerW = p
            phases[i].powerFactor = pf
            phases[i].current = p / v / pf
            phases[i].peakCurrent = max(phases[i].peakCurrent, phases[i].current)
        }
        peakPowerW = max(peakPowerW, powerW)
        energyKWh += powerW / 1000 * dt / 3600
    }

    /// Headline values.
    var summary: [SummaryValue] {
        [
            SummaryValue(name: "power", value: powerW, unit: "W"),
            SummaryValue(name: "energy", value: energyKWh, unit: "kWh"),
            SummaryValue(name: "current_max", value: phases.map(\.current).max() ?? 0, unit: "A"),
            SummaryValue(name: "load_state", value: Double(loadState.rawValue), unit: "state"),
        ]
    }
}
