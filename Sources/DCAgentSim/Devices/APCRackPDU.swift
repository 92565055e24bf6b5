/// `apc-rpdu2`: APC PowerNet-MIB rPDU2 (1.3.6.1.4.1.318.1.1.26), device index 1, three
/// phases at 230 V / 16 A (an AP8641), 24 metered outlets (8 per phase, some of them loaded:
/// each phase's power is split over its loaded outlets), a temperature/humidity probe at the inlet.
final class APCRackPDU: SimulatedDevice {
    static let subtree = OID([1, 3, 6, 1, 4, 1, 318, 1, 1, 26])
    /// rPDU2DeviceStatusEntry.
    static let deviceStatus = subtree.appending(4, 3, 1)
    /// rPDU2PhaseStatusEntry.
    static let phaseStatus = subtree.appending(6, 3, 1)
    /// rPDU2SensorTempHumidityStatusEntry.
    static let sensorStatus = subtree.appending(10, 2, 2, 1)
    /// rPDU2OutletMeteredStatusEntry.
    static let outletStatus = subtree.appending(9, 4, 3, 1)
    static let outletsPerPhase = 8

    let sensor: SimSensor
    private var electrics: PDUElectrics
    private var probe: ClimateSensor
    private var climate = Climate(temperature: 0, relativeHumidity: 0)
    private var probeAbsent = false
    /// Share of its phase's power each outlet draws (0 for an empty outlet); sums to 1 per phase.
    private let outletShare: [Double]
    private var outletEnergyKWh: [Double]

    init(sensor: SimSensor, seed: UInt64) {
        self.sensor = sensor
        electrics = PDUElectrics(phases: 3, nominalVoltage: 230, ratedCurrent: 16, seed: seed, id: sensor.id)
        probe = ClimateSensor(seed: seed, id: sensor.id)
        var g = SimRandom(seed: seed, stream: "outlets:" + sensor.id)
        var share: [Double] = []
        for _ in 0..<3 {
            let used = Int(g.uniform(2...5).rounded())
            var w = (0..<Self.outletsPerPhase).map { $0 < used ? g.uniform(0.5...1.5) : 0 }
            let sum = w.reduce(0, +)
            w = w.map { $0 / sum }
            share += w
        }
        outletShare = share
        outletEnergyKWh = share.map { $0 > 0 ? g.uniform(500...5000) : 0 }
    }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        electrics.step(dt: tick.dt, loadKW: itLoadKW, overload: effects.overload)
        climate = probe.read(air, effects: effects)
        probeAbsent = effects.probeAbsent
        for i in outletShare.indices { outletEnergyKWh[i] += outletPowerW(i) / 1000 * tick.dt / 3600 }
    }

    private func outletPowerW(_ i: Int) -> Double {
        electrics.phases[i / Self.outletsPerPhase].powerW * outletShare[i]
    }

    func output() -> DeviceOutput {
        let e = electrics
        let d = Self.deviceStatus
        var vars: [(OID, SNMPValue)] = [
            (d.appending(1, 1), .integer(1)),  // index
            (d.appending(2, 1), .integer(1)),  // module
            (d.appending(3, 1), .string(sensor.id)),  // name
            (d.appending(4, 1), .integer(e.loadState.rawValue)),
            (d.appending(5, 1), .scaled(e.powerW / 1000, 0.01)),  // 0.01 kW
            (d.appending(6, 1), .scaled(e.peakPowerW / 1000, 0.01)),
            (d.appending(9, 1), .scaled(e.energyKWh, 0.1)),  // 0.1 kWh
            (d.appending(16, 1), .scaled(e.apparentVA / 1000, 0.01)),  // 0.01 kVA
            (d.appending(17, 1), .scaled(e.overallPowerFactor, 0.01)),
        ]
        for (i, p) in e.phases.enumerated() {
            let n = UInt32(i + 1)
            let s = Self.phaseStatus
            vars += [
                (s.appending(1, n), .integer(Int(n))),
                (s.appending(2, n), .integer(1)),
                (s.appending(3, n), .integer(Int(n))),
                (s.appending(4, n), .integer(e.loadState(current: p.current).rawValue)),
                (s.appending(5, n), .scaled(p.current, 0.1)),  // 0.1 A
                (s.appending(6, n), .scaled(p.voltage)),  // V
                (s.appending(7, n), .scaled(p.powerW / 1000, 0.01)),  // 0.01 kW
                (s.appending(8, n), .scaled(p.apparentVA / 1000, 0.01)),
                (s.appending(9, n), .scaled(p.powerFactor, 0.01)),
                (s.appending(10, n), .scaled(p.peakCurrent, 0.1)),
            ]
        }
        for i in outletShare.indices {
            let n = UInt32(i + 1)
            let o = Self.outletStatus
            let phase = e.phases[i / Self.outletsPerPhase]
            let watts = outletPowerW(i)
            vars += [
                (o.appending(1, n), .integer(Int(n))),
                (o.appending(3, n), .integer(Int(n))),
                (o.appending(4, n), .string("Outlet \(n)")),
                (o.appending(6, n), .scaled(watts / phase.voltage / phase.powerFactor, 0.1)),  // 0.1 A
                (o.appending(7, n), .scaled(watts)),  // W
                (o.appending(11, n), .scaled(outletEnergyKWh[i], 0.1)),  // 0.1 kWh
            ]
        }
        // Without its probe an AP8641 reports (snmpsim-data's recording): type notInstalled(4),
        // comm status notInstalled(1), temperature and humidity status notPresent(1), values -1.
        let t = Self.sensorStatus
        let notFitted = SNMPValue.integer(-1)
        vars += [
            (t.appending(1, 1), .integer(1)),
            (t.appending(2, 1), .integer(1)),
            (t.appending(3, 1), .string("Inlet")),
            (t.appending(5, 1), .integer(probeAbsent ? 4 : 2)),  // type: notInstalled / temperatureHumidity
            (t.appending(6, 1), .integer(probeAbsent ? 1 : 2)),  // comm status: notInstalled / commsOK
            (t.appending(7, 1), probeAbsent ? notFitted : .scaled(climate.temperature * 9 / 5 + 32, 0.1)),  // 0.1 °F
            (t.appending(8, 1), probeAbsent ? notFitted : .scaled(climate.temperature, 0.1)),  // 0.1 °C
            (t.appending(9, 1), .integer(probeAbsent ? 1 : 4)),  // temperature status: notPresent / normal
            (t.appending(10, 1), probeAbsent ? notFitted : .scaled(climate.relativeHumidity)),  // %
            (t.appending(11, 1), .integer(probeAbsent ? 1 : 4)),  // humidity status: notPresent / normal
        ]
        return .snmp(SNMPTable(vars))
    }

    func summary() -> [SummaryValue] { electrics.summary + (probeAbsent ? [] : climate.summary.prefix(2)) }
}
