package import GRDB
import Telemetry

/// The schema, as frozen, named migrations. Never edit a migration once shipped: add a new one.
package enum Migrations {
    package static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-points-samples-rollups") { db in
            try db.execute(
                sql: """
                    CREATE TABLE points (
                        id INTEGER PRIMARY KEY,
                        key TEXT NOT NULL UNIQUE,
                        ci TEXT NOT NULL,
                        name TEXT NOT NULL,
                        quantity TEXT,
                        unit TEXT,
                        states TEXT,
                        derived INTEGER NOT NULL DEFAULT 0,
                        created_ms INTEGER NOT NULL
                    );
                    CREATE INDEX points_ci ON points(ci);
                    CREATE TABLE samples (
                        point_id INTEGER NOT NULL REFERENCES points(id),
                        t INTEGER NOT NULL,
                        value REAL,
                        quality INTEGER NOT NULL,
                        reason TEXT,
                        PRIMARY KEY (point_id, t)
                    ) WITHOUT ROWID;
                    CREATE TABLE rollups_hourly (
                        point_id INTEGER NOT NULL REFERENCES points(id),
                        hour INTEGER NOT NULL,
                        min REAL NOT NULL,
                        max REAL NOT NULL,
                        sum REAL NOT NULL,
                        count INTEGER NOT NULL,
                        first REAL NOT NULL,
                        first_t INTEGER NOT NULL,
                        last REAL NOT NULL,
                        last_t INTEGER NOT NULL,
                        PRIMARY KEY (point_id, hour)
                    ) WITHOUT ROWID;
                    """)
        }
        m.registerMigration("v1-users-audit") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        name TEXT PRIMARY KEY,
                        role TEXT NOT NULL,
                        full_name TEXT,
                        disabled INTEGER NOT NULL DEFAULT 0,
                        created_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE audit_log (
                        seq INTEGER PRIMARY KEY,
                        t INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        object TEXT NOT NULL,
                        details TEXT NOT NULL,
                        prev_mac TEXT NOT NULL,
                        mac TEXT NOT NULL
                    );
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Issue 4: the floor and checklist runs (DESIGN decision 3: the database is the source of
        // truth inside a site). Each floor object is one row holding its model value as canonical
        // JSON, keyed by (site, kind, key) with its position in the floor's arrays, so a site's
        // `Floor` loads back exactly as imported (the round-trip tests prove it) while SQL can still
        // find an object by its CI id. Relations live inside the model values and are checked by
        // `Floor.validate()` before anything is written; normalising every field into columns
        // would duplicate the model's validation in SQL without adding a guarantee.
        m.registerMigration("v2-floor-checklists") { db in
            try db.execute(
                sql: """
                    CREATE TABLE floor_sites (
                        site TEXT PRIMARY KEY,
                        json TEXT NOT NULL,
                        updated_ms INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE floor_objects (
                        id INTEGER PRIMARY KEY,
                        site TEXT NOT NULL REFERENCES floor_sites(site) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        ord INTEGER NOT NULL,
                        json TEXT NOT NULL,
                        UNIQUE (site, kind, key)
                    );
                    CREATE INDEX floor_objects_key ON floor_objects(kind, key);
                    CREATE TABLE checklist_runs (
                        seq INTEGER PRIMARY KEY,
                        run_id TEXT NOT NULL UNIQUE,
                        site TEXT NOT NULL,
                        template TEXT NOT NULL,
                        target TEXT NOT NULL,
                        change_ref TEXT NOT NULL,
                        executor TEXT NOT NULL,
                        state TEXT NOT NULL,
                        json TEXT NOT NULL,
                        started_ms INTEGER NOT NULL,
                        updated_ms INTEGER NOT NULL
                    );
                    CREATE INDEX checklist_runs_target ON checklist_runs(target);
                    """)
        }
        // Issue 5: the rules engine in the daemon. `events` holds one row per opening of a condition
        // (a resolved event stays; the next breach opens a new row, so one ticket per opening);
        // at most one firing row per dedup key, enforced by a partial unique index. `event_changes`
        // is the append-only log of every change — the outbox cursor (`seq`) for ITSMLink and the
        // UI. `rule_state` is the engine's persisted state, committed in the same transaction as
        // the changes it produced, so a restart neither forgets a firing event nor fires it twice.
        // `obligation_records` is the single records model (DESIGN decision 10): append-only,
        // like the audit log, since auditors read it; a correction is a new record.
        m.registerMigration("v3-events-rules-records") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY,
                        dedup_key TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        state TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        room TEXT,
                        rack TEXT,
                        point TEXT,
                        first_ms INTEGER NOT NULL,
                        last_ms INTEGER NOT NULL,
                        resolved_ms INTEGER,
                        json TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX events_one_firing ON events(dedup_key) WHERE state = 'firing';
                    CREATE INDEX events_scope ON events(scope);
                    CREATE INDEX events_rack ON events(rack);
                    CREATE INDEX events_room ON events(room);
                    CREATE TABLE event_changes (
                        seq INTEGER PRIMARY KEY,
                        event_id INTEGER NOT NULL REFERENCES events(id),
                        t INTEGER NOT NULL,
                        change TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        notify INTEGER NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE INDEX event_changes_event ON event_changes(event_id);
                    CREATE TRIGGER event_changes_no_update BEFORE UPDATE ON event_changes
                    BEGIN SELECT RAISE(ABORT, 'event_changes is append-only'); END;
                    CREATE TRIGGER event_changes_no_delete BEFORE DELETE ON event_changes
                    BEGIN SELECT RAISE(ABORT, 'event_changes is append-only'); END;
                    CREATE TABLE rule_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        saved_ms INTEGER NOT NULL,
                        rules TEXT NOT NULL,
                        state BLOB NOT NULL
                    );
                    CREATE TABLE obligation_records (
                        id INTEGER PRIMARY KEY,
                        room TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        done_ms INTEGER NOT NULL,
                        json TEXT NOT NULL,
                        recorded_by TEXT NOT NULL,
                        recorded_ms INTEGER NOT NULL
                    );
                    CREATE INDEX obligation_records_room ON obligation_records(room, kind, done_ms);
                    CREATE TRIGGER obligation_records_no_update BEFORE UPDATE ON obligation_records
                    BEGIN SELECT RAISE(ABORT, 'obligation_records is append-only: add a correcting record'); END;
                    CREATE TRIGGER obligation_records_no_delete BEFORE DELETE ON obligation_records
                    BEGIN SELECT RAISE(ABORT, 'obligation_records is append-only: add a correcting record'); END;
                    CREATE TABLE maintenance_windows (
                        id INTEGER PRIMARY KEY,
                        ci TEXT NOT NULL,
                        start_ms INTEGER NOT NULL,
                        end_ms INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_ms INTEGER NOT NULL
                    );
                    """)
        }
        // Where an active-power point sits in its device's power tree (DESIGN decision 18):
        // the rules count a device's power once, from the level this names.
        m.registerMigration("v4-power-roles") { db in
            try db.execute(sql: "ALTER TABLE points ADD COLUMN power_role TEXT")
        }
        // Every table of site data carries its site (DESIGN decision 12: the central store keys
        // what it receives by site). Existing rows are filled from the stored floor: the row's
        // CI (an event's rack, room, scope, then its point's CI; a point's CI; a record's room; a
        // window's CI) is a stored site or an object on a stored floor, each floor object row
        // naming its site; else, when the floor holds exactly one site, that site; else NULL,
        // "agent-wide" (the agent's own events — clock, data loss — belong to no site). New rows
        // get theirs the same way at insert time (`SiteResolver`).
        m.registerMigration("v5-sites") { db in
            func resolve(_ ci: String) -> String {
                """
                (SELECT site FROM floor_sites WHERE site = \(ci)),
                (SELECT site FROM floor_objects WHERE key = \(ci) AND kind <> 'device-type' ORDER BY site LIMIT 1)
                """
            }
            let onlySite = "(SELECT CASE WHEN count(*) = 1 THEN max(site) END FROM floor_sites)"
            let pointCI = "CASE WHEN instr(events.point, '/') > 0 THEN substr(events.point, 1, instr(events.point, '/') - 1) END"
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN site TEXT;
                    ALTER TABLE points ADD COLUMN site TEXT;
                    ALTER TABLE obligation_records ADD COLUMN site TEXT;
                    ALTER TABLE maintenance_windows ADD COLUMN site TEXT;
                    UPDATE events SET site = COALESCE(
                        \(resolve("events.rack")), \(resolve("events.room")), \(resolve("events.scope")), \(resolve(pointCI)), \(onlySite));
                    UPDATE points SET site = COALESCE(\(resolve("points.ci")), \(onlySite));
                    UPDATE maintenance_windows SET site = COALESCE(\(resolve("maintenance_windows.ci")), \(onlySite));
                    DROP TRIGGER obligation_records_no_update;
                    UPDATE obligation_records SET site = COALESCE(\(resolve("obligation_records.room")), \(onlySite));
                    CREATE TRIGGER obligation_records_no_update BEFORE UPDATE ON obligation_records
                    BEGIN SELECT RAISE(ABORT, 'obligation_records is append-only: add a correcting record'); END;
                    CREATE INDEX events_site_state ON events(site, state);
                    CREATE INDEX points_site ON points(site);
                    CREATE INDEX obligation_records_site ON obligation_records(site, kind, done_ms);
                    CREATE INDEX maintenance_windows_site ON maintenance_windows(site, end_ms);
                    """)
        }
        // The agent's own actor: the first-start floor import (and whatever the daemon does on
        // its own) is audited as `system`, which must be a registered user like every audit
        // actor (DESIGN decision 5). Built-in: role admin, no password (there are no passwords
        // yet; a web login must never accept a built-in user), never removed, its role never
        // changed, never assumed with `--as` (UserRepository). A user someone registered as
        // `system` before becomes the built-in one.
        m.registerMigration("v6-builtin-system-user") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN builtin INTEGER NOT NULL DEFAULT 0")
            try db.execute(
                sql: """
                    INSERT INTO users(name, role, full_name, disabled, created_ms, builtin)
                    VALUES (?, 'admin', 'DCAgent itself (built-in)', 0, ?, 1)
                    ON CONFLICT(name) DO UPDATE SET role = 'admin', disabled = 0, builtin = 1
                    """, arguments: [UserRepository.systemActor, Timestamp.now.milliseconds])
        }
        // Logins over HTTP (issue 11): a bcrypt password hash, e-mail, on-call groups and the
        // lockout state on users; API tokens (only their SHA-256 is kept); web sessions (keyed
        // by the SHA-256 of the cookie's id, so a copy of the database opens no session).
        m.registerMigration("v7-web-logins") { db in
            try db.execute(
                sql: """
                    ALTER TABLE users ADD COLUMN password_hash TEXT;
                    ALTER TABLE users ADD COLUMN email TEXT;
                    ALTER TABLE users ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE users ADD COLUMN locked_until_ms INTEGER;
                    CREATE TABLE api_tokens (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        user TEXT NOT NULL,
                        role TEXT NOT NULL,
                        secret_sha256 TEXT NOT NULL UNIQUE,
                        created_ms INTEGER NOT NULL,
                        created_by TEXT NOT NULL,
                        expires_ms INTEGER,
                        revoked_ms INTEGER,
                        revoked_by TEXT,
                        last_used_ms INTEGER
                    );
                    CREATE TABLE web_sessions (
                        key_sha256 TEXT PRIMARY KEY,
                        data TEXT NOT NULL,
                        expires_ms INTEGER NOT NULL
                    );
                    """)
        }
        // Operator actions on events (issue 12): each is an `event_changes` row (so the change
        // log stays the one ordered history every consumer reads) with its details here, keyed
        // by that row's `seq`; append-only like the log.
        m.registerMigration("v8-event-actions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event_actions (
                        seq INTEGER PRIMARY KEY REFERENCES event_changes(seq),
                        event_id INTEGER NOT NULL REFERENCES events(id),
                        actor TEXT NOT NULL,
                        text TEXT,
                        assignee TEXT,
                        until_ms INTEGER
                    );
                    CREATE INDEX event_actions_event ON event_actions(event_id);
                    CREATE TRIGGER event_actions_no_update BEFORE UPDATE ON event_actions
                    BEGIN SELECT RAISE(ABORT, 'event_actions is append-only'); END;
                    CREATE TRIGGER event_actions_no_delete BEFORE DELETE ON event_actions
                    BEGIN SELECT RAISE(ABORT, 'event_actions is append-only'); END;
                    """)
        }
        // The ITSM seam (DESIGN decision 15, issue 12): a consumer's cursor in the change log,
        // the outbox it fills in the same transaction as it advances, the link of each opening
        // of an event (dedup key, first seen) to its ticket per target, and the built-in tickets
        // with their history.
        m.registerMigration("v9-itsm") { db in
            try db.execute(
                sql: """
                    CREATE TABLE itsm_cursors (
                        consumer TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL
                    );
                    CREATE TABLE itsm_outbox (
                        id INTEGER PRIMARY KEY,
                        target TEXT NOT NULL,
                        idempotency_key TEXT NOT NULL UNIQUE,
                        dedup_key TEXT NOT NULL,
                        first_seen_ms INTEGER NOT NULL,
                        event_id INTEGER,
                        action TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        created_ms INTEGER NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_ms INTEGER NOT NULL,
                        last_error TEXT,
                        error_class TEXT,
                        done_ms INTEGER
                    );
                    CREATE INDEX itsm_outbox_due ON itsm_outbox(state, target, next_attempt_ms);
                    CREATE INDEX itsm_outbox_opening ON itsm_outbox(target, dedup_key, first_seen_ms, state);
                    CREATE TABLE itsm_links (
                        target TEXT NOT NULL,
                        dedup_key TEXT NOT NULL,
                        first_seen_ms INTEGER NOT NULL,
                        event_id INTEGER,
                        ticket TEXT,
                        state TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        policy TEXT,
                        updated_ms INTEGER NOT NULL,
                        PRIMARY KEY (target, dedup_key, first_seen_ms)
                    );
                    CREATE INDEX itsm_links_event ON itsm_links(event_id);
                    CREATE TABLE itsm_tickets (
                        id INTEGER PRIMARY KEY,
                        number TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL DEFAULT 'incident',
                        subject TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
                        priority TEXT,
                        assignee TEXT,
                        dedup_key TEXT NOT NULL,
                        first_seen_ms INTEGER NOT NULL,
                        ci TEXT,
                        severity TEXT,
                        created_ms INTEGER NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        UNIQUE (kind, dedup_key, first_seen_ms)
                    );
                    CREATE TABLE itsm_ticket_history (
                        id INTEGER PRIMARY KEY,
                        ticket_id INTEGER NOT NULL REFERENCES itsm_tickets(id),
                        at_ms INTEGER NOT NULL,
                        what TEXT NOT NULL,
                        text TEXT NOT NULL
                    );
                    CREATE INDEX itsm_ticket_history_ticket ON itsm_ticket_history(ticket_id);
                    CREATE TRIGGER itsm_ticket_history_no_update BEFORE UPDATE ON itsm_ticket_history
                    BEGIN SELECT RAISE(ABORT, 'itsm_ticket_history is append-only'); END;
                    CREATE TRIGGER itsm_ticket_history_no_delete BEFORE DELETE ON itsm_ticket_history
                    BEGIN SELECT RAISE(ABORT, 'itsm_ticket_history is append-only'); END;
                    """)
        }
        // The web pages' language chosen by each user (issue 14): `id`, `en`, or none (the
        // agent's `http.language`).
        m.registerMigration("v10-user-language") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN language TEXT")
        }
        // Analysis and follow-up (issue 15): problems for recurring incidents with their
        // known errors, requests for change drafted for anomalies that need one, and which
        // incidents were followed up. A problem or a change is a built-in ticket of its kind
        // (`itsm_tickets.kind`), whatever the target; these tables hold what only it has.
        m.registerMigration("v11-itsm-follow-up") { db in
            try db.execute(
                sql: """
                    CREATE TABLE itsm_problems (
                        ticket_id INTEGER PRIMARY KEY REFERENCES itsm_tickets(id),
                        condition_key TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('open', 'known_error', 'closed')),
                        trend TEXT NOT NULL,
                        root_cause TEXT,
                        workaround TEXT,
                        known_error_by TEXT,
                        known_error_ms INTEGER,
                        closed_by TEXT,
                        closed_ms INTEGER
                    );
                    CREATE INDEX itsm_problems_key ON itsm_problems(condition_key, state);
                    CREATE TABLE itsm_problem_incidents (
                        problem_id INTEGER NOT NULL REFERENCES itsm_problems(ticket_id),
                        dedup_key TEXT NOT NULL,
                        first_seen_ms INTEGER NOT NULL,
                        ticket TEXT,
                        added_ms INTEGER NOT NULL,
                        PRIMARY KEY (problem_id, dedup_key, first_seen_ms)
                    );
                    CREATE TABLE itsm_changes (
                        ticket_id INTEGER PRIMARY KEY REFERENCES itsm_tickets(id),
                        condition_key TEXT NOT NULL,
                        incident_first_seen_ms INTEGER NOT NULL,
                        problem_id INTEGER REFERENCES itsm_problems(ticket_id),
                        category TEXT NOT NULL CHECK (category IN ('emergency', 'normal')),
                        state TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'rejected', 'closed')),
                        requester TEXT NOT NULL,
                        cis TEXT NOT NULL,
                        checklist TEXT,
                        rack TEXT,
                        checklist_run TEXT,
                        decided_by TEXT,
                        decided_ms INTEGER,
                        decision_note TEXT
                    );
                    CREATE INDEX itsm_changes_key ON itsm_changes(condition_key, state);
                    CREATE TABLE itsm_followups (
                        target TEXT NOT NULL,
                        dedup_key TEXT NOT NULL,
                        first_seen_ms INTEGER NOT NULL,
                        done_ms INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        PRIMARY KEY (target, dedup_key, first_seen_ms)
                    );
                    """)
        }
        return m
    }
}
