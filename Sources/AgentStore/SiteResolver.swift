import GRDB

/// Which site a row of site data belongs to (migration `v5-sites`), decided when the row is
/// inserted, inside its transaction, from the stored floor:
///
/// 1. the first of the row's CI ids (most specific first: an event's rack, room, scope, then its
///    point's CI) that is a stored site, or an object on a stored floor — every floor object row
///    carries its site, so a device, a sensor or a PDU resolves as its rack and room do;
/// 2. when none resolves and the floor holds exactly one site, that site;
/// 3. otherwise NULL: **agent-wide** — the agent's own events (clock, data loss) and CIs on no
///    stored floor belong to no site.
///
/// The rule is the same as the migration's backfill; the migration's SQL is frozen with it.
enum SiteResolver {
    static func site(of candidates: [String?], _ db: Database) throws -> String? {
        for id in candidates.compactMap({ $0 }) where !id.isEmpty {
            // Cached statements: called for each point a first start registers.
            if let s = try String.fetchOne(db.cachedStatement(sql: "SELECT site FROM floor_sites WHERE site = ?"), arguments: [id]) { return s }
            if let s = try FloorRows.site(of: id, db) { return s }
        }
        let sites = try String.fetchAll(db.cachedStatement(sql: "SELECT site FROM floor_sites LIMIT 2"))
        return sites.count == 1 ? sites[0] : nil
    }

    /// The CI part of a point id text (`DC-R1-A05-TH1/temperature` → `DC-R1-A05-TH1`).
    static func ci(ofPoint point: String?) -> String? {
        guard let point, let slash = point.firstIndex(of: "/") else { return nil }
        return String(point[..<slash])
    }
}
