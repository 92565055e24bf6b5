import CNetSNMP
import Foundation

/// One net-snmp single-session handle (`snmp_sess_open` / `snmp_sess_synch_response`).
///
/// Not thread-safe by design: a session belongs to one thread at a time, so an ``SNMPClient`` only
/// touches it from its own serial queue.
final class NetSNMPSession {
    /// A reply PDU, already decoded.
    struct Reply {
        var errorStatus: Int
        var errorIndex: Int
        var varBinds: [SNMPVarBind]
    }

    let target: SNMPTarget
    private var handle: UnsafeMutableRawPointer?
    /// True once a request of this session was answered.
    private var answered = false

    init(target: SNMPTarget) { self.target = target }

    deinit {
        if let handle { NetSNMPLibrary.withSharedState { _ = snmp_sess_close(handle) } }
    }

    /// Opens the session on first use (v3: engine discovery happens on the first request).
    func openIfNeeded() throws(SNMPError) -> UnsafeMutableRawPointer {
        if let handle { return handle }
        NetSNMPLibrary.ensureInitialised()
        var s = netsnmp_session()
        snmp_sess_init(&s)
        var allocated: [UnsafeMutableRawPointer] = []
        defer { allocated.forEach { free($0) } }
        func dup(_ text: String) -> UnsafeMutablePointer<CChar> {
            let p = strdup(text)!
            allocated.append(UnsafeMutableRawPointer(p))
            return p
        }
        s.peername = dup(target.peerName)
        s.timeout = Int(max(0.001, target.timeout) * 1_000_000)
        s.retries = Int32(max(0, target.retries))
        switch target.version {
        case .v1(let community), .v2c(let community):
            if case .v1 = target.version {
                s.version = Int(DCA_SNMP_VERSION_1)
            } else {
                s.version = Int(DCA_SNMP_VERSION_2c)
            }
            let c = dup(community.reveal)
            s.community = UnsafeMutableRawPointer(c).assumingMemoryBound(to: u_char.self)
            s.community_len = strlen(c)
        case .v3(let cred):
            s.version = Int(DCA_SNMP_VERSION_3)
            s.securityName = dup(cred.user)
            s.securityNameLen = strlen(s.securityName)
            try configureUSM(&s, cred)
        }
        let opened = NetSNMPLibrary.withSharedState { snmp_sess_open(&s) }
        guard let h = opened else {
            var lib: Int32 = 0
            var sys: Int32 = 0
            var text: UnsafeMutablePointer<CChar>?
            snmp_error(&s, &sys, &lib, &text)
            let message = text.map { String(cString: $0) } ?? "unknown error"
            free(text)
            throw .session(target, "cannot open session: \(message)")
        }
        handle = h
        return h
    }

    private func configureUSM(_ s: inout netsnmp_session, _ cred: SNMPv3Credentials) throws(SNMPError) {
        switch cred.level {
        case .noAuthNoPriv: s.securityLevel = Int32(DCA_SNMP_SEC_LEVEL_NOAUTH)
        case .authNoPriv: s.securityLevel = Int32(DCA_SNMP_SEC_LEVEL_AUTHNOPRIV)
        case .authPriv: s.securityLevel = Int32(DCA_SNMP_SEC_LEVEL_AUTHPRIV)
        }
        guard cred.level != .noAuthNoPriv else { return }
        guard let authProtocol = cred.authProtocol, let authKey = cred.authKey else {
            throw .authentication(target, "\(cred.level.rawValue) needs an auth protocol and key")
        }
        let (authOID, authLen) = try protocolOID(
            authProtocol.rawValue, what: "auth", type: { usm_lookup_auth_type($0) }, oidOf: { sc_get_auth_oid($0, $1) })
        s.securityAuthProto = authOID
        s.securityAuthProtoLen = authLen
        s.securityAuthKeyLen = try localKey(authOID, authLen, authKey, into: &s.securityAuthKey, what: "auth")
        guard cred.level == .authPriv else { return }
        guard let privProtocol = cred.privProtocol, let privKey = cred.privKey else {
            throw .authentication(target, "authPriv needs a priv protocol and key")
        }
        let (privOID, privLen) = try protocolOID(
            privProtocol.rawValue, what: "priv", type: { usm_lookup_priv_type($0) }, oidOf: { sc_get_priv_oid($0, $1) })
        s.securityPrivProto = privOID
        s.securityPrivProtoLen = privLen
        s.securityPrivKeyLen = try localKey(authOID, authLen, privKey, into: &s.securityPrivKey, what: "priv")
    }

    /// The library's OID (and its length) of an auth or priv protocol named as net-snmp names it
    /// (`SHA-256`, `AES`): `type` looks the name up, `oidOf` gives the type's OID.
    private func protocolOID(
        _ name: String, what: String, type: (String) -> Int32, oidOf: (Int32, UnsafeMutablePointer<Int>) -> UnsafeMutablePointer<oid>?
    ) throws(SNMPError) -> (UnsafeMutablePointer<oid>, Int) {
        var length = 0
        let t = type(name)
        guard t > 0, let o = oidOf(t, &length) else {
            throw .authentication(target, "net-snmp does not offer \(what) protocol \(name)")
        }
        return (o, length)
    }

    /// Derives Ku from a pass phrase with the auth hash (`generate_Ku`); net-snmp localises it on open.
    private func localKey<Key>(
        _ hash: UnsafeMutablePointer<oid>, _ hashLen: Int, _ phrase: Secret, into key: inout Key, what: String
    ) throws(SNMPError) -> Int {
        let bytes = Array(phrase.reveal.utf8)
        guard bytes.count >= 8 else {
            throw .authentication(target, "\(what) pass phrase is shorter than 8 characters")
        }
        var length = MemoryLayout<Key>.size
        let rc = withUnsafeMutableBytes(of: &key) { raw in
            bytes.withUnsafeBufferPointer { phraseBuf in
                generate_Ku(
                    hash, UInt32(hashLen), phraseBuf.baseAddress, phraseBuf.count,
                    raw.baseAddress!.assumingMemoryBound(to: u_char.self), &length)
            }
        }
        guard rc == SNMPERR_SUCCESS else {
            throw .authentication(target, "cannot derive the \(what) key (error \(rc))")
        }
        return length
    }

    /// Sends one request PDU and waits for its reply (`snmp_sess_synch_response`).
    func request(_ command: Int32, _ oids: [SNMPOID], maxRepetitions: Int = 0) throws(SNMPError) -> Reply {
        let h = try openIfNeeded()
        guard let pdu = snmp_pdu_create(command) else { throw .session(target, "cannot allocate a PDU") }
        if command == Int32(DCA_SNMP_MSG_GETBULK) {
            pdu.pointee.errstat = 0  // non-repeaters
            pdu.pointee.errindex = maxRepetitions  // max-repetitions
        }
        for o in oids {
            let arcs = o.components.map { oid($0) }
            arcs.withUnsafeBufferPointer { _ = snmp_add_null_var(pdu, $0.baseAddress, $0.count) }
        }
        var response: UnsafeMutablePointer<netsnmp_pdu>?
        // The library frees `pdu` in every case.
        let status =
            if case .v3 = target.version {
                NetSNMPLibrary.withSharedState { snmp_sess_synch_response(h, pdu, &response) }
            } else {
                snmp_sess_synch_response(h, pdu, &response)
            }
        defer { if let response { snmp_free_pdu(response) } }
        switch status {
        case Int32(DCA_STAT_SUCCESS):
            guard let r = response else { throw .session(target, "empty reply") }
            answered = true
            return Reply(errorStatus: r.pointee.errstat, errorIndex: r.pointee.errindex, varBinds: Self.varBinds(r))
        case Int32(DCA_STAT_TIMEOUT):
            // An authPriv session opened (the agent answered engine discovery) but never answered.
            if !answered, case .v3(let cred) = target.version, cred.level == .authPriv { throw .timeout(target, afterDiscovery: true) }
            throw .timeout(target)
        default:
            var lib: Int32 = 0
            var sys: Int32 = 0
            var text: UnsafeMutablePointer<CChar>?
            snmp_sess_error(h, &sys, &lib, &text)  // (errno, snmp errno, text)
            let message = text.map { String(cString: $0) } ?? "unknown error"
            free(text)
            // SNMPv3 discovers the agent's engine before the first request is sent; when nothing
            // answers the discovery, the send fails with a timeout: the device is not there.
            if lib == SNMPERR_TIMEOUT { throw .timeout(target) }
            if lib == SNMPERR_DECRYPTION_ERR || lib == SNMPERR_USM_DECRYPTIONERROR {
                throw .authentication(target, "\(message): check the privacy key and protocol")
            }
            if Self.isUSMError(lib) { throw .authentication(target, message) }
            throw .session(target, message)
        }
    }

    private static func isUSMError(_ code: Int32) -> Bool {
        [
            SNMPERR_AUTHENTICATION_FAILURE, SNMPERR_UNKNOWN_USER_NAME, SNMPERR_UNSUPPORTED_SEC_LEVEL,
            SNMPERR_DECRYPTION_ERR, SNMPERR_NOT_IN_TIME_WINDOW, SNMPERR_UNKNOWN_ENG_ID,
            SNMPERR_USM_AUTHENTICATIONFAILURE,
            SNMPERR_USM_UNKNOWNSECURITYNAME, SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL, SNMPERR_USM_DECRYPTIONERROR,
            SNMPERR_USM_NOTINTIMEWINDOW, SNMPERR_USM_UNKNOWNENGINEID,
        ].contains(code)
    }

    private static func varBinds(_ pdu: UnsafeMutablePointer<netsnmp_pdu>) -> [SNMPVarBind] {
        var out: [SNMPVarBind] = []
        var cursor = pdu.pointee.variables
        while let v = cursor {
            let arcs = (0..<v.pointee.name_length).map { UInt32(truncatingIfNeeded: v.pointee.name[$0]) }
            let name = SNMPOID(components: arcs) ?? SNMPOID(unchecked: arcs)
            var payload: [UInt8] = []
            if v.pointee.val_len > 0, let p = v.pointee.val.string {
                payload = Array(UnsafeBufferPointer(start: p, count: v.pointee.val_len))
            }
            let result = Result { () throws(SNMPValueFault) in
                try SNMPValue.decode(tag: v.pointee.type, payload: payload)
            }
            out.append(SNMPVarBind(oid: name, result: result))
            cursor = v.pointee.next_variable
        }
        return out
    }
}
