import Foundation
public import GRDB
public import Telemetry
import Crypto
import Glibc

/// The append-only audit trail of DESIGN decision 6 (Lampiran II J.3): every change names its
/// actor; each row carries an HMAC-SHA256 over the canonical JSON of the row and the previous
/// row's MAC, keyed by a secret file; the latest (count, MAC) is mirrored in an anchor file
/// outside the database, so editing a row, deleting any row (the last one too) or recomputing
/// the chain without the key is detected by ``verify()``.
public struct AuditTrail: Sendable {
    let database: AgentDatabase
    /// The key file (hex, mode 0600, created on first use).
    public let keyFile: String
    /// The anchor file holding `count mac` of the latest row.
    public let anchorFile: String
    private let key: SymmetricKey

    /// The MAC before the first row.
    public static let genesis = String(repeating: "0", count: 64)

    /// Opens the trail, creating the key file (mode 0600) when it does not exist.
    public init(database: AgentDatabase, keyFile: String, anchorFile: String) throws {
        self.database = database
        self.keyFile = keyFile
        self.anchorFile = anchorFile
        self.key = try Self.loadOrCreateKey(keyFile)
    }

    /// One audit row.
    public struct Entry: Sendable, Equatable, Codable {
        /// Position in the chain, from 1.
        public var seq: Int64
        /// When it was written.
        public var time: Timestamp
        /// Who acted.
        public var actor: String
        /// What was done (`user.add`, `checklist.approve`, …).
        public var action: String
        /// What it was done to (`user/alice`, `device/DC-R05-SRV1`).
        public var object: String
        /// Details as string pairs.
        public var details: [String: String]
        /// The previous row's MAC.
        public var prevMAC: String
        /// This row's MAC.
        public var mac: String
    }

    /// What ``verify()`` found.
    public struct Verification: Sendable, Equatable {
        /// Rows in the chain.
        public var rows: Int
        /// MAC of the last row (or the genesis value).
        public var lastMAC: String
        /// The anchor's (count, MAC), if the anchor file exists.
        public var anchor: (count: Int, mac: String)?
        /// Tampering found: each names the row and what is wrong. Empty when the chain is intact.
        public var problems: [String]
        /// Things that are not tampering but need a look (the anchor lags after a crash).
        public var warnings: [String]
        /// True when no problem was found.
        public var intact: Bool { problems.isEmpty }

        public static func == (a: Verification, b: Verification) -> Bool {
            a.rows == b.rows && a.lastMAC == b.lastMAC && a.problems == b.problems && a.warnings == b.warnings
                && a.anchor?.count == b.anchor?.count && a.anchor?.mac == b.anchor?.mac
        }
    }

    // MARK: Writing

    /// Applies `change` and appends its audit row in one transaction, then advances the anchor.
    public func append(
        actor: String, action: String, object: String, details: [String: String],
        _ change: (Database) throws -> Void = { _ in }
    ) throws {
        try append(actor: actor, action: action, object: object) { db in
            try change(db)
            return details
        }
    }

    /// Applies `change` and appends its audit row in one transaction, where the change itself
    /// says what it did: the details it returns are the row's.
    public func append(actor: String, action: String, object: String, detailing change: (Database) throws -> [String: String]) throws {
        let lock = try FileLock(path: anchorFile + ".lock")
        try lock.lockExclusive()
        defer { lock.unlock() }
        let (count, mac) = try database.writer.write { db -> (Int, String) in
            let details = try change(db)
            let last = try Row.fetchOne(db, sql: "SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1")
            let seq: Int64 = (last?[0] as Int64? ?? 0) + 1
            let prev: String = last?[1] ?? Self.genesis
            let t = Timestamp.now
            let mac = try self.mac(seq: seq, time: t, actor: actor, action: action, object: object, details: details, prev: prev)
            try db.execute(
                sql: "INSERT INTO audit_log(seq, t, actor, action, object, details, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [seq, t.milliseconds, actor, action, object, try Self.canonical(details), prev, mac])
            return (Int(seq), mac)
        }
        try writeAnchor(count: count, mac: mac)
    }

    /// The latest `limit` rows, newest last.
    public func entries(limit: Int = 100) throws -> [Entry] {
        try database.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM (SELECT seq, t, actor, action, object, details, prev_mac, mac FROM audit_log ORDER BY seq DESC LIMIT ?) ORDER BY seq",
                arguments: [limit]
            ).map(Self.entry)
        }
    }

    static func entry(_ row: Row) -> Entry {
        let detailsText: String = row[5]
        let details = (try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8))) ?? ["_unparsed": detailsText]
        return Entry(
            seq: row[0], time: Timestamp(milliseconds: row[1]), actor: row[2], action: row[3], object: row[4], details: details,
            prevMAC: row[6], mac: row[7])
    }

    // MARK: Verifying

    /// Recomputes the whole chain with the key and compares its end with the anchor file.
    ///
    /// The anchor is read before the chain: a row appended meanwhile then shows as an anchor
    /// that lags (a warning), never as rows deleted at the end.
    public func verify() throws -> Verification {
        let anchor = readAnchor()
        let chain = try database.writer.read { try self.chain($0) }
        return verification(chain, anchor: anchor)
    }

    /// What recomputing the chain found, before the anchor is compared.
    struct Chain {
        var rows = 0
        var lastMAC = AuditTrail.genesis
        var problems: [String] = []
    }

    /// Recomputes every row's MAC, in order, in one read transaction.
    func chain(_ db: Database) throws -> Chain {
        var chain = Chain()
        var expectedSeq: Int64 = 1
        let cursor = try Row.fetchCursor(db, sql: "SELECT seq, t, actor, action, object, details, prev_mac, mac FROM audit_log ORDER BY seq")
        while let row = try cursor.next() {
            chain.rows += 1
            let seq: Int64 = row[0]
            let detailsText: String = row[5]
            let prev: String = row[6]
            let stored: String = row[7]
            if seq != expectedSeq {
                chain.problems.append("row \(expectedSeq)\(seq > expectedSeq ? "–\(seq - 1)" : "") missing (next row is \(seq))")
            }
            if prev != chain.lastMAC {
                chain.problems.append("row \(seq): its link to the previous row is broken (a row before it was removed or changed)")
            }
            let recomputed = try macOverText(seq: seq, t: row[1], actor: row[2], action: row[3], object: row[4], detailsJSON: detailsText, prev: prev)
            if recomputed != stored {
                chain.problems.append("row \(seq): MAC does not match its content (the row was edited, or the chain was recomputed without the key)")
            }
            chain.lastMAC = stored
            expectedSeq = seq + 1
        }
        return chain
    }

    /// The chain's end held against the anchor file's (count, MAC).
    func verification(_ chain: Chain, anchor: (count: Int, mac: String)?) -> Verification {
        var problems = chain.problems
        var warnings: [String] = []
        let rows = chain.rows
        if let anchor {
            if anchor.count > rows {
                problems.append("the anchor file records \(anchor.count) rows but the chain has \(rows): rows were deleted at the end")
            } else if anchor.count == rows && anchor.mac != chain.lastMAC {
                problems.append("the anchor file's MAC differs from the last row's: the last row was changed or the chain replaced")
            } else if anchor.count < rows {
                warnings.append("the anchor file lags the chain (\(anchor.count) < \(rows) rows); it is advanced on the next change")
            }
        } else if rows > 0 {
            problems.append("the anchor file \(anchorFile) is missing while the chain has \(rows) rows")
        }
        return Verification(rows: rows, lastMAC: chain.lastMAC, anchor: anchor, problems: problems, warnings: warnings)
    }

    // MARK: MACs and canonical JSON

    private struct CanonicalRow: Encodable {
        var seq: Int64
        var t: Int64
        var actor: String
        var action: String
        var object: String
        var details: [String: String]
        var prev: String
    }

    private func mac(seq: Int64, time: Timestamp, actor: String, action: String, object: String, details: [String: String], prev: String) throws
        -> String
    {
        try macOver(CanonicalRow(seq: seq, t: time.milliseconds, actor: actor, action: action, object: object, details: details, prev: prev))
    }

    private func macOverText(seq: Int64, t: Int64, actor: String, action: String, object: String, detailsJSON: String, prev: String) throws
        -> String
    {
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsJSON.utf8)) else {
            return "unparseable details"
        }
        return try macOver(CanonicalRow(seq: seq, t: t, actor: actor, action: action, object: object, details: details, prev: prev))
    }

    private func macOver(_ row: CanonicalRow) throws -> String {
        let data = try Self.encoder.encode(row)
        let code = HMAC<SHA256>.authenticationCode(for: data, using: key)
        return SecretText.hex(code)
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// Canonical JSON (sorted keys, UTF-8, no insignificant whitespace) of string pairs.
    static func canonical(_ details: [String: String]) throws -> String {
        String(decoding: try encoder.encode(details), as: UTF8.self)
    }

    // MARK: Files

    func readAnchor() -> (count: Int, mac: String)? {
        guard let text = try? String(contentsOfFile: anchorFile, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, let n = Int(parts[0]) else { return nil }
        return (n, String(parts[1]))
    }

    private func writeAnchor(count: Int, mac: String) throws {
        let tmp = anchorFile + ".tmp"
        try AtomicFile.write("\(count) \(mac)\n", to: anchorFile, temporary: tmp, mode: 0o644)
    }

    private static func loadOrCreateKey(_ path: String) throws -> SymmetricKey {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let hex = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard hex.count >= 64, let bytes = Self.hexBytes(hex) else {
                throw StoreError.audit("audit key file \(path) does not hold a hex key of at least 32 bytes")
            }
            return SymmetricKey(data: bytes)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw StoreError.audit("cannot create audit key file \(path): \(String(cString: strerror(errno)))")
        }
        let key = SymmetricKey(size: .bits256)
        let hex = key.withUnsafeBytes { SecretText.hex($0) } + "\n"
        let ok = hex.withCString { p in Glibc.write(fd, p, strlen(p)) == strlen(p) }
        fsync(fd)
        close(fd)
        guard ok else { throw StoreError.audit("cannot write audit key file \(path)") }
        return key
    }

    private static func hexBytes(_ hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        while let a = it.next() {
            guard let b = it.next(), let hi = nibble(a), let lo = nibble(b) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
