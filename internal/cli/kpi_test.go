package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/history"
)

var updateKPI = flag.Bool("update-kpi", false, "rewrite the KPI golden files in testdata/kpi")

// kpiBroker is a Terraform broker; its security group is open to the internet when public.
const kpiBroker = `resource "aws_mq_broker" %q {
  broker_name         = %q
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = %t
}
`

// kpiMonth scans, with the real CLI, two weeks of daily Terraform trees into a SQLite file,
// from Monday 2026-11-02 (2026-W45) to Sunday 2026-11-15 (2026-W46):
//
//	orders  public on days 0-4, fixed on day 5, public again on days 9-11, fixed on day 12
//	billing private, from day 2
//	audit   public from day 7, never fixed
//
// On day 8 a file that does not parse makes the scan incomplete: it resolves nothing.
func kpiMonth(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	for d := range 14 {
		var tf strings.Builder
		fmt.Fprintf(&tf, kpiBroker, "orders", "orders", d < 5 || (d >= 9 && d < 12))
		if d >= 2 {
			fmt.Fprintf(&tf, kpiBroker, "billing", "billing", false)
		}
		if d >= 7 {
			fmt.Fprintf(&tf, kpiBroker, "audit", "audit", true)
		}
		mustWrite(t, filepath.Join(dir, "infra", "main.tf"), tf.String())
		broken := filepath.Join(dir, "infra", "broken.tf")
		if d == 8 {
			mustWrite(t, broken, "variable \"region\" {\n")
		} else {
			_ = os.Remove(broken)
		}
		env, _, stderr := testEnv(dir)
		asOf := fmt.Sprintf("2026-11-%02d", 2+d)
		code := RunEnv(context.Background(), []string{"scan", "--as-of", asOf, "--rules", "MQG001", "--db", db, "infra"}, env)
		want := ExitFindings
		switch d {
		case 8:
			want = ExitIncomplete
		case 5, 6:
			want = ExitOK // nothing public
		}
		if code != want {
			t.Fatalf("scan of %s: exit %d, want %d; stderr %s", asOf, code, want, stderr)
		}
	}
	return db
}

// TestKPIGolden checks every output format of `mqguard kpi` on the scanned month
// (go test ./internal/cli/ -run KPIGolden -update-kpi rewrites them).
func TestKPIGolden(t *testing.T) {
	db := kpiMonth(t)
	for _, format := range kpiFormats {
		t.Run(format, func(t *testing.T) {
			env, stdout, stderr := testEnv(t.TempDir())
			if code := RunEnv(context.Background(), []string{"kpi", "--db", db, "--format", format}, env); code != ExitOK {
				t.Fatalf("exit %d; stderr %s", code, stderr)
			}
			// The database path differs per run: the output never shows it.
			golden := filepath.Join("testdata", "kpi", "month."+format)
			if *updateKPI {
				if err := os.WriteFile(golden, stdout.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("kpi --format %s differs from %s:\n%s", format, golden, stdout)
			}
		})
	}
}

func TestKPIErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	mustWrite(t, notDB, strings.Repeat("not a database\n", 20))
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no --db", []string{"kpi"}, "--db DB is required"},
		{"missing database", []string{"kpi", "--db", missing}, "history database " + missing + " does not exist"},
		{"not a database", []string{"kpi", "--db", notDB}, "--db: history database " + notDB},
		{"bad --since", []string{"kpi", "--db", notDB, "--since", "2026-13-01"}, `--since "2026-13-01": not a date`},
		{"bad --until", []string{"kpi", "--db", notDB, "--until", "yesterday"}, `--until "yesterday": not a date`},
		{"until before since", []string{"kpi", "--db", notDB, "--since", "2026-11-10", "--until", "2026-11-09"}, "--until 2026-11-09 is before --since 2026-11-10"},
		{"bad format", []string{"kpi", "--db", notDB, "--format", "xml"}, `--format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, stdout, stderr := testEnv(dir)
			if code := RunEnv(context.Background(), tt.args, env); code != ExitUsage || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, ExitUsage, tt.wantStderr)
			}
			if stdout.Len() > 0 {
				t.Errorf("output written: %s", stdout)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("kpi created the missing database")
	}
}

// TestKPIHTMLSelfContained: the KPI page loads nothing, runs nothing, and its policy admits
// only its own style; user-controlled text (resource addresses) is escaped.
func TestKPIHTMLSelfContained(t *testing.T) {
	k := &history.KPIs{Schema: history.KPISchema, Since: "2026-11-02", Until: "2026-11-08", AsOf: "2026-11-08T00:00:00Z", Scans: 1,
		Weeks: []history.WeekKPI{{Week: "2026-W45", Start: "2026-11-02", PublicBrokers: 1, OpenBySeverity: map[string]int{"HIGH": 1},
			NetworkExposure: map[string]int{"MQG001": 1}}},
		MTTR: history.MTTRs{ByRule: map[string]history.MTTR{}, BySeverity: map[string]history.MTTR{}},
		OldestOpen: []history.Opened{{Fingerprint: "x", RuleID: "MQG001", Severity: "HIGH", Status: "FAIL",
			Resource: `aws_mq_broker.<script>alert(1)</script> (a"b.tf)`, OpenSince: "2026-11-02T00:00:00Z"}}}
	var b bytes.Buffer
	if err := writeKPIHTML(&b, k); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, ref := range []string{"<script", " src=", " href=", "<link", "@import", "url(", "<iframe", "<object", "<embed", "<img", "https://"} {
		if strings.Contains(page, ref) {
			t.Errorf("page contains %q", ref)
		}
	}
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(page)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	if csp == nil || style == nil {
		t.Fatalf("no Content-Security-Policy or style in\n%s", page)
	}
	sum := sha256.Sum256([]byte(style[1]))
	policy := html.UnescapeString(csp[1])
	for _, want := range []string{"default-src 'none'", "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %q", policy, want)
		}
	}
	if strings.Count(page, "<svg ") != 4 || !strings.Contains(page, "<title>2026-W45, public (MQG001 FAIL): 1</title>") {
		t.Errorf("the page lacks its four weekly charts:\n%s", page)
	}
}
