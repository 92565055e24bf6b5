import Telemetry
import SensorDrivers
import Testing

@Suite("Connection state machine: actions without sockets", .timeLimit(.minutes(1)))
struct ConnectionStateMachineTests {
    static let busy = Result<[UInt16], RequestFailure>.failure(RequestFailure(ReplyFault(.exception(.deviceBusy), "busy")))
    static let timeout = Result<[UInt16], RequestFailure>.failure(RequestFailure(.timeout, "no reply"))
    static let refused = Result<[UInt16], RequestFailure>.failure(RequestFailure(.connection, "refused"))

    @Test("a reply is delivered")
    func deliver() {
        var m = ConnectionStateMachine()
        #expect(m.received(.success([1])) == .deliver)
    }

    @Test("device busy is retried with doubling back-off, capped, then given up")
    func busyBackoff() {
        var m = ConnectionStateMachine(
            policy: RetryPolicy(busyRetries: 4, busyBackoff: .milliseconds(100), maxBackoff: .milliseconds(300), reconnects: 1))
        #expect(m.received(Self.busy) == .retry(after: .milliseconds(100)))
        #expect(m.received(Self.busy) == .retry(after: .milliseconds(200)))
        #expect(m.received(Self.busy) == .retry(after: .milliseconds(300)))
        #expect(m.received(Self.busy) == .retry(after: .milliseconds(300)))
        #expect(m.received(Self.busy) == .giveUp(dropConnection: false))
    }

    @Test("a timeout reconnects and resends once, then gives up dropping the link", arguments: [timeout, refused])
    func reconnect(_ failure: Result<[UInt16], RequestFailure>) {
        var m = ConnectionStateMachine(policy: RetryPolicy(reconnects: 1))
        #expect(m.received(failure) == .reconnect)
        #expect(m.received(failure) == .giveUp(dropConnection: true))
    }

    @Test("no reconnects configured: give up at once")
    func noReconnect() {
        var m = ConnectionStateMachine(policy: RetryPolicy(reconnects: 0))
        #expect(m.received(Self.timeout) == .giveUp(dropConnection: true))
    }

    @Test(
        "exceptions other than busy are delivered as failures without retry",
        arguments: [ModbusException.illegalAddress, .illegalFunction, .deviceFailure, .gatewayTargetFailedToRespond])
    func otherExceptions(_ e: ModbusException) {
        var m = ConnectionStateMachine()
        #expect(m.received(.failure(RequestFailure(ReplyFault(.exception(e), "x")))) == .giveUp(dropConnection: false))
    }

    @Test(
        "garbled or mismatched replies drop the connection (stale bytes)",
        arguments: [RequestFailure(.corrupted, "crc"), RequestFailure(ReplyFault(.unitMismatch, "u")), RequestFailure(ReplyFault(.byteCountMismatch, "b"))])
    func garbled(_ f: RequestFailure) {
        var m = ConnectionStateMachine()
        #expect(m.received(.failure(f)) == .giveUp(dropConnection: true))
    }

    @Test("busy after a reconnect still retries; counters are independent")
    func mixed() {
        var m = ConnectionStateMachine(policy: RetryPolicy(busyRetries: 1, busyBackoff: .milliseconds(50), reconnects: 1))
        #expect(m.received(Self.timeout) == .reconnect)
        #expect(m.received(Self.busy) == .retry(after: .milliseconds(50)))
        #expect(m.received(.success([])) == .deliver)
    }

    @Test("quality reasons: configuration exceptions are labelled as such")
    func reasons() {
        #expect(RequestFailure(ReplyFault(.exception(.illegalAddress), "illegal data address (02)")).qualityReason
            == "configuration: illegal data address (02)")
        #expect(RequestFailure(.timeout, "no reply within the response timeout").qualityReason == "no reply within the response timeout")
    }
}

@Suite("A failed exchange drops the connection at once", .timeLimit(.minutes(1)))
struct StaleBytesTests {
    @Test("timeouts, broken links, garbled or mismatched replies may leave bytes on the link; an exception reply does not")
    func staleBytes() {
        let cases: [(RequestFailure.Code, Bool)] = [
            (.timeout, true), (.connection, true), (.corrupted, true),
            (.reply(.exception(ModbusException(code: 2))), false), (.reply(.unitMismatch), true), (.cancelled, false),
        ]
        for (code, stale) in cases {
            #expect(ConnectionStateMachine.leavesStaleBytes(.failure(RequestFailure(code, "x"))) == stale, "\(code)")
        }
        #expect(!ConnectionStateMachine.leavesStaleBytes(.success([1])))
    }
}
