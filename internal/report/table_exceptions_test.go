package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// exceptionsFixture is the fixture with a policy file's exceptions (one of each status) and a
// baselined finding.
func exceptionsFixture() *finding.Report {
	r := fixture()
	r.Summary.Baselined = 1
	loc := func(line int) finding.Location {
		return finding.Location{Path: ".mqguard.yaml", StartLine: line, EndLine: line}
	}
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Status == finding.StatusSuppressed {
			f.Suppression = &finding.Suppression{Kind: "exception", Reason: "audit in the SIEM", Approver: "secops", ApprovedBy: "secops",
				Ticket: "SEC-12", Expires: "2027-01-31", OriginalStatus: "FAIL", Location: &finding.Location{Path: ".mqguard.yaml", StartLine: 3, EndLine: 3}}
		}
	}
	r.Exceptions = []finding.Exception{
		{Rule: []string{"MQG007"}, Scope: finding.ExceptionScope{Resources: []string{"aws_mq_broker.orders"}}, Reason: "audit in the SIEM",
			ApprovedBy: "secops", Ticket: "SEC-12", Expires: "2027-01-31", Status: finding.ExceptionActive, Matched: 1, MatchedFail: 1, Location: loc(3)},
		{Rule: []string{"MQG001", "MQG003"}, Scope: finding.ExceptionScope{Accounts: []string{"111122223333"}}, Reason: "partner ingress",
			ApprovedBy: "platform-lead", Expires: "2026-10-31", Status: finding.ExceptionExpired, Matched: 2, MatchedFail: 1, MatchedUnknown: 1, Location: loc(10)},
		{Rule: []string{"MQG014"}, Scope: finding.ExceptionScope{Paths: []string{"legacy/*"}}, Reason: "legacy users",
			ApprovedBy: "secops", Expires: "2026-12-31", Status: finding.ExceptionUnused, Location: loc(17)},
	}
	return r
}

// TestTableExceptions: the table ends with the expired and unused exceptions; the summary says
// how many findings the baseline hides.
func TestTableExceptions(t *testing.T) {
	got := write(t, "table", exceptionsFixture(), Options{Width: 100})
	path := filepath.Join("testdata", "golden", "exceptions-100.txt")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("table differs from %s (run go test ./internal/report -update to accept):\n%s", path, got)
	}
	out := string(got)
	for _, s := range []string{"Policy exceptions:", ".mqguard.yaml:10", "expired on 2026-10-31", ".mqguard.yaml:17", "(1 by the baseline)"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q", s)
		}
	}
	// The active exception shows on its finding, with its ticket, and not at the end.
	rows, end, _ := strings.Cut(out, "Policy exceptions:")
	if !strings.Contains(rows, "suppressed (exception): audit in the SIEM") || !strings.Contains(rows, "SEC-12") || strings.Contains(end, "SEC-12") {
		t.Errorf("the active exception is not shown on its finding only")
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "UNKNOWN finding") {
		t.Error("the exceptions are not the last section")
	}
}
