import AgentStore
import ContaminationRules
import Foundation
import Logging
import Synchronization
import Telemetry
import Testing

/// A correlation member's link (issue 15) shows the ticket its parent's opening became, whether
/// it joined before the ticket was made or after: the event page says which ticket it became.
@Suite("ITSM store: a correlation member's link shows its parent's ticket", .timeLimit(.minutes(1)))
struct ITSMStoreCorrelationTests {
    static let t0 = Timestamp(milliseconds: 1_796_000_000_000)
    static let parent = OpeningKey(dedupKey: "inlet-hot|DC-R05-TH1|DC-R05-TH1/temperature", firstSeen: t0)

    /// The policy state of a member of `parent`, as the ITSM service stores it (the part the
    /// store reads: `parent`).
    static func memberPolicy(of parent: OpeningKey) -> Data {
        Data(
            #"{"parent":{"dedupKey":"\#(parent.dedupKey)","firstSeen":{"milliseconds":\#(parent.firstSeen.milliseconds)}},"phase":{"open":{}}}"#
                .utf8)
    }

    static func member(_ n: Int, target: String = "builtin", of parent: OpeningKey = parent) -> TicketLink {
        TicketLink(
            target: target,
            opening: OpeningKey(dedupKey: "inlet-hot|DC-R05-TH\(n)|DC-R05-TH\(n)/temperature", firstSeen: t0.adding(seconds: Double(n))),
            eventID: Int64(n), ticket: nil, state: "open", reason: "member of \(parent)", updated: t0, policy: memberPolicy(of: parent))
    }

    @Test("members linked before the ticket was made get it when it is; members linked after take it; others are untouched")
    func memberTicket() async throws {
        let dir = TempDir()
        let store = try SiteStore(
            path: dir.file("i.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"),
            logger: Logger(label: "t"))
        let open = OutboxItem(
            target: "builtin", idempotencyKey: "builtin|\(Self.parent)/open/1", opening: Self.parent, eventID: 1, action: "open",
            payload: Data("{}".utf8))
        let parentLink = TicketLink(
            target: "builtin", opening: Self.parent, eventID: 1, ticket: nil, state: "open", reason: "opened", updated: Self.t0,
            policy: Data("{}".utf8))
        let unrelated = OpeningKey(dedupKey: "door-open|DC-R05|", firstSeen: Self.t0)
        // Member 2 of the parent, a member of another opening, the parent's member at another
        // target, and a link whose policy is no JSON at all.
        var odd = Self.member(9)
        odd.policy = Data("not json".utf8)
        try await store.itsm.apply(
            [open], links: [parentLink, Self.member(2), Self.member(3, of: unrelated), Self.member(4, target: "rt"), odd], now: Self.t0)
        #expect(try await store.itsm.links(of: Self.member(2).opening).first?.ticket == nil, "no ticket yet")
        let due = try await store.itsm.due(target: "builtin", now: Self.t0)
        #expect(due.map(\.item.action) == ["open"])
        try await store.itsm.markSent(due[0].id, ticket: "INC-000001", now: Self.t0.adding(seconds: 1))
        #expect(try await store.itsm.links(of: Self.parent).map(\.ticket) == ["INC-000001"])
        #expect(try await store.itsm.links(of: Self.member(2).opening).map(\.ticket) == ["INC-000001"])
        #expect(try await store.itsm.links(ofEvents: [2])[2]?.map(\.ticket) == ["INC-000001"], "the event page reads it by event")
        #expect(try await store.itsm.links(of: Self.member(3, of: unrelated).opening).first?.ticket == nil)
        #expect(
            try await store.itsm.links(of: Self.member(4, target: "rt").opening).first?.ticket == nil, "another target's ticket is its own")
        #expect(try await store.itsm.links(of: odd.opening).first?.ticket == nil)
        // A member that joins once the ticket is made takes it as it is written.
        try await store.itsm.apply([], links: [Self.member(5)], now: Self.t0.adding(seconds: 2))
        #expect(try await store.itsm.links(of: Self.member(5).opening).map(\.ticket) == ["INC-000001"])
        // Its later states keep it.
        var later = Self.member(5)
        later.state = "resolved"
        try await store.itsm.apply([], links: [later], now: Self.t0.adding(seconds: 3))
        #expect(try await store.itsm.links(of: later.opening).map(\.ticket) == ["INC-000001"])
    }

    @Test("a step hands the decision every active link, not only those of its changes' keys")
    func activeLinksInStep() async throws {
        let dir = TempDir()
        let store = try SiteStore(
            path: dir.file("i.sqlite"), auditKeyFile: dir.file("audit.key"), auditAnchorFile: dir.file("audit.anchor"),
            logger: Logger(label: "t"))
        let parentLink = TicketLink(
            target: "builtin", opening: Self.parent, eventID: nil, ticket: nil, state: "open", reason: "opened", updated: Self.t0)
        var done = Self.member(6)
        done.state = "resolved"
        try await store.itsm.apply([], links: [parentLink, done], now: Self.t0)
        let helper = EventStoreTests()
        try await store.events.commit(
            helper.checkpoint([helper.change(.opened, helper.event(.firing, .warning, at: hour0), at: hour0)], at: hour0))
        let seen = Mutex<[String]>([])
        try await store.itsm.advance(consumer: "itsm", target: "builtin") { changes, latest in
            seen.withLock { $0 = latest.keys.sorted() }
            return ([], [])
        }
        let keys = seen.withLock { $0 }
        #expect(!keys.contains(done.opening.dedupKey), "a finished link is not handed over: \(keys)")
        #expect(keys == [Self.parent.dedupKey], "the change's own key has no link yet; the active one is there: \(keys)")
    }
}
