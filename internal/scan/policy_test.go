package scan

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/suppress"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGovernanceGolden scans a module with every kind of suppression outcome: inline,
// exception on an UNKNOWN, expired exception, unused exception, baselined, and a new FAIL and
// UNKNOWN that fail the scan.
func TestGovernanceGolden(t *testing.T) {
	dir := "testdata/governance"
	pol, err := policy.Load(filepath.Join(dir, "mqguard.yaml"), "mqguard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	req := Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Version: "test", Rules: []string{"MQG001"}, Policy: pol}
	_, first := run(t, req)
	var old string
	for _, f := range first.Report.Findings {
		if f.Resource.Address == "aws_mq_broker.old" {
			old = f.Fingerprint
		}
	}
	if old == "" {
		t.Fatal("no finding on aws_mq_broker.old")
	}
	req.Baseline = &suppress.Baseline{Path: "baseline.json", Fingerprints: []string{old, "0000000000000000000000000000dead"}}
	out, res := run(t, req)
	golden := filepath.Join("testdata", "governance.json")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("report differs from %s (go test ./internal/scan -run Governance -update):\n%s", golden, out)
	}
	byAddr := map[string]finding.Finding{}
	for _, f := range res.Report.Findings {
		byAddr[f.Resource.Address] = f
	}
	checks := []struct {
		addr, status, kind string
	}{
		{"aws_mq_broker.status", "SUPPRESSED", "inline"},
		{"aws_mq_broker.edge", "SUPPRESSED", "exception"},
		{"aws_mq_broker.legacy", "FAIL", ""},
		{"aws_mq_broker.old", "SUPPRESSED", "baseline"},
		{"aws_mq_broker.new", "UNKNOWN", ""},
	}
	for _, c := range checks {
		f := byAddr[c.addr]
		kind := ""
		if f.Suppression != nil {
			kind = f.Suppression.Kind
		}
		if f.Status != c.status || kind != c.kind {
			t.Errorf("%s: status %s, kind %q; want %s, %q", c.addr, f.Status, kind, c.status, c.kind)
		}
	}
	if s := byAddr["aws_mq_broker.edge"].Suppression; s == nil || s.OriginalStatus != "UNKNOWN" {
		t.Errorf("the exception does not say it suppressed an UNKNOWN: %+v", s)
	}
	if m := byAddr["aws_mq_broker.legacy"].Message; !strings.Contains(m, "The exception for MQG001 at mqguard.yaml:9, approved by platform-lead, expired on 2026-10-31: it no longer suppresses this finding.") {
		t.Errorf("expired message = %q", m)
	}
	var statuses []string
	for _, e := range res.Report.Exceptions {
		statuses = append(statuses, e.Status)
	}
	if strings.Join(statuses, ",") != "active,expired,unused" {
		t.Errorf("exception statuses = %v", statuses)
	}
	if s := res.Report.Summary; s.Baselined != 1 || s.Suppressed != 3 || s.Fail != 1 || s.Unknown != 1 {
		t.Errorf("summary = %+v", s)
	}
	if !res.Fails(0, false) {
		t.Error("the new findings do not fail the scan")
	}
	// The written baseline keeps the baselined finding and adds the open ones; pruned, only
	// the baselined one stays.
	var buf bytes.Buffer
	if err := suppress.WriteBaseline(&buf, suppress.BaselineOf(res.Report, true)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), old) || strings.Count(buf.String(), "\n    \"") != 1 {
		t.Errorf("pruned baseline:\n%s", buf.String())
	}
}

// TestPolicyRulesAndSettings: a disabled rule does not run unless the command line names it;
// a severity override applies; the policy's settings reach the rules; a cap on expiry is
// checked at the scan's date.
func TestPolicyRulesAndSettings(t *testing.T) {
	dir := writeTree(t, map[string]string{"main.tf": `
resource "aws_mq_broker" "b" {
  broker_name         = "orders-prod"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.t3.micro"
  deployment_mode     = "SINGLE_INSTANCE"
  publicly_accessible = true
  tags = { owner = "team-a" }
}
`})
	parse := func(src string) *policy.Policy {
		t.Helper()
		pol, err := policy.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return pol
	}
	// count returns the FAIL and UNKNOWN findings of a rule and their severities.
	count := func(res *Result, id string) (n int, sev string) {
		seen := map[string]bool{}
		for _, f := range res.Report.Findings {
			if f.RuleID == id && f.Status != "PASS" && f.Status != "N/A" {
				n++
				if !seen[f.Severity] {
					seen[f.Severity] = true
					sev += f.Severity
				}
			}
		}
		return n, sev
	}
	pol := parse("rules:\n  MQG001: {enabled: false}\n  MQG011: {severity: CRITICAL}\nrequired_tags: [owner]\nproduction: {name_patterns: ['*-prod']}\n")
	_, res := run(t, Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Policy: pol})
	if n, _ := count(res, "MQG001"); n != 0 {
		t.Errorf("disabled MQG001 ran")
	}
	if n, _ := count(res, "MQG011"); n != 0 {
		t.Errorf("MQG011 fails though the only required tag is set")
	}
	if n, _ := count(res, "MQG021"); n == 0 {
		t.Errorf("the name pattern does not make the single-instance broker production (MQG021)")
	}
	_, res = run(t, Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Policy: pol, Rules: []string{"public-access"}})
	if n, _ := count(res, "MQG001"); n != 1 {
		t.Errorf("--rules names MQG001 but it did not run")
	}
	pol = parse("rules:\n  MQG011: {severity: CRITICAL}\n")
	_, res = run(t, Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Policy: pol})
	if n, sev := count(res, "MQG011"); n == 0 || sev != "CRITICAL" {
		t.Errorf("MQG011: %d findings, severities %s; want CRITICAL", n, sev)
	}
	pol = parse("max_exception_days: 10\nexceptions:\n  - rule: MQG001\n    resources: ['*']\n    reason: r\n    approved_by: a\n    expires: 2027-01-01\n")
	_, err := Run(t.Context(), Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Policy: pol})
	var rerr *RequestError
	if !errors.As(err, &rerr) || !strings.Contains(err.Error(), "p.yaml:7: exceptions[0].expires") {
		t.Errorf("error = %v, want a request error naming p.yaml:7", err)
	}
}
