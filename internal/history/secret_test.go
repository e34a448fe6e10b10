package history

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/scan"
)

// The passwords and personal data of secretBroker, which must never reach a store.
var secrets = []string{"Hist0ryPassw0rdZ!", "LdapS3rviceSecret!", "TagTokenValue4242", "jane.doe@example.com", "+1 415 555 0132"}

const secretBroker = `resource "aws_mq_broker" "orders" {
  broker_name         = "orders"
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = true
  authentication_strategy = "ldap"
  ldap_server_metadata {
    hosts                    = ["ldap.example.com"]
    service_account_username = "svc"
    service_account_password = "LdapS3rviceSecret!"
  }
  user {
    username = "admin"
    password = "Hist0ryPassw0rdZ!"
  }
  tags = {
    owner     = "jane.doe@example.com"
    phone     = "+1 415 555 0132"
    api_token = "TagTokenValue4242"
  }
}
`

// TestNoSecretStored records a real scan of a broker with passwords and personal data, with
// every rule and passed results, and searches everything stored for them.
func TestNoSecretStored(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(secretBroker), 0o644); err != nil {
		t.Fatal(err)
	}
	var c Collector
	res, err := scan.Run(context.Background(), scan.Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: day(0),
		ShowPassed: true, Version: "test", OnPart: c.OnPart})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Brokers()) != 1 || len(res.Report.Findings) == 0 {
		t.Fatalf("scan saw %d brokers, %d findings", len(c.Brokers()), len(res.Report.Findings))
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s, dsn := k.open(t, migrations)
			if _, err := s.Record(context.Background(), &Scan{At: day(0), Scope: Scope{Paths: []string{"."}}, Report: res.Report, Brokers: c.Brokers()}); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			var stored string
			if k.name == "sqlite" {
				raw, err := os.ReadFile(dsn)
				if err != nil {
					t.Fatal(err)
				}
				stored = string(raw)
			} else {
				stored = dumpPostgres(t, dsn)
			}
			if !strings.Contains(stored, "aws_mq_broker.orders") {
				t.Fatal("the dump does not hold the recorded rows")
			}
			for _, secret := range secrets {
				if strings.Contains(stored, secret) {
					t.Errorf("the store holds %q", secret)
				}
			}
		})
	}
}

// dumpPostgres is every row of every table of the database, as text.
func dumpPostgres(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var out strings.Builder
	for _, table := range []string{"schema_version", "scans", "findings", "finding_events", "brokers"} {
		rows, err := db.Query(`SELECT t::text FROM ` + table + ` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var row string
			if err := rows.Scan(&row); err != nil {
				t.Fatal(err)
			}
			out.WriteString(row + "\n")
		}
		_ = rows.Close()
	}
	return out.String()
}
