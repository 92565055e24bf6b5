/// `generic-di-module`: discrete inputs, `base: 0`; 0 leak rope, 1 door contact, 2 smoke,
/// 3 UPS on battery, 4 CRAC alarm — all 0 (normal) unless an injection says otherwise.
final class DIModule: SimulatedDevice {
    static let leak = 0
    static let door = 1
    static let smoke = 2
    static let upsOnBattery = 3
    static let cracAlarm = 4
    static let layout = ModbusLayout(discreteInputs: 5)

    let sensor: SimSensor
    private var inputs = [Bool](repeating: false, count: 5)

    init(sensor: SimSensor) { self.sensor = sensor }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        inputs[Self.leak] = effects.leak
        inputs[Self.door] = effects.doorOpen
    }

    func output() -> DeviceOutput {
        var image = ModbusImage(layout: Self.layout)
        for (i, on) in inputs.enumerated() { image.setDiscreteInput(i, on) }
        return .modbus(image)
    }

    func summary() -> [SummaryValue] {
        [
            ("leak", Self.leak), ("door_open", Self.door), ("smoke", Self.smoke), ("ups_on_battery", Self.upsOnBattery),
            ("crac_alarm", Self.cracAlarm),
        ]
        .map { SummaryValue(name: $0.0, value: inputs[$0.1] ? 1 : 0, unit: "state") }
    }
}
