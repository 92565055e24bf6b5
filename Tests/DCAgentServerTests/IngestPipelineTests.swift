import AgentStore
import ContaminationRules
import DCAgentServer
import Foundation
import Logging
import SensorDrivers
import Telemetry
import TestSupport
import Testing

/// The ingest path in process, driven by a manual clock: poll → batch writer → committed batch
/// → rules → event log → change feed. No daemon, no sleeps: the clock decides when the writer
/// flushes and when the rules tick.
@Suite("The ingest pipeline, in process with a driven clock", .serialized, .timeLimit(.minutes(2)))
struct IngestPipelineTests {
    static let probe: CIID = "DC-R01-TH1"
    static let temp = PointID(ci: probe, name: "temperature")!
    static let descriptor = PointDescriptor(id: temp, quantity: .temperature, unit: .celsius)
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let logger = Logger(label: "ingest-test")

    /// A store with the demo floor, a one-rule file and the pipeline's parts, all on one clock.
    struct Rig {
        let dir: String
        let clock = ManualClock()
        let store: SiteStore
        let feed: ChangeFeed<ManualClock>
        let inbox: RuleInbox
        let pipeline: IngestPipeline<ManualClock>
        let rules: RulesService<ManualClock>
        let events: EventStore

        init(logger: Logger, inboxCapacity: Int = 1_000) throws {
            inbox = RuleInbox(capacity: inboxCapacity)
            dir = NSTemporaryDirectory() + "dcagent-ingest-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let ruleFile = dir + "/rules.yaml"
            try """
                version: 1
                rules:
                  - id: inlet-hot
                    kind: threshold
                    select: { points: [DC-R01-TH1/temperature] }
                    warning: 30
                    critical: 35
                    clear: 28
                  - id: device-offline
                    kind: offline
                """.write(toFile: ruleFile, atomically: true, encoding: .utf8)
            let config = """
                agent: { name: ingest-test }
                sites: [{ id: DC, name: Test DC, time_zone: Asia/Jakarta }]
                storage: { path: \(dir)/dcagent.sqlite, writer: { flush_interval: 1s } }
                floor: { import_on_first_start: \(IngestPipelineTests.repo)/config/floor/demo.yaml }
                rules: { file: \(ruleFile), evaluate_every: 10s, checkpoint_every: 1s, check_clock_sync: false }
                """
            let plan = try ConfigLoader.load(text: config, file: dir + "/dcagent.yaml", environment: [:]).get()
            store = try SiteStore(plan: plan)
            try FloorBootstrap.importIfEmpty(plan: plan, store: store, logger: logger)
            let samples = SampleStore(database: store.database)
            try samples.register([IngestPipelineTests.descriptor])
            feed = ChangeFeed(database: store.database, clock: clock, checkEvery: .seconds(1), logger: logger)
            let (inbox, store) = (inbox, store)
            let pipeline = IngestPipeline(
                store: samples, settings: .init(flushInterval: plan.storage.writer.flushInterval), clock: clock, registered: [IngestPipelineTests.descriptor], inbox: inbox,
                logger: logger)
            self.pipeline = pipeline
            let topology = TopologySource(
                build: { try await RuleFiles.topology(store: store, extraPoints: [IngestPipelineTests.descriptor], polled: [IngestPipelineTests.probe]) },
                floorRevision: { try await store.floor.revision() })
            events = EventStore(database: store.database, samples: samples, feed: feed)
            rules = RulesService(
                plan: try #require(plan.rules), rules: try RuleFiles.load(ruleFile, topology: RuleFiles.topology(store: store, extraPoints: [IngestPipelineTests.descriptor], polled: [IngestPipelineTests.probe])), events: events,
                records: store.records, samples: samples, inbox: inbox, topology: topology,
                agent: AgentWatch(id: "ingest-test", droppedReadings: { pipeline.droppedReadings }, droppedByRules: { inbox.droppedReadings }),
                clock: clock, logger: logger)
        }

        func reading(_ value: Double) -> Reading { Reading(point: IngestPipelineTests.temp, time: .now, value: value, quality: .good) }
    }

    @Test("a poll's reading becomes a committed event that wakes a subscriber once the writer's flush interval passes on the clock")
    func pollToEvent() async throws {
        let rig = try Rig(logger: logger)
        defer { try? FileManager.default.removeItem(atPath: rig.dir) }
        var wakes = rig.feed.subscribe().makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await rig.pipeline.writer.run() }
            group.addTask { try await rig.rules.run() }
            // Writer and rules' ticker both asleep on the clock: nothing has been committed.
            // Bounded at 60 s: alone this takes milliseconds, but at the start of a full run the
            // two cooperative threads of a 2-core machine are shared with ~100 suites starting at
            // once, and 20 s ran out once.
            try await waitUntil(timeout: .seconds(60), "the writer and the rules ticker to sleep on the clock") { rig.clock.sleeperCount >= 2 }
            rig.pipeline.accept(.readings(Self.probe, [rig.reading(38.5)]), points: [Self.descriptor])
            #expect(try await rig.events.events(EventQuery()).isEmpty, "not committed before the flush interval")
            #expect(rig.pipeline.writer.health.queued == 1)
            // The flush interval passes: the batch commits, the rules evaluate it, the event
            // commits and the subscriber wakes.
            rig.clock.advance(by: .seconds(1))
            #expect(await wakes.next() != nil)
            let fired = try await rig.events.events(EventQuery(firingOnly: true))
            #expect(fired.count == 1 && fired.first?.event.severity == .critical, "\(fired)")
            #expect(fired.first?.event.evidence.last?.value == 38.5)
            #expect(fired.first?.site == "DC", "the event carries its site")
            #expect(rig.pipeline.writer.health.acknowledged == 1)

            // The device goes offline after its last reading, cooler: the reading is evaluated
            // first (the event clears), then the health transition (the offline event opens).
            rig.pipeline.accept(.readings(Self.probe, [rig.reading(22.0)]), points: [Self.descriptor])
            rig.pipeline.accept(.offline(Self.probe, reason: "timeout"), points: [Self.descriptor])
            try await waitUntil("the writer asleep again") { rig.clock.sleeperCount >= 2 }
            rig.clock.advance(by: .seconds(1))
            // Evaluated as soon as committed; the engine commits its changes at once or, when its
            // last checkpoint was just now, at the next tick (evaluate_every) — the clock decides.
            try await waitUntil("the second batch evaluated") {
                rig.pipeline.writer.health.acknowledged == 2 && rig.rules.status.snapshot.evaluations >= 2
            }
            rig.clock.advance(by: .seconds(10))
            try await waitUntil("the clearing and the offline event committed; log: \((try? rig.events.changes(after: 0).map { "\($0.change.event.ruleID):\($0.change.change.rawValue)" }) ?? []), writer \(rig.pipeline.writer.health)") {
                let all = try await rig.events.events(EventQuery())
                let cleared = all.contains { (e: StoredEvent) in e.event.ruleID == "inlet-hot" && e.event.state == .resolved }
                return cleared && all.contains { (e: StoredEvent) in e.event.kind == .offline }
            }
            let log = try await rig.events.changes(after: 0, limit: 500)
            let order = log.map { "\($0.change.event.ruleID):\($0.change.change.rawValue)" }
            let cleared = try #require(order.firstIndex(of: "inlet-hot:resolved"), "\(order)")
            let offline = try #require(log.firstIndex { $0.change.event.kind == .offline }, "\(order)")
            #expect(cleared < offline, "the reading polled before the outage is evaluated before it: \(order)")
            group.cancelAll()
        }
    }

    @Test("readings the rules' queue drops raise the same data-loss event as the writer's drops, at the next tick")
    func rulesQueueLossIsAnEvent() async throws {
        let rig = try Rig(logger: logger, inboxCapacity: 5)
        defer { try? FileManager.default.removeItem(atPath: rig.dir) }
        // The engine is not running yet: two committed batches of 4 readings overflow its queue.
        for v in [20.0, 21.0] {
            rig.inbox.submit(.committed(CommittedBatch(items: [.readings((0..<4).map { _ in rig.reading(v) })])))
        }
        #expect(rig.inbox.droppedReadings == 4 && rig.pipeline.droppedReadings == 4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await rig.rules.run() }
            try await waitUntil("the rules ticker asleep on the clock") { rig.clock.sleeperCount >= 1 }
            rig.clock.advance(by: .seconds(10))
            try await waitUntil("the data-loss event") {
                try await rig.events.events(EventQuery(firingOnly: true)).contains { $0.event.ruleID == "agent.dropped-readings" }
            }
            let loss = try #require(try await rig.events.events(EventQuery(firingOnly: true)).first { $0.event.ruleID == "agent.dropped-readings" })
            #expect(loss.event.message.contains("dropped 4 readings") && loss.event.message.contains("rules engine's input queue"), "\(loss.event.message)")
            #expect(rig.rules.status.snapshot.droppedInputs == 4)
            group.cancelAll()
        }
    }

    @Test("the rules' queue, when full, drops the oldest readings and counts them; health and point registrations are never dropped")
    func inboxSheds() async throws {
        let inbox = RuleInbox(capacity: 10)
        func batch(_ n: Int, health: Bool) -> CommittedBatch {
            var items: [IngestItem] = [.readings((0..<n).map { Reading(point: Self.temp, time: Timestamp(milliseconds: Int64($0)), value: Double($0), quality: .good) })]
            if health { items.append(.health(.init(device: Self.probe, online: false, reason: "timeout"))) }
            return CommittedBatch(items: items)
        }
        inbox.submit(.committed(batch(8, health: true)))
        inbox.submit(.tick)
        inbox.submit(.tick)  // coalesced with the queued tick
        inbox.submit(.committed(batch(8, health: false)))
        #expect(inbox.droppedReadings == 8, "the oldest batch's readings went")
        inbox.finish()
        var got: [RuleInput] = []
        for await input in inbox.inputs { got.append(input) }
        #expect(got.count == 3)
        guard case .committed(let first) = got[0], case .tick = got[1], case .committed(let second) = got[2] else {
            Issue.record("order: \(got)")
            return
        }
        #expect(first.readings.isEmpty && first.items == [.health(.init(device: Self.probe, online: false, reason: "timeout"))])
        #expect(second.readings.count == 8)
    }
}
