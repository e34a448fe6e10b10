package suppress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/rules"
)

func mustRule(t *testing.T, name string) *rules.Rule {
	t.Helper()
	r, ok := rules.Lookup(name)
	if !ok {
		t.Fatalf("no rule %s", name)
	}
	return r
}

// TestExceptionScopes: each scope kind matches what it names and nothing else; an undecided
// value never matches.
func TestExceptionScopes(t *testing.T) {
	public := mustRule(t, "MQG001")
	id := model.Identity{Source: model.SourceTerraform, Address: "module.partner.aws_mq_broker.edge",
		ARN: "arn:aws:mq:eu-west-1:111122223333:broker:edge:b-1", Account: "111122223333", Region: "eu-west-1",
		At: model.Range{File: "infra/partner/mq.tf", StartLine: 3}}
	tags := model.Tags{V: map[string]string{"Team": "partners"}, ValueUnknown: map[string]model.Range{"owner": {}}, State: model.Unknown, KeysKnown: true}
	tests := []struct {
		name  string
		scope policy.Scope
		want  bool
	}{
		{"address glob", policy.Scope{Resources: []string{"module.partner.*"}}, true},
		{"other address", policy.Scope{Resources: []string{"module.core.*"}}, false},
		{"arn glob", policy.Scope{ARNs: []string{"arn:aws:mq:eu-west-1:111122223333:broker:edge:*"}}, true},
		{"other arn", policy.Scope{ARNs: []string{"arn:aws:mq:*:444455556666:*"}}, false},
		{"account", policy.Scope{Accounts: []string{"999999999999", "111122223333"}}, true},
		{"other account", policy.Scope{Accounts: []string{"999999999999"}}, false},
		{"region", policy.Scope{Regions: []string{"EU-WEST-1"}}, true},
		{"other region", policy.Scope{Regions: []string{"us-east-1"}}, false},
		{"tag, key case-insensitive", policy.Scope{Tags: map[string]string{"team": "partners"}}, true},
		{"tag value differs", policy.Scope{Tags: map[string]string{"team": "core"}}, false},
		{"undecided tag value", policy.Scope{Tags: map[string]string{"owner": "x"}}, false},
		{"every tag must match", policy.Scope{Tags: map[string]string{"team": "partners", "tier": "gold"}}, false},
		{"path glob", policy.Scope{Paths: []string{"./infra/partner/*"}}, true},
		{"other path", policy.Scope{Paths: []string{"infra/core/*"}}, false},
		{"every kind must match", policy.Scope{Resources: []string{"module.partner.*"}, Regions: []string{"us-east-1"}}, false},
	}
	asOf := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := policy.Exception{Rules: []*rules.Rule{public}, Scope: tt.scope, Reason: "partner", ApprovedBy: "secops",
				Ticket: "SEC-1", Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), Line: 4}
			l := New(Options{AsOf: asOf, Exceptions: []policy.Exception{ex}, PolicyFile: ".mqguard.yaml"})
			v := l.Suppressed(&Candidate{Rule: public, Status: finding.StatusFail, ID: id, Tags: tags})
			if got := v.Suppression != nil; got != tt.want {
				t.Fatalf("suppressed = %v, want %v", got, tt.want)
			}
			out := l.Finish()
			if tt.want {
				s := v.Suppression
				if s.Kind != "exception" || s.Reason != "partner" || s.ApprovedBy != "secops" || s.Ticket != "SEC-1" ||
					s.Expires != "2027-01-31" || s.OriginalStatus != "FAIL" || s.Location.Path != ".mqguard.yaml" || s.Location.StartLine != 4 {
					t.Errorf("suppression = %+v", s)
				}
				if e := out.Exceptions[0]; e.Status != "active" || e.Matched != 1 || e.MatchedFail != 1 {
					t.Errorf("exception = %+v", e)
				}
			} else if e := out.Exceptions[0]; e.Status != "unused" || e.Matched != 0 {
				t.Errorf("exception = %+v", e)
			}
		})
	}
	// Another rule is not covered.
	ex := policy.Exception{Rules: []*rules.Rule{public}, Scope: policy.Scope{Accounts: []string{"111122223333"}}, Reason: "r", ApprovedBy: "a",
		Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}
	l := New(Options{AsOf: asOf, Exceptions: []policy.Exception{ex}})
	if v := l.Suppressed(&Candidate{Rule: mustRule(t, "MQG007"), Status: finding.StatusFail, ID: id}); v.Suppression != nil {
		t.Errorf("MQG007 suppressed by an exception for MQG001: %+v", v.Suppression)
	}
}

// TestExceptionExpiry: the expiry day itself still suppresses; the day after, the finding is
// no longer suppressed, says the exception expired, and the exception is reported expired.
func TestExceptionExpiry(t *testing.T) {
	public := mustRule(t, "MQG001")
	ex := policy.Exception{Rules: []*rules.Rule{public}, Scope: policy.Scope{Resources: []string{"*"}}, Reason: "r", ApprovedBy: "secops",
		Expires: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Line: 7}
	id := model.Identity{Address: "aws_mq_broker.a"}
	tests := []struct {
		asOf       time.Time
		suppressed bool
		status     string
	}{
		{time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), true, "active"},
		{time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC), true, "active"},
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), false, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.asOf.Format(time.DateOnly), func(t *testing.T) {
			l := New(Options{AsOf: tt.asOf, Exceptions: []policy.Exception{ex}, PolicyFile: "p.yaml",
				Baseline: &Baseline{Path: "b.json", Fingerprints: []string{"fp"}}})
			v := l.Suppressed(&Candidate{Rule: public, Status: finding.StatusUnknown, ID: id, Fingerprint: "fp"})
			if got := v.Suppression != nil; got != tt.suppressed {
				t.Fatalf("suppressed = %v (%+v), want %v", got, v.Suppression, tt.suppressed)
			}
			if tt.suppressed && (v.Suppression.Kind != "exception" || v.Suppression.OriginalStatus != "UNKNOWN") {
				t.Errorf("suppression = %+v", v.Suppression)
			}
			// An expired exception is not replaced by the baseline.
			if !tt.suppressed && v.Expired != "The exception for MQG001 at p.yaml:7, approved by secops, expired on 2026-11-22: it no longer suppresses this finding." {
				t.Errorf("expired = %q", v.Expired)
			}
			e := l.Finish().Exceptions[0]
			if e.Status != tt.status || e.MatchedUnknown != 1 || e.Matched != 1 {
				t.Errorf("exception = %+v, want status %s", e, tt.status)
			}
		})
	}
}

// TestPrecedence: inline first, then exception, then baseline.
func TestPrecedence(t *testing.T) {
	public := mustRule(t, "MQG001")
	asOf := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ex := policy.Exception{Rules: []*rules.Rule{public}, Scope: policy.Scope{Resources: []string{"*"}}, Reason: "approved", ApprovedBy: "secops",
		Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	base := &Baseline{Path: "b.json", Fingerprints: []string{"fp", "gone"}}
	l := New(Options{Catalog: []*rules.Rule{public}, Selected: []*rules.Rule{public}, AsOf: asOf, Exceptions: []policy.Exception{ex}, Baseline: base})
	in, notes := l.Inline("", model.Identity{Address: "aws_mq_broker.a"}, []model.Directive{{Text: `# mqguard:ignore MQG001 reason="inline"`}})
	if len(notes) != 0 {
		t.Fatal(notes)
	}
	c := &Candidate{Rule: public, Status: finding.StatusFail, ID: model.Identity{Address: "aws_mq_broker.a"}, Fingerprint: "fp", Inline: []*Inline{in}}
	if v := l.Suppressed(c); v.Suppression == nil || v.Suppression.Kind != "inline" {
		t.Errorf("with inline: %+v", v.Suppression)
	}
	c.Inline = nil
	if v := l.Suppressed(c); v.Suppression == nil || v.Suppression.Kind != "exception" {
		t.Errorf("with exception: %+v", v.Suppression)
	}
	l2 := New(Options{AsOf: asOf, Baseline: base})
	v := l2.Suppressed(c)
	if v.Suppression == nil || v.Suppression.Kind != "baseline" || v.Suppression.Reason != "present in the baseline b.json" {
		t.Errorf("with baseline: %+v", v.Suppression)
	}
	if v := l2.Suppressed(&Candidate{Rule: public, Status: finding.StatusFail, Fingerprint: "new"}); v.Suppression != nil {
		t.Errorf("a new finding is suppressed: %+v", v.Suppression)
	}
	out := l2.Finish()
	if out.Baselined != 1 {
		t.Errorf("baselined = %d, want 1", out.Baselined)
	}
	if len(out.Notes) != 1 || !strings.HasPrefix(out.Notes[0].Message, "1 of the baseline's 2 findings are gone") {
		t.Errorf("notes = %+v", out.Notes)
	}
}

func TestBaselineRoundTrip(t *testing.T) {
	rep := &finding.Report{Findings: []finding.Finding{
		{Status: "FAIL", Fingerprint: "b"},
		{Status: "UNKNOWN", Fingerprint: "a"},
		{Status: "FAIL", Fingerprint: "b"},
		{Status: "SUPPRESSED", Fingerprint: "c", Suppression: &finding.Suppression{Kind: "baseline"}},
		{Status: "SUPPRESSED", Fingerprint: "d", Suppression: &finding.Suppression{Kind: "exception"}},
		{Status: "PASS", Fingerprint: "e"},
	}}
	var buf bytes.Buffer
	if err := WriteBaseline(&buf, BaselineOf(rep, false)); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"schema\": \"mqguard-baseline/v1\",\n  \"fingerprints\": [\n    \"a\",\n    \"b\",\n    \"c\"\n  ]\n}\n"
	if buf.String() != want {
		t.Errorf("baseline =\n%s\nwant\n%s", buf.String(), want)
	}
	b, err := ParseBaseline("b.json", buf.Bytes())
	if err != nil || strings.Join(b.Fingerprints, ",") != "a,b,c" {
		t.Errorf("parsed = %+v, %v", b, err)
	}
	// Pruning keeps only what the baseline already held and is still present.
	if got := BaselineOf(rep, true); strings.Join(got, ",") != "c" {
		t.Errorf("pruned = %v", got)
	}
	buf.Reset()
	_ = WriteBaseline(&buf, nil)
	if buf.String() != "{\n  \"schema\": \"mqguard-baseline/v1\",\n  \"fingerprints\": []\n}\n" {
		t.Errorf("empty baseline = %q", buf.String())
	}
}

func TestParseBaselineErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{\n  \"schema\": \"mqguard-baseline/v1\",\n  \"fingerprints\": [\n    \"a\"\n    \"b\"\n  ]\n}\n", "b.json:5: not a baseline"},
		{`{"schema": "other"}`, `b.json: schema "other"`},
		{`{"schema": "mqguard-baseline/v1"}`, "b.json: no fingerprints"},
		{`{"schema": "mqguard-baseline/v1", "fingerprints": [""]}`, "b.json: fingerprint 1 is empty"},
	}
	for _, tt := range tests {
		_, err := ParseBaseline("b.json", []byte(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseBaseline(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
	// A JSON report is a baseline of its open and baselined findings.
	b, err := ParseBaseline("r.json", []byte(`{"schema": "mqguard/v1", "findings": [{"status": "FAIL", "fingerprint": "x"}, {"status": "SUPPRESSED", "fingerprint": "y", "suppression": {"kind": "inline"}}]}`))
	if err != nil || strings.Join(b.Fingerprints, ",") != "x" {
		t.Errorf("report baseline = %+v, %v", b, err)
	}
}

// FuzzParseBaseline: a baseline file is untrusted input; whatever it holds, ParseBaseline
// returns a baseline or a *BaselineError, never panics.
func FuzzParseBaseline(f *testing.F) {
	f.Add([]byte("{\n  \"schema\": \"mqguard-baseline/v1\",\n  \"fingerprints\": [\n    \"a\"\n  ]\n}\n"))
	f.Add([]byte(`{"schema": "mqguard/v1", "findings": [{"status": "FAIL", "fingerprint": "x"}]}`))
	f.Add([]byte(`{"schema": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBaseline("b.json", data)
		if err != nil {
			if be := (*BaselineError)(nil); !errors.As(err, &be) {
				t.Fatalf("error %T is not a *BaselineError", err)
			}
			return
		}
		for _, fp := range b.Fingerprints {
			if strings.TrimSpace(fp) == "" {
				t.Fatal("empty fingerprint accepted")
			}
		}
	})
}
