public import Telemetry
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Raw samples, their points and hourly rollups (DESIGN decisions 2 and 8).
///
/// Writing a batch inserts each sample once (a sample read again, such as a particle-counter
/// record with its own timestamp, is ignored), and folds the inserted values with a value into
/// the hourly rollup of their point, in the same transaction: when the batch is acknowledged,
/// its rollups exist.
public final class SampleStore: Sendable {
    /// The database underneath.
    public let database: AgentDatabase
    private let pointIDs = Mutex<[PointID: Int64]>([:])
    /// Descriptors this store registered in committed transactions: registering one again costs
    /// nothing.
    private let describedPoints = Mutex<[PointID: PointDescriptor]>([:])

    /// Creates the repository over a database.
    public init(database: AgentDatabase) { self.database = database }

    /// The outcome of writing one batch.
    public struct BatchResult: Sendable, Equatable {
        /// Samples newly stored.
        public var inserted: Int
        /// Samples already stored (same point and time), ignored.
        public var duplicates: Int
    }

    /// Writes readings in one transaction; returns when it has committed.
    @discardableResult
    public func write(_ readings: [Reading], descriptors: [PointID: PointDescriptor] = [:]) throws -> BatchResult {
        guard !readings.isEmpty else { return BatchResult(inserted: 0, duplicates: 0) }
        let (result, newlyKnown) = try database.writer.write { db in try self.insert(readings, descriptors: descriptors, db) }
        remember(newlyKnown)
        return result
    }

    /// Writes the batch writer's items in ONE transaction, in order, through GRDB's own async
    /// write (the writer's serial queue, off the caller's thread): point registrations before
    /// the readings after them; health reports need no SQL. Returns when it has committed; a
    /// batch with nothing to write touches no database.
    @discardableResult
    public func write(_ items: [IngestItem]) async throws -> BatchResult {
        let described = describedPoints.withLock { $0 }
        let needsSQL = items.contains { item in
            switch item {
            case .readings(let rs): !rs.isEmpty
            case .points(let ds): ds.contains { described[$0.id] != $0 }
            case .health: false
            }
        }
        guard needsSQL else { return BatchResult(inserted: 0, duplicates: 0) }
        let (result, learnt) = try await database.writer.write { db in try self.ingest(items, db) }
        remember(learnt.ids)
        rememberDescribed(learnt.described)
        return result
    }

    /// What a transaction learnt about points, remembered once it has committed.
    struct Learnt {
        var ids: [PointID: Int64] = [:]
        var described: [PointID: PointDescriptor] = [:]
    }

    /// Writes ingest items inside the caller's transaction.
    func ingest(_ items: [IngestItem], _ db: Database) throws -> (BatchResult, Learnt) {
        var learnt = Learnt()
        var total = BatchResult(inserted: 0, duplicates: 0)
        for item in items {
            switch item {
            case .points(let ds):
                for d in ds { try describe(d, db, &learnt) }
            case .readings(let rs):
                let (r, ids) = try insert(rs, descriptors: [:], db, alsoKnown: learnt.ids)
                total.inserted += r.inserted
                total.duplicates += r.duplicates
                learnt.ids.merge(ids) { a, _ in a }
            case .health:
                continue
            }
        }
        return (total, learnt)
    }

    /// Registers one descriptor in a transaction: nothing at all when this store registered the
    /// same descriptor before, an UPDATE only when the stored one differs.
    private func describe(_ d: PointDescriptor, _ db: Database, _ learnt: inout Learnt) throws {
        if learnt.described[d.id] == d || describedPoints.withLock({ $0[d.id] == d }) { return }
        let id = try Self.ensurePoint(db, d.id, d, update: true)
        learnt.ids[d.id] = id
        learnt.described[d.id] = d
    }

    /// Remembers descriptors registered in a transaction that has committed.
    func rememberDescribed(_ described: [PointID: PointDescriptor]) {
        if !described.isEmpty {
            describedPoints.withLock { $0.merge(described) { _, new in new } }
        }
    }

    /// Remembers point row ids learnt in a transaction that has committed.
    func remember(_ newlyKnown: [PointID: Int64]) {
        if !newlyKnown.isEmpty {
            pointIDs.withLock { $0.merge(newlyKnown) { a, _ in a } }
        }
    }

    /// Inserts readings and folds them into the rollups inside the caller's transaction (the
    /// rules engine writes derived points with its events and state). Returns the point ids
    /// learnt, to ``remember(_:)`` once the transaction has committed.
    ///
    /// The hot path of ingest (docs/benchmarks.md, "Store ingest"): the batch is reduced to plain
    /// rows (point row id, time, value, quality), sorted by (point, time, place in the batch) and
    /// written through the INSERT's own `sqlite3_stmt` — no `StatementArguments` per row. Sorted
    /// rows hit the samples B-tree in key order, and the rows of one (point, hour) come together,
    /// so each hour's rollup is folded in a running accumulator and upserted once per batch, in
    /// key order too. Inside a batch the first submitted of two readings with the same point and
    /// time is the one stored (the sort keeps submission order among equal keys), as before.
    func insert(
        _ readings: [Reading], descriptors: [PointID: PointDescriptor], _ db: Database, alsoKnown: [PointID: Int64] = [:]
    ) throws -> (BatchResult, [PointID: Int64]) {
        guard !readings.isEmpty else { return (BatchResult(inserted: 0, duplicates: 0), [:]) }
        // Row ids of the points, looked up under one lock without copying the map; unknown points
        // (-1) are registered below, in this transaction.
        var pids = [Int64](repeating: -1, count: readings.count)
        var unknown = false
        pointIDs.withLock { map in
            for (i, r) in readings.enumerated() {
                if let id = map[r.point] ?? alsoKnown[r.point] {
                    pids[i] = id
                } else {
                    unknown = true
                }
            }
        }
        var newlyKnown: [PointID: Int64] = [:]
        if unknown {
            for (i, r) in readings.enumerated() where pids[i] < 0 {
                if let id = newlyKnown[r.point] {
                    pids[i] = id
                } else {
                    let id = try Self.ensurePoint(db, r.point, descriptors[r.point])
                    newlyKnown[r.point] = id
                    pids[i] = id
                }
            }
        }
        var rows = [SampleRow]()
        rows.reserveCapacity(readings.count)
        for (i, r) in readings.enumerated() {
            rows.append(
                SampleRow(
                    point: pids[i], t: r.time.milliseconds, value: r.isUsable ? r.value : .nan,
                    quality: Int32(Self.qualityCode(r.quality)), index: Int32(truncatingIfNeeded: i)))
        }
        if !rows.isSorted() { rows.sort() }

        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO samples(point_id, t, value, quality, reason) VALUES (?, ?, ?, ?, ?)")
        let upsert = try db.cachedStatement(sql: Self.rollupUpsertSQL)
        let raw = RawInsert(statement: insert, db)
        var inserted = 0
        var duplicates = 0
        var open: (key: RollupKey, rollup: Rollup)?
        for row in rows {
            let reason = row.quality == 2 ? readings[Int(row.index)].quality.reason : nil
            guard try raw.insert(row, reason: reason) else {
                duplicates += 1
                continue
            }
            inserted += 1
            guard !row.value.isNaN else { continue }  // stored, not rolled up
            let key = RollupKey(point: row.point, hour: Timestamp(milliseconds: row.t).hourStart.milliseconds)
            if open?.key != key {
                if let o = open { try Self.upsert(o.key, o.rollup, upsert) }
                open = (key, Rollup())
            }
            open!.rollup.add(row.value, at: row.t)
        }
        if let o = open { try Self.upsert(o.key, o.rollup, upsert) }
        return (BatchResult(inserted: inserted, duplicates: duplicates), newlyKnown)
    }

    /// Folds one (point, hour) of a batch into its stored rollup: min, max, sum and count
    /// combine; first and last keep the earlier and the later of stored and new.
    static let rollupUpsertSQL = """
        INSERT INTO rollups_hourly(point_id, hour, min, max, sum, count, first, first_t, last, last_t)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(point_id, hour) DO UPDATE SET
            min = min(rollups_hourly.min, excluded.min),
            max = max(rollups_hourly.max, excluded.max),
            sum = rollups_hourly.sum + excluded.sum,
            count = rollups_hourly.count + excluded.count,
            first = CASE WHEN excluded.first_t < rollups_hourly.first_t THEN excluded.first ELSE rollups_hourly.first END,
            first_t = min(rollups_hourly.first_t, excluded.first_t),
            last = CASE WHEN excluded.last_t >= rollups_hourly.last_t THEN excluded.last ELSE rollups_hourly.last END,
            last_t = max(rollups_hourly.last_t, excluded.last_t)
        """

    private static func upsert(_ k: RollupKey, _ r: Rollup, _ statement: Statement) throws {
        try RawInsert.run(statement) { s in
            sqlite3_bind_int64(s, 1, k.point)
            sqlite3_bind_int64(s, 2, k.hour)
            sqlite3_bind_double(s, 3, r.min)
            sqlite3_bind_double(s, 4, r.max)
            sqlite3_bind_double(s, 5, r.sum)
            sqlite3_bind_int64(s, 6, Int64(r.count))
            sqlite3_bind_double(s, 7, r.first)
            sqlite3_bind_int64(s, 8, r.firstT)
            sqlite3_bind_double(s, 9, r.last)
            sqlite3_bind_int64(s, 10, r.lastT)
        }
    }

    /// Registers or updates a point's descriptor.
    public func register(_ descriptors: [PointDescriptor]) throws {
        let learnt = try database.writer.write { db in
            var learnt = Learnt()
            for d in descriptors { try self.describe(d, db, &learnt) }
            return learnt
        }
        remember(learnt.ids)
        rememberDescribed(learnt.described)
    }

    private static func ensurePoint(_ db: Database, _ id: PointID, _ d: PointDescriptor?, update: Bool = false) throws -> Int64 {
        let key = id.description
        // Cached statements: a first start registers every polled point, one by one.
        let select = try db.cachedStatement(sql: "SELECT id, quantity, unit, states, derived, power_role FROM points WHERE key = ?")
        if let row = try Row.fetchOne(select, arguments: [key]) {
            let existing: Int64 = row[0]
            let same =
                d.map { d in
                    (row[1] as String?) == d.quantity.rawValue && (row[2] as String?) == d.unit.rawValue
                        && (row[3] as String?) == statesJSON(d.states) && (row[4] as Bool) == d.derived
                        && (row[5] as String?) == d.powerRole?.rawValue
                } ?? true
            if update, let d, !same {
                try db.execute(
                    sql: "UPDATE points SET quantity = ?, unit = ?, states = ?, derived = ?, power_role = ? WHERE id = ?",
                    arguments: [d.quantity.rawValue, d.unit.rawValue, statesJSON(d.states), d.derived, d.powerRole?.rawValue, existing])
            }
            return existing
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO points(key, ci, name, quantity, unit, states, derived, power_role, created_ms, site)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                key, id.ci.rawValue, id.name, d?.quantity.rawValue, d?.unit.rawValue, d.map { statesJSON($0.states) },
                d?.derived ?? false, d?.powerRole?.rawValue, Timestamp.now.milliseconds, try SiteResolver.site(of: [id.ci.rawValue], db),
            ])
        return db.lastInsertedRowID
    }

    private static func statesJSON(_ states: [Int: String]) -> String? {
        guard !states.isEmpty else { return nil }
        let byName = Dictionary(uniqueKeysWithValues: states.map { (String($0.key), $0.value) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(byName)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The state names stored as JSON (`{"1":"normal"}`); empty when none or unreadable.
    static func states(fromJSON text: String?) -> [Int: String] {
        guard let data = text?.data(using: .utf8), let byName = try? JSONDecoder().decode([String: String].self, from: data) else { return [:] }
        return Dictionary(uniqueKeysWithValues: byName.compactMap { k, v in Int(k).map { ($0, v) } })
    }

    static func qualityCode(_ q: Quality) -> Int {
        switch q {
        case .good: 0
        case .uncertain: 1
        case .bad: 2
        case .absent: 3
        }
    }

    static func quality(code: Int, reason: String?) -> Quality {
        switch code {
        case 0: .good
        case 1: .uncertain
        case 3: .absent
        default: .bad(reason: reason ?? "unknown")
        }
    }

    /// A reading of `point` from the columns `t, value, quality, reason` of a row, starting at `column`.
    static func reading(_ point: PointID, _ row: Row, at column: Int = 0) -> Reading {
        Reading(
            point: point, time: Timestamp(milliseconds: row[column]), value: row[column + 1] ?? .nan,
            quality: quality(code: row[column + 2], reason: row[column + 3]))
    }

    // MARK: Queries

    /// Raw samples of a point in `[from, to)`, oldest first.
    public func samples(_ point: PointID, from: Timestamp, to: Timestamp) throws -> [Reading] {
        try database.writer.read { try Self.samples(point, from: from, to: to, limit: nil, $0) }
    }

    /// Raw samples of a point in `[from, to)`, oldest first, at most `limit` (the oldest ones):
    /// to page on, ask again from the last sample's time plus 1 ms. Through the database's
    /// async read.
    public func samples(_ point: PointID, from: Timestamp, to: Timestamp, limit: Int) async throws -> [Reading] {
        try await database.writer.read { try Self.samples(point, from: from, to: to, limit: limit, $0) }
    }

    static func samples(_ point: PointID, from: Timestamp, to: Timestamp, limit: Int?, _ db: Database) throws -> [Reading] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.t, s.value, s.quality, s.reason FROM samples s JOIN points p ON p.id = s.point_id
                WHERE p.key = ? AND s.t >= ? AND s.t < ? ORDER BY s.t LIMIT ?
                """,
            arguments: [point.description, from.milliseconds, to.milliseconds, limit.map { max(0, $0) } ?? -1]
        ).map { Self.reading(point, $0) }
    }

    /// For each point: its raw samples within the range, and at least its last `last` samples
    /// up to the range's end, oldest first per point. What the rules engine reads back after a
    /// restart (rate-window histories and evidence readings are not in its checkpoint).
    public func tails(_ ranges: [PointID: ClosedRange<Timestamp>], last: Int) throws -> [Reading] {
        try database.writer.read { try Self.tails(ranges, last: last, $0) }
    }

    public func tails(_ ranges: [PointID: ClosedRange<Timestamp>], last: Int) async throws -> [Reading] {
        try await database.writer.read { try Self.tails(ranges, last: last, $0) }
    }

    static func tails(_ ranges: [PointID: ClosedRange<Timestamp>], last: Int, _ db: Database) throws -> [Reading] {
        let inRange = try db.cachedStatement(
            sql: "SELECT t, value, quality, reason FROM samples WHERE point_id = ? AND t >= ? AND t <= ? ORDER BY t")
        let latest = try db.cachedStatement(
            sql: "SELECT t, value, quality, reason FROM samples WHERE point_id = ? AND t <= ? ORDER BY t DESC LIMIT ?")
        var out: [Reading] = []
        let pointID = try db.cachedStatement(sql: "SELECT id FROM points WHERE key = ?")
        for (point, range) in ranges.sorted(by: { $0.key.description < $1.key.description }) {
            guard let pid = try Int64.fetchOne(pointID, arguments: [point.description]) else { continue }
            // Both are runs of samples ending at the range's end: the longer holds the other.
            var rows = try Row.fetchAll(inRange, arguments: [pid, range.lowerBound.milliseconds, range.upperBound.milliseconds])
            if rows.count < last {
                rows = try Row.fetchAll(latest, arguments: [pid, range.upperBound.milliseconds, last]).reversed()
            }
            out += rows.map { Self.reading(point, $0) }
        }
        return out
    }

    /// Raw samples of every measured (not derived) point taken at or after `since`, oldest first
    /// per point, at most `limit` per point: what the rules engine replays after a restart.
    public func measuredSamples(since: Timestamp, limitPerPoint: Int = 10_000) throws -> [Reading] {
        try database.writer.read { try Self.measuredSamples(since: since, limitPerPoint: limitPerPoint, $0) }
    }

    public func measuredSamples(since: Timestamp, limitPerPoint: Int = 10_000) async throws -> [Reading] {
        try await database.writer.read { try Self.measuredSamples(since: since, limitPerPoint: limitPerPoint, $0) }
    }

    static func measuredSamples(since: Timestamp, limitPerPoint: Int, _ db: Database) throws -> [Reading] {
        let points = try Row.fetchAll(db, sql: "SELECT id, key FROM points WHERE derived = 0 ORDER BY key")
        let select = try db.cachedStatement(
            sql: "SELECT t, value, quality, reason FROM samples WHERE point_id = ? AND t >= ? ORDER BY t LIMIT ?")
        var out: [Reading] = []
        for row in points {
            guard let id = PointID(row[1] as String) else { continue }
            let pid: Int64 = row[0]
            out += try Row.fetchAll(select, arguments: [pid, since.milliseconds, limitPerPoint]).map { Self.reading(id, $0) }
        }
        return out
    }

    /// The registered points that have a quantity (the daemon registers every polled point).
    public func descriptors() throws -> [PointDescriptor] {
        try database.writer.read { try Self.descriptors($0) }
    }

    public func descriptors() async throws -> [PointDescriptor] {
        try await database.writer.read { try Self.descriptors($0) }
    }

    static func descriptors(_ db: Database) throws -> [PointDescriptor] {
        try Row.fetchAll(
            db, sql: "SELECT key, quantity, unit, derived, states, power_role FROM points WHERE quantity IS NOT NULL ORDER BY key"
        ).compactMap { row in
            guard let id = PointID(row[0] as String), let q = Quantity(rawValue: row[1]) else { return nil }
            return PointDescriptor(
                id: id, quantity: q, unit: Unit(rawValue: row[2] ?? "") ?? .none, states: Self.states(fromJSON: row[4]),
                derived: row[3], powerRole: (row[5] as String?).flatMap(PowerRole.init(rawValue:)))
        }
    }

    /// The number of raw samples stored, for all points.
    public func sampleCount() throws -> Int {
        try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM samples") ?? 0 }
    }

    /// Hourly rollups of a point whose hour starts in `[from, to)`, oldest first.
    public func rollups(_ point: PointID, from: Timestamp, to: Timestamp) throws -> [HourlyRollup] {
        try database.writer.read { try Self.rollups(point, from: from, to: to, $0) }
    }

    /// ``rollups(_:from:to:)`` through the database's async read.
    public func rollups(_ point: PointID, from: Timestamp, to: Timestamp) async throws -> [HourlyRollup] {
        try await database.writer.read { try Self.rollups(point, from: from, to: to, $0) }
    }

    static func rollups(_ point: PointID, from: Timestamp, to: Timestamp, _ db: Database) throws -> [HourlyRollup] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT r.hour, r.min, r.max, r.sum, r.count, r.first, r.first_t, r.last, r.last_t
                FROM rollups_hourly r JOIN points p ON p.id = r.point_id
                WHERE p.key = ? AND r.hour >= ? AND r.hour < ? ORDER BY r.hour
                """,
            arguments: [point.description, from.milliseconds, to.milliseconds]
        ).map { row in
            HourlyRollup(
                point: point, hour: Timestamp(milliseconds: row[0]), min: row[1], max: row[2], sum: row[3],
                count: row[4], first: row[5], firstTime: Timestamp(milliseconds: row[6]), last: row[7],
                lastTime: Timestamp(milliseconds: row[8]))
        }
    }

    /// The latest stored reading of each point of a CI (or of all points when `ci` is nil).
    public func latest(ci: CIID? = nil) throws -> [Reading] {
        try database.writer.read { db in try Self.latest(db, ci: ci) }
    }

    /// ``latest(ci:)`` through the database's async read.
    public func latest(ci: CIID? = nil) async throws -> [Reading] {
        try await database.writer.read { db in try Self.latest(db, ci: ci) }
    }

    /// The latest stored reading of each point of a CI (all CIs when nil), in a transaction.
    static func latest(_ db: Database, ci: CIID?) throws -> [Reading] {
        let filter = ci == nil ? "" : "WHERE p.ci = ?"
        let args: StatementArguments = ci.map { [$0.rawValue] } ?? []
        return try Row.fetchAll(
            db,
            sql: """
                SELECT p.key, s.t, s.value, s.quality, s.reason FROM points p
                JOIN samples s ON s.point_id = p.id AND s.t = (SELECT max(t) FROM samples WHERE point_id = p.id)
                \(filter) ORDER BY p.key
                """, arguments: args
        ).compactMap { row in
            PointID(row[0] as String).map { Self.reading($0, row, at: 1) }
        }
    }
}

/// One hour of one point: min, max, sum, count, first and last (DESIGN decision 8).
public struct HourlyRollup: Sendable, Equatable {
    /// The point.
    public var point: PointID
    /// The start of the UTC hour.
    public var hour: Timestamp
    /// Smallest value in the hour.
    public var min: Double
    /// Largest value in the hour.
    public var max: Double
    /// Sum of values (mean = sum / count).
    public var sum: Double
    /// Number of values with a usable quality.
    public var count: Int
    /// The earliest value of the hour (cumulative counters).
    public var first: Double
    /// When the earliest value was taken.
    public var firstTime: Timestamp
    /// The latest value of the hour (cumulative counters).
    public var last: Double
    /// When the latest value was taken.
    public var lastTime: Timestamp
    /// The mean value.
    public var mean: Double { sum / Double(count) }
}

struct RollupKey: Hashable {
    var point: Int64
    var hour: Int64
}

struct Rollup {
    var min = Double.infinity
    var max = -Double.infinity
    var sum = 0.0
    var count = 0
    var first = 0.0
    var firstT = Int64.max
    var last = 0.0
    var lastT = Int64.min

    mutating func add(_ v: Double, at t: Int64) {
        min = Swift.min(min, v)
        max = Swift.max(max, v)
        sum += v
        count += 1
        if t < firstT {
            firstT = t
            first = v
        }
        if t >= lastT {
            lastT = t
            last = v
        }
    }
}

/// One reading reduced to the columns of `samples`, with its place in the batch: sorted by
/// (point, time, place), a batch meets the B-tree in key order, the rows of one rollup hour come
/// together, and of two readings with the same key the first submitted comes first.
struct SampleRow: Comparable {
    var point: Int64
    var t: Int64
    /// NaN when the reading has no usable value (stored as NULL, not rolled up).
    var value: Double
    var quality: Int32
    var index: Int32

    static func < (a: SampleRow, b: SampleRow) -> Bool {
        (a.point, a.t, a.index) < (b.point, b.t, b.index)
    }

    static func == (a: SampleRow, b: SampleRow) -> Bool {
        (a.point, a.t, a.index) == (b.point, b.t, b.index)
    }
}

extension Array where Element: Comparable {
    /// True when the elements are in ascending order (a batch often is: skip its sort).
    func isSorted() -> Bool {
        var i = startIndex + 1
        while i < endIndex {
            if self[i] < self[i - 1] { return false }
            i += 1
        }
        return true
    }
}

/// Runs a GRDB statement through its `sqlite3_stmt`, binding with `sqlite3_bind_*`: the per-row
/// path of ingest, without GRDB's `StatementArguments` (an array of boxed values per row).
///
/// Only for INSERTs inside a transaction GRDB opened: stepping a statement this way skips GRDB's
/// statement bookkeeping (transaction observers, authorizer), which these INSERTs do not need —
/// the store registers no transaction observer, and they neither begin nor end a transaction.
/// Each run leaves the statement reset with its bindings cleared.
struct RawInsert {
    let statement: Statement
    let connection: OpaquePointer?

    init(statement: Statement, _ db: Database) {
        self.statement = statement
        self.connection = db.sqliteConnection
    }

    /// Inserts one sample; false when `INSERT OR IGNORE` ignored it (same point and time).
    @inline(__always)
    func insert(_ row: SampleRow, reason: String?) throws -> Bool {
        try Self.run(statement) { s in
            sqlite3_bind_int64(s, 1, row.point)
            sqlite3_bind_int64(s, 2, row.t)
            if row.value.isNaN { sqlite3_bind_null(s, 3) } else { sqlite3_bind_double(s, 3, row.value) }
            sqlite3_bind_int(s, 4, row.quality)
            if let reason { sqlite3_bind_text(s, 5, reason, -1, sqliteTransient) } else { sqlite3_bind_null(s, 5) }
        }
        return sqlite3_changes(connection) > 0
    }

    /// Binds, steps once and resets; throws SQLite's error as a `DatabaseError`.
    @inline(__always)
    static func run(_ statement: Statement, bind: (OpaquePointer) -> Void) throws {
        let s = statement.sqliteStatement
        bind(s)
        let code = sqlite3_step(s)
        if code != SQLITE_DONE {
            // The message first: resetting the statement replaces it.
            let message = sqlite3_db_handle(s).map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(s)
        sqlite3_clear_bindings(s)
    }
}

/// SQLite copies the bound text (the Swift string's buffer lives only for the call).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
