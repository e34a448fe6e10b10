package history

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migration is one schema version: the statements that take the previous version to it.
// {id} stands for the dialect's auto-incremented primary key column type.
type migration struct {
	version int
	stmts   []string
}

// migrations are every schema version, in order. A released migration is never changed: a new
// one is appended.
var migrations = []migration{
	{version: 1, stmts: []string{
		`CREATE TABLE scans (
			id {id},
			scanned_at TEXT NOT NULL,
			complete INTEGER NOT NULL,
			tool_version TEXT NOT NULL,
			paths TEXT NOT NULL,
			accounts TEXT NOT NULL,
			regions TEXT NOT NULL,
			rules TEXT NOT NULL,
			findings INTEGER NOT NULL,
			errors INTEGER NOT NULL
		)`,
		`CREATE TABLE findings (
			id {id},
			fingerprint TEXT NOT NULL UNIQUE,
			rule_id TEXT NOT NULL,
			severity TEXT NOT NULL,
			status TEXT NOT NULL,
			source TEXT NOT NULL,
			address TEXT NOT NULL,
			arn TEXT NOT NULL,
			account TEXT NOT NULL,
			region TEXT NOT NULL,
			path TEXT NOT NULL,
			message TEXT NOT NULL,
			first_seen TEXT NOT NULL,
			last_seen TEXT NOT NULL,
			resolved_at TEXT,
			reopened_at TEXT,
			reopen_count INTEGER NOT NULL DEFAULT 0,
			first_scan BIGINT NOT NULL,
			last_scan BIGINT NOT NULL
		)`,
		`CREATE TABLE finding_events (
			id {id},
			scan_id BIGINT NOT NULL REFERENCES scans(id),
			finding_id BIGINT NOT NULL REFERENCES findings(id),
			at TEXT NOT NULL,
			kind TEXT NOT NULL,
			status TEXT NOT NULL,
			severity TEXT NOT NULL
		)`,
		`CREATE INDEX finding_events_at ON finding_events (at)`,
		`CREATE INDEX finding_events_finding ON finding_events (finding_id)`,
		`CREATE TABLE brokers (
			id {id},
			broker_key TEXT NOT NULL UNIQUE,
			source TEXT NOT NULL,
			address TEXT NOT NULL,
			arn TEXT NOT NULL,
			account TEXT NOT NULL,
			region TEXT NOT NULL,
			engine TEXT NOT NULL,
			public INTEGER,
			tags TEXT NOT NULL,
			first_seen TEXT NOT NULL,
			last_seen TEXT NOT NULL,
			first_scan BIGINT NOT NULL,
			last_scan BIGINT NOT NULL
		)`,
	}},
}

// SchemaVersion is the newest schema this mqguard knows.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// migrate brings the database to the newest schema in one transaction, after checking it is an
// mqguard database (or empty) no newer than this mqguard. It writes nothing when it refuses.
func (s *sqlStore) migrate(ctx context.Context, all []migration) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	current, err := s.currentVersion(ctx, tx)
	if err != nil {
		return err
	}
	newest := all[len(all)-1].version
	if current > newest {
		return fmt.Errorf("its schema is version %d, newer than this mqguard knows (%d): upgrade mqguard", current, newest)
	}
	if current == newest {
		return tx.Commit()
	}
	if current == 0 {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return err
		}
	}
	for _, m := range all {
		if m.version <= current {
			continue
		}
		for _, stmt := range m.stmts {
			if _, err := tx.ExecContext(ctx, strings.ReplaceAll(stmt, "{id}", s.d.idType)); err != nil {
				return fmt.Errorf("migration to schema version %d: %w", m.version, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE schema_version SET version = ?`), m.version); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// currentVersion is the database's schema version: 0 for an empty database, ErrNotMQGuard for
// one with other tables.
func (s *sqlStore) currentVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, s.d.tableCount).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	var has int
	if err := tx.QueryRowContext(ctx, s.d.rebind(s.d.hasTable), "schema_version").Scan(&has); err != nil {
		return 0, err
	}
	if has == 0 {
		return 0, ErrNotMQGuard
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema_version: %w", err)
	}
	return v, nil
}
