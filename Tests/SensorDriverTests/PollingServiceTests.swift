import Logging
@testable import SensorDrivers
import Telemetry
import TestSupport
import Testing

/// A reader that records when it was polled and fails while told to.
actor ScriptedReader: DeviceReader {
    nonisolated let device: CIID
    nonisolated let points: [PointDescriptor]
    private(set) var pollTimes: [Timestamp] = []
    var failing: Bool
    private let gate: Gate?

    init(_ device: CIID, failing: Bool = false, gate: Gate? = nil) {
        self.device = device
        self.points = [PointDescriptor(id: PointID(ci: device, name: "temperature")!, quantity: .temperature, unit: .celsius)]
        self.failing = failing
        self.gate = gate
    }

    func setFailing(_ f: Bool) { failing = f }

    func readOnce(now: Timestamp) async throws -> [Reading] {
        pollTimes.append(now)
        if let gate { await gate.pass() }
        if failing { throw DeviceUnreachable(device: device, endpoint: "tcp://127.0.0.1:1", failure: RequestFailure(.timeout, "no reply")) }
        return [Reading(point: points[0].id, time: now, value: 21.5)]
    }
}

/// Holds polls until opened (all, or one at a time), and counts how many entered and how many
/// were inside at once.
actor Gate {
    private(set) var inside = 0
    private(set) var maxInside = 0
    private(set) var entered = 0
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func pass() async {
        entered += 1
        inside += 1
        maxInside = max(maxInside, inside)
        if !open { await withCheckedContinuation { waiting.append($0) } }
        inside -= 1
    }

    /// Lets the oldest poll inside go on; the gate stays closed for the others.
    func releaseOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    func openAll() {
        open = true
        for c in waiting { c.resume() }
        waiting.removeAll()
    }
}

/// Collects what the service hands its sink.
actor EventLog {
    private(set) var events: [PollEvent] = []
    func add(_ e: PollEvent) { events.append(e) }
    func offline(_ d: CIID) -> Int { events.filter { if case .offline(d, _) = $0 { true } else { false } }.count }
    func online(_ d: CIID) -> Int { events.filter { $0 == .online(d) }.count }
    func readings(_ d: CIID) -> Int { events.filter { if case .readings(d, _) = $0 { true } else { false } }.count }
}

@Suite("Polling service: schedules, offline signal, back-off, bounded concurrency, health", .timeLimit(.minutes(2)))
struct PollingServiceTests {
    static let logger = Logger(label: "test.polling")

    static func service(_ devices: [PolledDevice], clock: ManualClock, log: EventLog, config: PollingConfiguration)
        -> PollingService<ManualClock>
    {
        PollingService(
            devices: devices, configuration: config, clock: clock,
            now: { Timestamp(milliseconds: clock.now.offset.components.seconds * 1000) }, random: { 0.5 }, logger: logger,
            sink: { await log.add($0) })
    }

    /// Advances the clock in steps, each time after every device loop is asleep again.
    static func step(_ clock: ManualClock, loops: Int, by d: Duration, times: Int) async throws {
        for _ in 0..<times {
            #expect(await clock.waitForSleepers(loops))
            clock.advance(by: d)
        }
        #expect(await clock.waitForSleepers(loops))
    }

    static func seconds(_ ts: [Timestamp]) -> [Int64] { ts.map { $0.milliseconds / 1000 } }

    @Test("each device keeps its own interval")
    func intervals() async throws {
        let clock = ManualClock()
        let log = EventLog()
        let a = ScriptedReader("DEV-A"), b = ScriptedReader("DEV-B")
        let svc = Self.service(
            [PolledDevice(reader: a, interval: .seconds(10)), PolledDevice(reader: b, interval: .seconds(30))], clock: clock, log: log,
            config: PollingConfiguration(jitter: 0))
        let run = Task { try await svc.run() }
        try await Self.step(clock, loops: 2, by: .seconds(10), times: 6)
        #expect(Self.seconds(await a.pollTimes) == [0, 10, 20, 30, 40, 50, 60])
        #expect(Self.seconds(await b.pollTimes) == [0, 30, 60])
        #expect(await log.readings("DEV-A") == 7)
        run.cancel()
        try await run.value
    }

    @Test("jitter spreads the first poll and each period by the drawn fraction")
    func jitter() async throws {
        let clock = ManualClock()
        let log = EventLog()
        let a = ScriptedReader("DEV-A")
        // random() is 0.5 and jitter 0.2: first poll at 1 s, then every 10 + 1 s.
        let svc = Self.service([PolledDevice(reader: a, interval: .seconds(10))], clock: clock, log: log, config: PollingConfiguration(jitter: 0.2))
        let run = Task { try await svc.run() }
        try await Self.step(clock, loops: 1, by: .seconds(1), times: 23)
        #expect(Self.seconds(await a.pollTimes) == [1, 12, 23])
        run.cancel()
        try await run.value
    }

    @Test("a failing device goes offline after N polls, backs off, and comes back; the other keeps its schedule")
    func offlineAndBack() async throws {
        let clock = ManualClock()
        let log = EventLog()
        let good = ScriptedReader("DEV-GOOD"), dead = ScriptedReader("DEV-DEAD", failing: true)
        let svc = Self.service(
            [PolledDevice(reader: good, interval: .seconds(10)), PolledDevice(reader: dead, interval: .seconds(10))], clock: clock, log: log,
            config: PollingConfiguration(jitter: 0, offlineAfter: 3, maxBackoff: .seconds(60)))
        let run = Task { try await svc.run() }
        try await Self.step(clock, loops: 2, by: .seconds(10), times: 20)  // t = 0 … 200
        #expect(Self.seconds(await good.pollTimes) == Array(stride(from: 0, through: 200, by: 10)))
        // 3 polls 10 s apart, then back-off 20, 40, 60 (cap), 60 …
        #expect(Self.seconds(await dead.pollTimes) == [0, 10, 20, 40, 80, 140, 200])
        #expect(await log.offline("DEV-DEAD") == 1)
        #expect(await log.offline("DEV-GOOD") == 0)
        let health = await svc.health()
        #expect(health["DEV-DEAD"]?.offline == true)
        #expect(health["DEV-DEAD"]?.consecutiveFailures == 7)
        #expect(health["DEV-DEAD"]?.lastError?.contains("no reply") == true)
        #expect(health["DEV-DEAD"]?.lastSuccess == nil)
        #expect(health["DEV-GOOD"]?.lastSuccess == Timestamp(seconds: 200))
        #expect(health["DEV-GOOD"]?.consecutiveFailures == 0)
        #expect(health["DEV-GOOD"]?.polls == 21)
        #expect(health["DEV-GOOD"]?.lastPollDuration == .zero)

        await dead.setFailing(false)
        try await Self.step(clock, loops: 2, by: .seconds(10), times: 6)  // next dead poll at 260
        #expect(Self.seconds(await dead.pollTimes).last == 260)
        #expect(await log.online("DEV-DEAD") == 1)
        #expect(await svc.health()["DEV-DEAD"]?.offline == false)
        run.cancel()
        try await run.value
    }

    @Test("at most maxConcurrentPolls polls run at once")
    func boundedConcurrency() async throws {
        let clock = ManualClock()
        let log = EventLog()
        let gate = Gate()
        let readers = (1...5).map { ScriptedReader(CIID(stringLiteral: "DEV-\($0)"), gate: gate) }
        let svc = Self.service(
            readers.map { PolledDevice(reader: $0, interval: .seconds(10)) }, clock: clock, log: log,
            config: PollingConfiguration(maxConcurrentPolls: 2, jitter: 0))
        let run = Task { try await svc.run() }
        // Two polls enter the gate; the three others wait for a permit.
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(1), "two polls inside the gate") { await gate.inside == 2 }
        // Let the polls out one at a time: each permit given back goes to one waiting poll, so
        // after every step exactly one more poll has entered and two are inside, never three.
        for step in 1...3 {
            await gate.releaseOne()
            try await waitUntil(timeout: .seconds(30), poll: .milliseconds(1), "poll \(step + 2) to take the permit poll \(step) gave back") {
                let (entered, inside) = (await gate.entered, await gate.inside)
                return entered == step + 2 && inside == 2
            }
        }
        await gate.openAll()
        #expect(await clock.waitForSleepers(5))
        #expect(await gate.entered == 5)
        #expect(await gate.maxInside == 2)
        for r in readers { #expect(await r.pollTimes.count == 1) }
        run.cancel()
        try await run.value
    }

    @Test("schedule arithmetic", arguments: [(0, 10), (2, 10), (3, 20), (4, 40), (5, 60), (9, 60)])
    func schedule(_ failures: Int, _ seconds: Int64) {
        let s = PollSchedule(interval: .seconds(10), configuration: PollingConfiguration(jitter: 0, offlineAfter: 3, maxBackoff: .seconds(60)))
        #expect(s.delay(afterFailures: failures, random: 0.9) == .seconds(seconds))
    }
}
