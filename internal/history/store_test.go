package history

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
)

var day0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return day0.AddDate(0, 0, n) }

// kinds are the stores every behaviour runs against.
var kinds = []struct {
	name string
	open func(t *testing.T, all []migration) (Store, string)
}{
	{"sqlite", func(t *testing.T, all []migration) (Store, string) {
		p := filepath.Join(t.TempDir(), "h.db")
		s, err := openSQLite(context.Background(), p, all)
		if err != nil {
			t.Fatal(err)
		}
		return s, p
	}},
	{"postgres", func(t *testing.T, all []migration) (Store, string) {
		dsn := postgresDSN(t)
		s, err := openPostgres(context.Background(), dsn, all)
		if err != nil {
			t.Fatal(err)
		}
		return s, dsn
	}},
}

// live is a live finding of account acct in us-east-1.
func live(fp, rule, status, acct string) finding.Finding {
	return finding.Finding{Fingerprint: fp, RuleID: rule, Severity: "HIGH", Status: status,
		Resource: finding.Resource{Source: "aws", Account: acct, Region: "us-east-1", ARN: "arn:aws:mq:us-east-1:" + acct + ":broker:" + fp}}
}

// iac is a Terraform finding in file.
func iac(fp, rule, status, file string) finding.Finding {
	return finding.Finding{Fingerprint: fp, RuleID: rule, Severity: "HIGH", Status: status,
		Resource: finding.Resource{Source: "terraform", Address: "aws_mq_broker." + fp}, Location: finding.Location{Path: file, StartLine: 1}}
}

var allRules = []string{"MQG001", "MQG002"}

func liveScope(accts ...string) Scope {
	return Scope{Accounts: accts, Regions: []string{"us-east-1"}, Rules: allRules}
}

func scanOf(d int, sc Scope, fs ...finding.Finding) *Scan {
	return &Scan{At: day(d), Scope: sc, Report: &finding.Report{Findings: fs}}
}

func incomplete(s *Scan) *Scan {
	s.Report.Errors = []finding.Error{{Source: "aws", Message: "throttled"}}
	return s
}

// state renders a recorded finding: status, first and last seen, resolved and reopened days.
func state(f Finding) string {
	days := func(t time.Time) int { return int(t.Sub(day0).Hours() / 24) }
	s := fmt.Sprintf("%s first=%d last=%d", f.Status, days(f.FirstSeen), days(f.LastSeen))
	if f.ResolvedAt != nil {
		s += fmt.Sprintf(" resolved=%d", days(*f.ResolvedAt))
	}
	if f.ReopenedAt != nil {
		s += fmt.Sprintf(" reopened=%d x%d", days(*f.ReopenedAt), f.ReopenCount)
	}
	return s
}

func TestRecord(t *testing.T) {
	tests := []struct {
		name  string
		scans []*Scan
		want  map[string]string
	}{
		{"first scan records every finding",
			[]*Scan{scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111"), live("b", "MQG002", "PASS", "111"))},
			map[string]string{"a": "FAIL first=0 last=0", "b": "PASS first=0 last=0"}},
		{"a finding no longer shown is resolved at that scan",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111"), live("b", "MQG001", "FAIL", "111")),
				scanOf(1, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(2, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
			},
			map[string]string{"a": "FAIL first=0 last=2", "b": "FAIL first=0 last=0 resolved=1"}},
		{"a finding shown passing is resolved",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(3, liveScope("111"), live("a", "MQG001", "PASS", "111")),
			},
			map[string]string{"a": "PASS first=0 last=3 resolved=3"}},
		{"a scan of one account does not resolve another's findings",
			[]*Scan{
				scanOf(0, liveScope("111", "222"), live("a", "MQG001", "FAIL", "111"), live("b", "MQG001", "FAIL", "222")),
				scanOf(1, liveScope("111")),
			},
			map[string]string{"a": "FAIL first=0 last=0 resolved=1", "b": "FAIL first=0 last=0"}},
		{"a scan of another region does not resolve",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(1, Scope{Accounts: []string{"111"}, Regions: []string{"eu-west-1"}, Rules: allRules}),
			},
			map[string]string{"a": "FAIL first=0 last=0"}},
		{"a rule that did not run resolves nothing",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(1, Scope{Accounts: []string{"111"}, Regions: []string{"us-east-1"}, Rules: []string{"MQG002"}}),
			},
			map[string]string{"a": "FAIL first=0 last=0"}},
		{"paths: only findings under the scanned paths are resolved",
			[]*Scan{
				scanOf(0, Scope{Paths: []string{"infra"}, Rules: allRules}, iac("a", "MQG001", "FAIL", "infra/a/main.tf"), iac("b", "MQG001", "FAIL", "infra/b/main.tf")),
				scanOf(1, Scope{Paths: []string{"infra/b"}, Rules: allRules}),
				scanOf(2, Scope{Paths: []string{"infra/a/main.tf"}, Rules: allRules}),
			},
			map[string]string{"a": "FAIL first=0 last=0 resolved=2", "b": "FAIL first=0 last=0 resolved=1"}},
		{"paths: a sibling with a common prefix is not covered",
			[]*Scan{
				scanOf(0, Scope{Paths: []string{"."}, Rules: allRules}, iac("a", "MQG001", "FAIL", "infra2/main.tf")),
				scanOf(1, Scope{Paths: []string{"infra"}, Rules: allRules}),
				scanOf(2, Scope{Paths: []string{"."}, Rules: allRules}),
			},
			map[string]string{"a": "FAIL first=0 last=0 resolved=2"}},
		{"a live scan does not resolve Terraform findings",
			[]*Scan{
				scanOf(0, Scope{Paths: []string{"."}, Rules: allRules}, iac("a", "MQG001", "FAIL", "main.tf")),
				scanOf(1, liveScope("111")),
			},
			map[string]string{"a": "FAIL first=0 last=0"}},
		{"a resolved finding that comes back is reopened",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(1, liveScope("111")),
				scanOf(4, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
			},
			map[string]string{"a": "FAIL first=0 last=4 reopened=4 x1"}},
		{"reopened, then resolved again",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(1, liveScope("111")),
				scanOf(2, liveScope("111"), live("a", "MQG001", "UNKNOWN", "111")),
				scanOf(3, liveScope("111"), live("a", "MQG001", "PASS", "111")),
			},
			map[string]string{"a": "PASS first=0 last=3 resolved=3 reopened=2 x1"}},
		{"an incomplete scan resolves nothing by absence",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111"), live("b", "MQG001", "FAIL", "111")),
				incomplete(scanOf(1, liveScope("111"), live("a", "MQG001", "FAIL", "111"))),
			},
			map[string]string{"a": "FAIL first=0 last=1", "b": "FAIL first=0 last=0"}},
		{"an incomplete scan records what it saw: new, passed and reopened findings",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111"), live("b", "MQG001", "FAIL", "111")),
				scanOf(1, liveScope("111"), live("b", "MQG001", "FAIL", "111")),
				incomplete(scanOf(2, liveScope("111"), live("a", "MQG001", "FAIL", "111"), live("b", "MQG001", "PASS", "111"), live("c", "MQG002", "FAIL", "111"))),
			},
			map[string]string{"a": "FAIL first=0 last=2 reopened=2 x1", "b": "PASS first=0 last=2 resolved=2", "c": "FAIL first=2 last=2"}},
		{"suppressed findings stay open",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(1, liveScope("111"), live("a", "MQG001", "SUPPRESSED", "111")),
			},
			map[string]string{"a": "SUPPRESSED first=0 last=1"}},
		{"a back-filled older scan only moves first seen",
			[]*Scan{
				scanOf(5, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(3, liveScope("111")),
				scanOf(1, liveScope("111"), live("a", "MQG001", "PASS", "111")),
			},
			map[string]string{"a": "FAIL first=1 last=5"}},
		{"two scans at the same time: the one that did not see a finding does not resolve it",
			[]*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				scanOf(0, liveScope("111")),
			},
			map[string]string{"a": "FAIL first=0 last=0"}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					s, _ := k.open(t, migrations)
					defer func() { _ = s.Close() }()
					ctx := context.Background()
					for _, sc := range tt.scans {
						if _, err := s.Record(ctx, sc); err != nil {
							t.Fatal(err)
						}
					}
					got := map[string]string{}
					fs, err := s.Findings(ctx)
					if err != nil {
						t.Fatal(err)
					}
					for _, f := range fs {
						got[f.Fingerprint] = state(f)
					}
					for fp, w := range tt.want {
						if got[fp] != w {
							t.Errorf("%s: got %q, want %q", fp, got[fp], w)
						}
					}
					if len(got) != len(tt.want) {
						t.Errorf("recorded %v, want %v", got, tt.want)
					}
				})
			}
		})
	}
}

func TestEventsAndScans(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s, _ := k.open(t, migrations)
			defer func() { _ = s.Close() }()
			ctx := context.Background()
			for _, sc := range []*Scan{
				scanOf(0, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
				incomplete(scanOf(1, liveScope("111"))),
				scanOf(2, liveScope("111")),
				scanOf(3, liveScope("111"), live("a", "MQG001", "FAIL", "111")),
			} {
				if _, err := s.Record(ctx, sc); err != nil {
					t.Fatal(err)
				}
			}
			evs, err := s.Events(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, fmt.Sprintf("%d %s %s %s", e.ScanID, e.At.Format("01-02"), e.Kind, e.Status))
			}
			want := []string{"1 11-02 new FAIL", "3 11-04 resolved FAIL", "4 11-05 reopened FAIL"}
			if !slices.Equal(got, want) {
				t.Errorf("events %q, want %q", got, want)
			}
			scans, err := s.Scans(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(scans) != 4 || scans[1].Complete || !scans[0].Complete || scans[1].Errors != 1 ||
				!slices.Equal(scans[0].Scope.Accounts, []string{"111"}) || !scans[3].At.Equal(day(3)) {
				t.Errorf("scans %+v", scans)
			}
		})
	}
}

func TestInventory(t *testing.T) {
	yes, no := true, false
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s, _ := k.open(t, migrations)
			defer func() { _ = s.Close() }()
			ctx := context.Background()
			b1 := Broker{Key: "arn:1", Source: "aws", ARN: "arn:1", Account: "111", Region: "us-east-1", Engine: "RabbitMQ", Public: &yes, Tags: map[string]string{"team": "x"}}
			b2 := Broker{Key: "main.tf#aws_mq_broker.b", Source: "terraform", Address: "aws_mq_broker.b", Engine: "ActiveMQ"}
			sc := scanOf(0, liveScope("111"))
			sc.Brokers = []Broker{b1, b2, b1}
			if _, err := s.Record(ctx, sc); err != nil {
				t.Fatal(err)
			}
			b1.Public = &no
			sc = scanOf(1, liveScope("111"))
			sc.Brokers = []Broker{b1}
			if _, err := s.Record(ctx, sc); err != nil {
				t.Fatal(err)
			}
			got, err := s.Brokers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, b := range got {
				pub := "unknown"
				if b.Public != nil {
					pub = fmt.Sprint(*b.Public)
				}
				lines = append(lines, fmt.Sprintf("%s %s %s public=%s tags=%v", b.Key, b.Source, b.Engine, pub, b.Tags))
			}
			want := []string{"arn:1 aws RabbitMQ public=false tags=map[team:x]", "main.tf#aws_mq_broker.b terraform ActiveMQ public=unknown tags=map[]"}
			if !slices.Equal(lines, want) {
				t.Errorf("brokers\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestConcurrentWriters runs scanners of two account shards, and a third that sees what both
// see, against one PostgreSQL store at once: every finding is recorded once, none resolved.
func TestConcurrentWriters(t *testing.T) {
	dsn := postgresDSN(t)
	ctx := context.Background()
	const rounds = 20
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for w, accts := range [][]string{{"111"}, {"222"}, {"111", "222"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenPostgres(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = s.Close() }()
			for r := range rounds {
				var fs []finding.Finding
				for _, a := range accts {
					for i := range 20 {
						fs = append(fs, live(fmt.Sprintf("%s-%d", a, i), "MQG001", "FAIL", a))
					}
				}
				if _, err := s.Record(ctx, scanOf(r, liveScope(accts...), fs...)); err != nil {
					errs <- fmt.Errorf("writer %d round %d: %w", w, r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	fs, err := s.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 40 {
		t.Fatalf("%d findings, want 40", len(fs))
	}
	for _, f := range fs {
		if !f.Open() || !f.FirstSeen.Equal(day(0)) || !f.LastSeen.Equal(day(rounds-1)) {
			t.Errorf("%s: %s", f.Fingerprint, state(f))
		}
	}
	scans, err := s.Scans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(scans) != 3*rounds {
		t.Errorf("%d scans, want %d", len(scans), 3*rounds)
	}
}

// TestConcurrentWritersSQLite runs two scanners of one SQLite file at once, each with its own
// connection as two processes would: the second waits for the first's write lock.
func TestConcurrentWritersSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	ctx := context.Background()
	s0, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	_ = s0.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, acct := range []string{"111", "222"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenSQLite(ctx, path)
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = s.Close() }()
			for r := range 20 {
				if _, err := s.Record(ctx, scanOf(r, liveScope(acct), live(acct+"-a", "MQG001", "FAIL", acct))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	fs, err := s.Findings(ctx)
	if err != nil || len(fs) != 2 || !fs[0].Open() || !fs[1].Open() {
		t.Errorf("findings %v, %v", fs, err)
	}
}
