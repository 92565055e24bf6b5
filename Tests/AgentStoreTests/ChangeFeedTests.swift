@testable import AgentStore
import ContaminationRules
import Foundation
import GRDB
import Logging
import Telemetry
import TestSupport
import Testing

@Suite("Change feed", .timeLimit(.minutes(2)))
struct ChangeFeedTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static let probe: CIID = "DC-R01-TH1"
    static let temp = PointID(ci: probe, name: "temperature")!

    static func opening(at ms: Int64) -> RuleCheckpoint {
        let e = Event(
            dedupKey: Event.dedupKey(rule: "inlet-hot", scope: probe, point: temp), ruleID: "inlet-hot", kind: .threshold,
            severity: .warning, state: .firing, scope: probe, room: "DC-H1", point: temp, firstSeen: Timestamp(milliseconds: ms),
            lastSeen: Timestamp(milliseconds: ms), count: 1, message: "hot", evidence: [], suppressed: false, flapping: false)
        return RuleCheckpoint(
            changes: [EventChange(change: .opened, event: e, at: Timestamp(milliseconds: ms), notify: true)], derived: [],
            state: Data("{}".utf8), rulesDigest: "d1", at: Timestamp(milliseconds: ms))
    }

    /// Waits (bounded by real time) until the feed has read its baseline and sleeps on the clock.
    static func feedRunning(_ clock: ManualClock) async -> Bool { await clock.waitForSleepers(1) }

    @Test("an in-process commit of events wakes every subscriber at once, without any clock advance")
    func inProcessCommit() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("f.sqlite"))
        let clock = ManualClock()
        let feed = ChangeFeed(database: db, clock: clock, checkEvery: .seconds(1), logger: logger)
        let events = EventStore(database: db, samples: SampleStore(database: db), feed: feed)
        let a = feed.subscribe()
        let b = feed.subscribe()
        #expect(feed.subscriberCount == 2)
        var ia = a.makeAsyncIterator()
        var ib = b.makeAsyncIterator()
        // A checkpoint without event changes (state only) is no event commit.
        try await events.commit(RuleCheckpoint(changes: [], derived: [], state: Data("{}".utf8), rulesDigest: "d1", at: Timestamp(milliseconds: hour0)))
        #expect(feed.counts == .init(committed: 0, detected: 0))
        try await events.commit(Self.opening(at: hour0))
        #expect(await ia.next() != nil)
        #expect(await ib.next() != nil)
        #expect(feed.counts == .init(committed: 1, detected: 0))
        #expect(clock.now == ManualClock.Instant(offset: .zero))
        #expect(try await events.lastChangeSeq() == 1, "what the subscriber reads after waking")
    }

    @Test("a commit by another connection on the same file (the CLI) wakes subscribers after checkEvery on the clock, not before; nothing committed, no signal")
    func otherConnectionCommit() async throws {
        let dir = TempDir()
        let path = dir.file("f.sqlite")
        let db = try AgentDatabase(path: path)
        let clock = ManualClock()
        let feed = ChangeFeed(database: db, clock: clock, checkEvery: .seconds(1), logger: logger)
        let signals = feed.subscribe()
        var it = signals.makeAsyncIterator()
        let running = Task { try await feed.run() }
        #expect(await Self.feedRunning(clock))

        // Nothing committed: a check passes without a signal.
        clock.advance(by: .seconds(1))
        #expect(await clock.waitForSleepers(1), "the feed checked and sleeps again")
        #expect(feed.counts == .init(committed: 0, detected: 0))

        // The CLI's own connection commits an event.
        let cli = try DatabaseQueue(path: path)
        try await cli.write { d in
            try d.execute(
                sql: """
                    INSERT INTO events(dedup_key, rule, kind, severity, state, scope, first_ms, last_ms, json)
                    VALUES ('k', 'r', 'threshold', 'warning', 'firing', 'DC-R01', 0, 0, '{}')
                    """)
        }
        // Not before checkEvery has passed: the feed still sleeps on its first deadline.
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1)
        #expect(feed.counts.detected == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await it.next() != nil)
        #expect(feed.counts == .init(committed: 0, detected: 1))

        // Quiet again: the next check finds the same version.
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(1))
        #expect(await clock.waitForSleepers(1))
        #expect(feed.counts == .init(committed: 0, detected: 1))

        // Stopping the feed finishes its subscribers' streams.
        running.cancel()
        try await running.value
        #expect(await it.next() == nil)
        var late = feed.subscribe().makeAsyncIterator()
        #expect(await late.next() == nil, "a subscription after the feed stopped is finished at once")
    }

    @Test("signals coalesce: a subscriber that has not looked gets one wake-up for many commits; dropping a subscription unsubscribes")
    func coalesced() async throws {
        let dir = TempDir()
        let db = try AgentDatabase(path: dir.file("f.sqlite"))
        let clock = ManualClock()
        let feed = ChangeFeed(database: db, clock: clock, logger: logger)
        let events = EventStore(database: db, samples: SampleStore(database: db), feed: feed)
        var dropped: AsyncStream<Void>.Iterator? = feed.subscribe().makeAsyncIterator()
        var it = feed.subscribe().makeAsyncIterator()
        #expect(feed.subscriberCount == 2)
        _ = dropped
        dropped = nil
        try await waitUntil(timeout: .seconds(10), poll: .milliseconds(1), "the dropped subscription removed") { feed.subscriberCount == 1 }
        let running = Task { try await feed.run() }
        #expect(await Self.feedRunning(clock))
        for i in 0..<5 { try await events.commit(Self.opening(at: hour0 + Int64(i) * 60_000)) }
        #expect(feed.counts.committed == 5)
        #expect(await it.next() != nil)
        // Stopping the feed finishes the stream after what it buffered: nothing is left of the
        // five signals but the one taken.
        running.cancel()
        try await running.value
        #expect(await it.next() == nil)
    }
}
