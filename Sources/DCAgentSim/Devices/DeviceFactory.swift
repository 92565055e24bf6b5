/// Builds the simulated device for a sensor's profile.
enum DeviceFactory {
    /// The device for `sensor`; `samplePeriod` is the particle counters' record period, seconds.
    static func make(_ sensor: SimSensor, seed: UInt64, samplePeriod: Double) -> any SimulatedDevice {
        switch sensor.profile {
        case .thProbe: ProbeDevice<THProbe>(sensor: sensor, seed: seed)
        case .vaisalaHMT330: VaisalaHMT330(sensor: sensor, seed: seed)
        case .lighthouseRemote: LighthouseRemote(sensor: sensor, seed: seed, samplePeriod: samplePeriod)
        case .corrosionMonitor: CorrosionMonitor(sensor: sensor, seed: seed)
        case .diModule: DIModule(sensor: sensor)
        case .apcRPDU2: APCRackPDU(sensor: sensor, seed: seed)
        case .raritanPDU2: RaritanPDU(sensor: sensor, seed: seed)
        case .akcpSensorProbe: ProbeDevice<AKCPSensorProbe>(sensor: sensor, seed: seed)
        }
    }
}
