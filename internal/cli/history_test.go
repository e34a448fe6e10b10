package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/history"
	"github.com/mqguard/mqguard/internal/history/pgtest"
)

const historyBroker = `resource "aws_mq_broker" "orders" {
  broker_name         = "orders"
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = %s
  user {
    username = "admin"
    password = "Hist0ryS3cretPassw0rd!"
  }
  tags = {
    owner       = "jane.doe@example.com"
    db_password = "TagSecretValue123"
  }
}
`

func writeBroker(t *testing.T, dir, public string) {
	t.Helper()
	mustWrite(t, filepath.Join(dir, "infra", "main.tf"), strings.Replace(historyBroker, "%s", public, 1))
}

// TestScanDB records two scans with --db: the public broker found, then fixed, is resolved at
// the second scan's --as-of; the database holds neither the password nor the personal data.
func TestScanDB(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	writeBroker(t, dir, "true")
	env, _, stderr := testEnv(dir)
	args := []string{"scan", "--as-of", "2026-11-02", "--rules", "MQG001,MQG013,MQG015", "--db", db, "--format", "json=" + filepath.Join(dir, "r.json"), "infra"}
	if code := RunEnv(context.Background(), args, env); code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %s", code, ExitFindings, stderr)
	}
	writeBroker(t, dir, "false")
	args[2] = "2026-11-09"
	if code := RunEnv(context.Background(), args, env); code != ExitFindings {
		t.Fatalf("second scan: exit %d; stderr %s", code, stderr)
	}

	ctx := context.Background()
	s, err := history.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	scans, err := s.Scans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(scans) != 2 || !scans[0].At.Equal(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) || !scans[1].Complete ||
		strings.Join(scans[0].Scope.Paths, ",") != "infra" || strings.Join(scans[0].Scope.Rules, ",") != "MQG001,MQG013,MQG015" {
		t.Errorf("scans %+v", scans)
	}
	fs, err := s.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var public *history.Finding
	for i := range fs {
		if fs[i].RuleID == "MQG001" {
			public = &fs[i]
		}
	}
	if public == nil || public.ResolvedAt == nil || !public.ResolvedAt.Equal(time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)) ||
		public.Address != "aws_mq_broker.orders" || public.Path != "infra/main.tf" {
		t.Errorf("MQG001 finding %+v, want resolved on 2026-11-09", public)
	}
	brokers, err := s.Brokers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(brokers) != 1 || brokers[0].Engine != "ActiveMQ" || brokers[0].Public == nil || *brokers[0].Public ||
		brokers[0].Tags["db_password"] != "REDACTED" || strings.Contains(brokers[0].Tags["owner"], "jane.doe") {
		t.Errorf("brokers %+v", brokers)
	}
	_ = s.Close()

	raw, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Hist0ryS3cretPassw0rd!", "jane.doe@example.com", "TagSecretValue123"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the database holds %q", secret)
		}
	}
}

func TestScanDBErrors(t *testing.T) {
	dir := t.TempDir()
	writeBroker(t, dir, "true")
	notDB := filepath.Join(dir, "notes.txt")
	mustWrite(t, notDB, strings.Repeat("not a database\n", 20))

	newer := filepath.Join(dir, "newer.db")
	exec(t, newer, `CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (99)`)

	// A store that opens but refuses the recording: the scan is still reported, exit 3.
	failing := filepath.Join(dir, "failing.db")
	s, err := history.Open(context.Background(), failing)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	exec(t, failing, `CREATE TRIGGER refuse BEFORE INSERT ON scans BEGIN SELECT RAISE(ABORT, 'disk is full'); END`)

	tests := []struct {
		name, db   string
		code       int
		wantStderr string
		wantOutput bool
	}{
		{"not a database", notDB, ExitUsage, "--db: history database " + notDB, false},
		{"newer schema", newer, ExitUsage, "schema is version 99, newer than this mqguard knows", false},
		{"unreachable PostgreSQL", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2", ExitUsage, "postgres://u:xxxxx@127.0.0.1:1/db", false},
		{"recording fails", failing, ExitIncomplete, "--db: recording the scan", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, stdout, stderr := testEnv(dir)
			before, _ := os.ReadFile(tt.db)
			code := RunEnv(context.Background(), []string{"scan", "--as-of", "2026-11-02", "--rules", "MQG001", "--db", tt.db, "infra"}, env)
			if code != tt.code || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.wantStderr)
			}
			if strings.Contains(stderr.String(), "hunter2") {
				t.Errorf("stderr shows the password: %s", stderr)
			}
			if got := stdout.Len() > 0; got != tt.wantOutput {
				t.Errorf("report written: %v, want %v", got, tt.wantOutput)
			}
			if after, _ := os.ReadFile(tt.db); tt.code == ExitUsage && !bytes.Equal(before, after) {
				t.Error("the database was changed")
			}
		})
	}
}

// exec runs statements on the SQLite file path.
func exec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScanDBPostgres records two scans into a real PostgreSQL server with --db postgres://.
func TestScanDBPostgres(t *testing.T) {
	dsn := pgtest.Database(t)
	dir := t.TempDir()
	writeBroker(t, dir, "true")
	env, _, stderr := testEnv(dir)
	args := []string{"scan", "--as-of", "2026-11-02", "--rules", "MQG001", "--db", dsn, "infra"}
	if code := RunEnv(context.Background(), args, env); code != ExitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	writeBroker(t, dir, "false")
	args[2] = "2026-11-04"
	if code := RunEnv(context.Background(), args, env); code != ExitOK {
		t.Fatalf("second scan: exit %d; stderr %s", code, stderr)
	}
	s, err := history.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	fs, err := s.Findings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].ResolvedAt == nil || !fs[0].ResolvedAt.Equal(time.Date(2026, 11, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("findings %+v, want the MQG001 finding resolved on 2026-11-04", fs)
	}
}
