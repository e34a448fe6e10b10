package history

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withV2 is the schema with a test-only second migration, standing for the next release.
var withV2 = append(append([]migration(nil), migrations...), migration{version: 2, stmts: []string{
	`ALTER TABLE findings ADD COLUMN note TEXT`,
}})

func schemaVersion(t *testing.T, driver, dsn string) int {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var v int
	if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrations(t *testing.T) {
	drivers := map[string]string{"sqlite": "sqlite", "postgres": "pgx"}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			ctx := context.Background()
			// From an empty database: the newest schema.
			s, dsn := k.open(t, migrations)
			if got := schemaVersion(t, drivers[k.name], dsn); got != SchemaVersion() {
				t.Errorf("empty database migrated to %d, want %d", got, SchemaVersion())
			}
			if _, err := s.Record(ctx, scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111"))); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()

			// From the previous version: migrated, data kept, the new column there.
			reopen := func(all []migration) (Store, error) {
				if k.name == "sqlite" {
					return openSQLite(ctx, dsn, all)
				}
				return openPostgres(ctx, dsn, all)
			}
			s, err := reopen(withV2)
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaVersion(t, drivers[k.name], dsn); got != 2 {
				t.Errorf("migrated to %d, want 2", got)
			}
			fs, err := s.Findings(ctx)
			if err != nil || len(fs) != 1 || fs[0].Fingerprint != "a" {
				t.Errorf("after migration: %v, %v", fs, err)
			}
			if _, err := s.(*sqlStore).db.Exec(`UPDATE findings SET note = 'x'`); err != nil {
				t.Errorf("migration 2 did not add its column: %v", err)
			}
			_ = s.Close()

			// Reopening at the same version changes nothing.
			s, err = reopen(withV2)
			if err != nil {
				t.Fatal(err)
			}
			_ = s.Close()

			// A binary that knows only version 1 refuses the newer database.
			_, err = reopen(migrations)
			var oerr *OpenError
			if !errors.As(err, &oerr) || !strings.Contains(err.Error(), "schema is version 2, newer than this mqguard knows (1)") {
				t.Errorf("newer schema: got %v", err)
			}
		})
	}
}

func TestBadDatabases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	content := []byte("this is not a database, just some text long enough to fill a header........................................................")
	if err := os.WriteFile(notDB, content, 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE accounts (id INTEGER)`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	otherBefore, _ := os.ReadFile(other)

	tests := []struct {
		name, dsn, want string
	}{
		{"not a database file", notDB, "not a database"},
		{"another application's database", other, "not an mqguard history database"},
		{"a directory", dir, "history database " + dir},
		{"a missing directory", filepath.Join(dir, "no", "such", "h.db"), "history database"},
		{"unreachable PostgreSQL, password hidden", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2", "postgres://u:xxxxx@127.0.0.1:1/db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.dsn)
			if err == nil {
				_ = s.Close()
				t.Fatal("opened")
			}
			var oerr *OpenError
			if !errors.As(err, &oerr) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an OpenError with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	if got, _ := os.ReadFile(notDB); !bytes.Equal(got, content) {
		t.Error("the file that is not a database was changed")
	}
	if got, _ := os.ReadFile(other); !bytes.Equal(got, otherBefore) {
		t.Error("the other application's database was changed")
	}

	// A PostgreSQL database with other tables is refused too.
	t.Run("postgres: another application's database", func(t *testing.T) {
		dsn := postgresDSN(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		if _, err := db.Exec(`CREATE TABLE accounts (id INTEGER)`); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, dsn); !errors.Is(err, ErrNotMQGuard) {
			t.Errorf("got %v, want ErrNotMQGuard", err)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil || n != 1 {
			t.Errorf("tables after refusal: %d, %v", n, err)
		}
	})
}
