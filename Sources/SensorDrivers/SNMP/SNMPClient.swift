import CNetSNMP
import Dispatch
public import Logging

/// An SNMP manager for one target: GET of many varbinds and GETBULK walks, on net-snmp's
/// single-session API.
///
/// The session lives on the client's own serial queue (a net-snmp session belongs to one thread at
/// a time); callers await results without blocking Swift's cooperative pool.
public final class SNMPClient: Sendable {
    /// The agent this client talks to.
    public let target: SNMPTarget
    private let queue: DispatchQueue
    private let box: SessionBox
    private let logger: Logger

    /// Creates a client; the session opens on the first request.
    public init(target: SNMPTarget, logger: Logger) {
        self.target = target
        self.queue = DispatchQueue(label: "dcagent.snmp.\(target.peerName)")
        self.box = SessionBox(NetSNMPSession(target: target))
        self.logger = logger
    }

    /// GETs `oids`, at most `maxVarBinds` per request, and returns one varbind per OID in order.
    ///
    /// A `tooBig` reply halves the batch; a v1 `noSuchName` marks that OID `noSuchObject` and asks
    /// again for the rest. Throws ``SNMPError`` on timeout or when the device cannot be read.
    public func get(_ oids: [SNMPOID], maxVarBinds: Int = 32) async throws -> [SNMPVarBind] {
        let isV1 = if case .v1 = target.version { true } else { false }
        let target = self.target
        let logger = self.logger
        return try await onQueue { session in
            var out: [SNMPVarBind] = []
            var start = 0
            var batch = max(1, maxVarBinds)
            while start < oids.count {
                var window = min(batch, oids.count - start)
                var asked = Array(start..<(start + window))
                var missing: [Int: SNMPVarBind] = [:]
                var answered: [SNMPVarBind] = []
                while !asked.isEmpty {
                    let reply = try session.request(Int32(DCA_SNMP_MSG_GET), asked.map { oids[$0] })
                    if reply.errorStatus == Int(SNMP_ERR_TOOBIG), window > 1 {
                        logger.debug("SNMP tooBig: halving the GET batch", metadata: ["snmp.varbinds": "\(window)"])
                        batch = max(1, window / 2)
                        window = batch
                        asked = Array(start..<(start + window))
                        missing = [:]
                    } else if isV1, reply.errorStatus == Int(SNMP_ERR_NOSUCHNAME),
                        (1...asked.count).contains(reply.errorIndex)
                    {
                        let gone = asked.remove(at: reply.errorIndex - 1)
                        missing[gone] = SNMPVarBind(oid: oids[gone], value: .noSuchObject)
                    } else if reply.errorStatus != 0 {
                        throw SNMPError.agent(
                            target, "GET error status \(reply.errorStatus) at varbind \(reply.errorIndex)")
                    } else {
                        guard reply.varBinds.count == asked.count else {
                            throw SNMPError.agent(
                                target, "GET of \(asked.count) varbinds answered with \(reply.varBinds.count)")
                        }
                        answered = reply.varBinds
                        break
                    }
                }
                var next = answered.makeIterator()
                for i in start..<(start + window) {
                    out.append(missing[i] ?? next.next() ?? SNMPVarBind(oid: oids[i], value: .noSuchObject))
                }
                start += window
            }
            return out
        }
    }

    /// Walks the subtree under `root` with GETBULK (GETNEXT for v1) and returns its varbinds in order.
    /// Stops at the end of the subtree, at `endOfMibView`, or when an agent's OIDs stop increasing.
    public func walk(_ root: SNMPOID, maxRepetitions: Int = 25) async throws -> [SNMPVarBind] {
        let isV1 = if case .v1 = target.version { true } else { false }
        let target = self.target
        return try await onQueue { session in
            var out: [SNMPVarBind] = []
            var cursor = root
            walking: while true {
                let reply =
                    isV1
                    ? try session.request(Int32(DCA_SNMP_MSG_GETNEXT), [cursor])
                    : try session.request(Int32(DCA_SNMP_MSG_GETBULK), [cursor], maxRepetitions: max(1, maxRepetitions))
                if reply.errorStatus == Int(SNMP_ERR_NOSUCHNAME) && isV1 { break }  // v1 end of MIB
                guard reply.errorStatus == 0 else {
                    throw SNMPError.agent(target, "walk error status \(reply.errorStatus) under \(root)")
                }
                if reply.varBinds.isEmpty { break }
                for vb in reply.varBinds {
                    if vb.value == .endOfMibView || !vb.oid.isInside(root) { break walking }
                    guard cursor < vb.oid else {
                        throw SNMPError.agent(target, "walk under \(root): OID \(vb.oid) does not increase")
                    }
                    out.append(vb)
                    cursor = vb.oid
                }
            }
            return out
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (NetSNMPSession) throws -> T) async throws -> T {
        let box = self.box
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(box.session) })
            }
        }
    }
}

/// Holds the session; only the client's serial queue touches it.
private final class SessionBox: @unchecked Sendable {
    let session: NetSNMPSession
    init(_ session: NetSNMPSession) { self.session = session }
}
