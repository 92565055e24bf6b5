import Foundation

/// `lighthouse-remote` particle counter, as the REMOTE register map (v1.44–v1.49) lays it out
/// (`base: modicon`): input registers 30001–02 record Unix time, 30003–04 sample time s,
/// 30005–06 location (signed), 30007–08 data status, 30009/10 … 30023/24 cumulative counts of
/// channels 1–8 (uint32, high word first); holding 40023 the flow setting (×100 L/min here).
/// There is no volume register: a sample's volume is the rated flow × its sample time.
/// Each sample period yields one new record keyed by its time.
final class LighthouseRemote: SimulatedDevice {
    static let sampleTime = RegisterField(VendorAddress.modicon(30001), .uint32)
    static let sampleSeconds = RegisterField(VendorAddress.modicon(30003), .uint32)
    static let location = RegisterField(VendorAddress.modicon(30005), .int32)
    static let status = RegisterField(VendorAddress.modicon(30007), .uint32)
    static let channels = (0..<8).map { RegisterField(VendorAddress.modicon(30009 + 2 * $0), .uint32) }
    static let flowRate = RegisterField(VendorAddress.modicon(40023), .uint16, scale: 0.01)
    static let layout = ModbusLayout.covering(
        [sampleTime, sampleSeconds, location, status, flowRate] + channels)

    /// Channel thresholds, µm (cumulative: ≥ size).
    static let channelSizes = [0.3, 0.5, 1.0, 2.5, 5.0, 10, 15, 25]
    /// Flow of a 1 CFM counter, L/min.
    static let flowLPM = 28.3

    /// Data status bits (Table A-9).
    enum StatusBit: Int {
        case laserAlert = 0
        case flowAlert, overflow, malfunction, thresholdHigh, thresholdLow, samplerError
    }

    /// One sample record.
    struct Record: Sendable {
        var time: UInt32 = 0
        var seconds: Double = 0
        var volumeLitres: Double = 0
        var status: UInt32 = 0
        var counts: [UInt32] = Array(repeating: 0, count: 8)
    }

    let sensor: SimSensor
    private let period: Double
    private var rng: SimRandom
    private var isoClass: Drift
    private var nextSample: Date?
    private(set) var record = Record()

    /// A counter producing one record every `samplePeriod` seconds.
    init(sensor: SimSensor, seed: UInt64, samplePeriod: Double) {
        self.sensor = sensor
        period = samplePeriod
        rng = SimRandom(seed: seed, stream: "particles:" + sensor.id)
        isoClass = Drift(sigma: 0.12, tau: 1800)
    }

    /// The ISO 14644-1 class the room air sits at now (≈ 7.5–8).
    var currentClass: Double { min(8.1, max(7.4, 7.75 + isoClass.value)) }

    func step(_ tick: Tick, air: Air, itLoadKW: Double, effects: DeviceEffects) {
        _ = isoClass.step(tick.dt, &rng)
        let due = nextSample ?? tick.now  // the first record is ready at start
        guard tick.now >= due else { return }
        let following = due.addingTimeInterval(period)
        nextSample = following > tick.now ? following : tick.now.addingTimeInterval(period)
        record = sample(endingAt: tick.now, factor: effects.particleFactor)
    }

    /// Draws one sample: ISO class-N concentration `10^N (0.1/D)^2.08` per m³ at each size,
    /// times the sample volume, with counting (Poisson-like) noise, forced monotone across channels.
    private func sample(endingAt end: Date, factor: Double) -> Record {
        var r = Record()
        r.time = UInt32(end.timeIntervalSince1970)
        r.seconds = period
        r.volumeLitres = Self.flowLPM * period / 60
        let m3 = r.volumeLitres / 1000
        var previous = Double.infinity
        for (i, d) in Self.channelSizes.enumerated() {
            let mean = pow(10, currentClass) * pow(0.1 / d, 2.08) * m3 * factor
            let drawn = max(0, (mean + mean.squareRoot() * rng.gaussian()).rounded())
            previous = min(previous, drawn)
            r.counts[i] = UInt32(min(previous, Double(UInt32.max)))
        }
        let isoClass8At05 = 3_520_000.0
        if Double(r.counts[1]) / m3 > isoClass8At05 { r.status |= 1 << StatusBit.thresholdHigh.rawValue }
        return r
    }

    func output() -> DeviceOutput {
        var image = ModbusImage(layout: Self.layout)
        image.put(Double(record.time), at: Self.sampleTime)
        image.put(record.seconds, at: Self.sampleSeconds)
        image.put(1, at: Self.location)
        image.put(Double(record.status), at: Self.status)
        for (field, count) in zip(Self.channels, record.counts) { image.put(Double(count), at: field) }
        image.put(Self.flowLPM, at: Self.flowRate)
        return .modbus(image)
    }

    func summary() -> [SummaryValue] {
        let m3 = max(record.volumeLitres, 1e-9) / 1000
        return [
            SummaryValue(name: "sample_time", value: Double(record.time), unit: "unix s"),
            SummaryValue(name: "count_0.5um", value: Double(record.counts[1]), unit: "count"),
            SummaryValue(name: "conc_0.5um", value: Double(record.counts[1]) / m3, unit: "/m³"),
        ]
    }
}
