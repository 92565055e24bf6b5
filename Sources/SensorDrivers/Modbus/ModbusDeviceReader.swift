public import Logging
public import Telemetry

/// The device could not be read at all (refused, timed out, serial line gone): the polling
/// service counts it as a failed poll.
public struct DeviceUnreachable: Error, Hashable, Sendable, CustomStringConvertible {
    /// The device.
    public let device: CIID
    /// Where it was asked.
    public let endpoint: String
    /// The failure of the first request.
    public let failure: RequestFailure

    public var description: String { "\(device) at \(endpoint): \(failure.detail)" }
}

/// Reads one Modbus device through its bus, one planned batch per poll (STYLE.md habit 4):
/// failed points come back as bad readings; it throws only when the device cannot be read at all.
public actor ModbusDeviceReader: DeviceReader {
    /// The device.
    public nonisolated let device: CIID
    /// The points it produces.
    public nonisolated let points: [PointDescriptor]
    /// The compiled plan.
    public nonisolated let plan: ModbusDevicePlan
    /// The text values (serial numbers, firmware) of the last poll, by point name.
    public private(set) var lastTexts: [String: String] = [:]
    private let bus: ModbusBus
    private let logger: Logger
    private var reportedProblems: Set<String> = []

    /// Creates a reader and logs its plan once ("4 requests touching 52 input registers on unit 3").
    public init(plan: ModbusDevicePlan, bus: ModbusBus, logger: Logger) {
        self.device = plan.device
        self.plan = plan
        self.points = plan.points.map(\.descriptor)
        self.bus = bus
        var logger = logger
        logger[metadataKey: "sensor.id"] = "\(plan.device)"
        logger[metadataKey: "modbus.unit"] = "\(plan.unit)"
        self.logger = logger
        logger.info("modbus plan: \(plan.summary) at \(bus.endpoint) (profile \(plan.profile))")
    }

    /// Reads every request of the plan once.
    public func readOnce(now: Timestamp) async throws -> [Reading] {
        try await poll(now: now).readings
    }

    /// Reads once and reports every point with the raw registers behind it, for commissioning
    /// a new sensor ("does the profile fit the device?").
    public func inspect(now: Timestamp) async throws -> [PointInspection] {
        let (outcomes, readings, texts) = try await poll(now: now)
        var raw = [[UInt16]?](repeating: nil, count: plan.points.count)
        for (request, outcome) in zip(plan.requests, outcomes) {
            guard case .success(let units) = outcome else { continue }
            for i in request.fields {
                let from = plan.points[i].address - request.start
                raw[i] = Array(units[from..<(from + plan.points[i].width)])
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: readings.map { ($0.point.name, $0) })
        return plan.points.enumerated().map { i, p in
            let name = p.descriptor.id.name
            return PointInspection(
                name: name, kind: p.kind, address: p.address, type: p.type, unit: p.descriptor.unit, raw: raw[i],
                reading: byName[name], text: texts[name])
        }
    }

    private func poll(now: Timestamp) async throws -> (
        outcomes: [Result<[UInt16], RequestFailure>], readings: [Reading], texts: [String: String]
    ) {
        // In as few turns of the bus as possible; once the device proved unreachable, the rest
        // are not sent (no timeout waited out per request).
        let outcomes = await bus.read(plan.requests, unit: plan.unit)
        if let first = outcomes.first, case .failure(let f) = first, f.isTransport {
            throw DeviceUnreachable(device: device, endpoint: "\(bus.endpoint)", failure: f)
        }
        reportConfigurationProblems(outcomes)
        let (readings, texts) = ReadingAssembler.readings(plan: plan, outcomes: outcomes, now: now)
        lastTexts = texts
        return (outcomes, readings, texts)
    }

    /// Logs an exception that says the profile does not fit the device, once per point.
    private func reportConfigurationProblems(_ outcomes: [Result<[UInt16], RequestFailure>]) {
        for (request, outcome) in zip(plan.requests, outcomes) {
            guard case .failure(let f) = outcome, let e = f.exception, e.isConfigurationProblem else { continue }
            for i in request.fields {
                let name = plan.points[i].descriptor.id.name
                guard reportedProblems.insert(name).inserted else { continue }
                logger.warning(
                    "configuration problem: device answered \(e) for point \(name) (\(request)) — check profile \(plan.profile)",
                    metadata: ["point": "\(name)"])
            }
        }
    }

    /// The points whose configuration problems were reported (each once).
    public var reportedConfigurationProblems: Set<String> { reportedProblems }
}
