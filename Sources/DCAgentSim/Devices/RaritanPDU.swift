/// `raritan-pdu2`: Raritan PDU2-MIB, PDU 1, inlet 1, single phase 230 V / 32 A.
/// measurementsInletSensorValue …6.5.2.3.1.4.{pdu}.{inlet}.{type} scaled by 10^-decimals from
/// inletSensorDecimalDigits …6.3.3.4.1.7.{pdu}.{inlet}.{type}; availability (TruthValue) at
/// …6.5.2.3.1.2, state at …6.5.2.3.1.3.
final class RaritanPDU: SimulatedDevice {
    static let subtree = OID([1, 3, 6, 1, 4, 1, 13742, 6])
    static let decimalDigits = subtree.appending(3, 3, 4, 1, 7, 1, 1)
    static let sensorIsAvailable = subtree.appending(5, 2, 3, 1, 2, 1, 1)
    static let sensorState = subtree.appending(5, 2, 3, 1, 3, 1, 1)
    static let sensorValue = subtree.appending(5, 2, 3, 1, 4, 1, 1)

    /// Inlet sensor types served, with their decimal digits.
    enum SensorType: UInt32, CaseIterable {
        case rmsCurrent = 1
        case rmsVoltage = 4
        case activePower = 5
        case apparentPower = 6
        case powerFactor = 7
        case activeEnergy = 8

        var decimals: Int {
            switch self {
            case .rmsCurrent: 3
            case .powerFactor: 2
            default: 0
            }
        }
    }

    /// Raritan sensor states (subset): 4 normal, 5 above upper warning, 6 above upper critical.
    enum State: Int {
        case normal = 4
        case aboveUpperWarning = 5
        case aboveUpperCritical = 6
    }

    let sensor: SimSensor
    private var electrics: PDUElectrics

    init(sensor: SimSensor, seed: UInt64) {
        self.sensor = sensor
        electrics = PDUElectrics(phases: 1, nominalVoltage: 230, ratedCurrent: 32, seed: seed, id: sensor.id)
    }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        electrics.step(dt: tick.dt, loadKW: itLoadKW, overload: effects.overload)
    }

    private func value(_ type: SensorType) -> Double {
        let inlet = electrics.phases[0]
        switch type {
        case .rmsCurrent: return inlet.current
        case .rmsVoltage: return inlet.voltage
        case .activePower: return inlet.powerW
        case .apparentPower: return inlet.apparentVA
        case .powerFactor: return inlet.powerFactor
        case .activeEnergy: return electrics.energyKWh * 1000  // Wh
        }
    }

    func output() -> DeviceOutput {
        let current = electrics.phases[0].current / electrics.ratedCurrent
        let state: State = current >= 1 ? .aboveUpperCritical : current >= 0.8 ? .aboveUpperWarning : .normal
        var vars: [(OID, SNMPValue)] = []
        for t in SensorType.allCases {
            vars.append((Self.decimalDigits.appending(t.rawValue), .integer(t.decimals)))
            vars.append((Self.sensorIsAvailable.appending(t.rawValue), .integer(1)))  // true(1)
            vars.append(
                (
                    Self.sensorState.appending(t.rawValue),
                    .integer(t == .rmsCurrent ? state.rawValue : State.normal.rawValue)
                ))
            let scale = 1 / pow10(t.decimals)
            vars.append((Self.sensorValue.appending(t.rawValue), .unsignedScaled(value(t), scale)))
        }
        return .snmp(SNMPTable(vars))
    }

    private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }

    func summary() -> [SummaryValue] { electrics.summary }
}
