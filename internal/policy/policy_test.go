package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/rules"
)

func TestParseExample(t *testing.T) {
	pol, err := Load("testdata/example.mqguard.yaml", "example.mqguard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if pol.FailOn == nil || *pol.FailOn != rules.High {
		t.Errorf("fail_on = %v, want HIGH", pol.FailOn)
	}
	if len(pol.Rules) != 2 || pol.Rules[0].Rule.ID != "MQG007" || *pol.Rules[0].Severity != rules.High ||
		pol.Rules[1].Rule.ID != "MQG014" || *pol.Rules[1].Enabled {
		t.Errorf("rules = %+v", pol.Rules)
	}
	if len(pol.Exceptions) != 2 {
		t.Fatalf("exceptions = %+v", pol.Exceptions)
	}
	ex := pol.Exceptions[1]
	if len(ex.Rules) != 2 || ex.Rules[0].ID != "MQG001" || ex.Rules[1].ID != "MQG003" {
		t.Errorf("rules of exception 2 = %v", ex.Names)
	}
	if ex.Line != 27 || ex.Expires != time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC) || ex.Scope.Tags["team"] != "partners" {
		t.Errorf("exception 2 = %+v", ex)
	}
	s := pol.Settings(rules.DefaultSettings())
	if strings.Join(s.RequiredTags, ",") != "owner,data-sensitivity" || len(s.AllowedTagValues["data-sensitivity"]) != 3 {
		t.Errorf("required tags = %v %v", s.RequiredTags, s.AllowedTagValues)
	}
	if strings.Join(s.ProductionNamePatterns, ",") != "*-prod,prod-*" || strings.Join(s.ProductionTagValues, ",") != "prod,production" {
		t.Errorf("production = %+v", s)
	}
	if n := len(s.DefaultUsernames); n != len(rules.DefaultSettings().DefaultUsernames)+2 {
		t.Errorf("default usernames = %v", s.DefaultUsernames)
	}
	if got := pol.BaselinePath(); got != "mqguard-baseline.json" {
		t.Errorf("baseline = %q", got)
	}
}

// TestParseErrors: every configuration error names the file, the line and the field.
func TestParseErrors(t *testing.T) {
	const valid = "  - rule: MQG001\n    resources: [a]\n    reason: r\n    approved_by: me\n    expires: 2027-01-31\n"
	tests := []struct {
		name, in, want string
	}{
		{"unknown key", "fail_on: high\nfial_on: low\n", "p.yaml:2: fial_on: unknown key"},
		{"unknown rule", "rules:\n  MQG999:\n    enabled: false\n", "p.yaml:2: rules.MQG999: unknown rule \"MQG999\""},
		{"unknown rule key", "rules:\n  MQG001:\n    enable: false\n", "p.yaml:3: rules.MQG001.enable: unknown key"},
		{"bad severity", "rules:\n  MQG001:\n    severity: SEVERE\n", "p.yaml:3: rules.MQG001.severity: \"SEVERE\": want LOW"},
		{"bad enabled", "rules:\n  MQG001:\n    enabled: nope\n", "p.yaml:3: rules.MQG001.enabled: want true or false"},
		{"bad fail_on", "fail_on: severe\n", "p.yaml:1: fail_on: \"severe\""},
		{"exception without reason", "exceptions:\n  - rule: MQG001\n    resources: [a]\n    approved_by: me\n    expires: 2027-01-31\n",
			"p.yaml:2: exceptions[0].reason: required"},
		{"exception without approver", "exceptions:\n  - rule: MQG001\n    resources: [a]\n    reason: r\n    expires: 2027-01-31\n",
			"p.yaml:2: exceptions[0].approved_by: required"},
		{"exception without expiry", "exceptions:\n  - rule: MQG001\n    resources: [a]\n    reason: r\n    approved_by: me\n",
			"p.yaml:2: exceptions[0].expires: required"},
		{"malformed date", "exceptions:\n" + valid + "  - rule: MQG001\n    resources: [a]\n    reason: r\n    approved_by: me\n    expires: 2027-02-30\n",
			"p.yaml:11: exceptions[1].expires: \"2027-02-30\": want a date YYYY-MM-DD"},
		{"exception unknown rule", "exceptions:\n  - rule: [MQG001, nope]\n    resources: [a]\n    reason: r\n    approved_by: me\n    expires: 2027-01-31\n",
			"p.yaml:2: exceptions[0].rule: unknown rule \"nope\""},
		{"exception unknown key", "exceptions:\n  - rule: MQG001\n    resource: [a]\n", "p.yaml:3: exceptions[0].resource: unknown key"},
		{"exception without scope", "exceptions:\n  - rule: MQG001\n    reason: r\n    approved_by: me\n    expires: 2027-01-31\n",
			"p.yaml:2: exceptions[0]: a scope is required"},
		{"exception without rule", "exceptions:\n  - resources: [a]\n", "p.yaml:2: exceptions[0].rule: required"},
		{"exceptions not a list", "exceptions: {}\n", "p.yaml:1: exceptions: want a list"},
		{"duplicate key", "fail_on: high\nfail_on: low\n", "p.yaml:2: fail_on: given twice"},
		{"rule twice by two names", "rules:\n  MQG001: {enabled: false}\n  public-access: {enabled: false}\n", "p.yaml:3: rules.public-access: MQG001 is already configured at line 2"},
		{"not a mapping", "- a\n", "p.yaml:1: want a mapping"},
		{"syntax", "fail_on: [\n", "p.yaml:1: invalid YAML"},
		{"bad max days", "max_exception_days: 0\n", "p.yaml:1: max_exception_days: \"0\""},
		{"empty tag key", "required_tags: ['']\n", "p.yaml:1: required_tags: a tag key may not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.in))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error = %v, want a *policy.Error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# nothing\n", "~\n"} {
		pol, err := Parse("p.yaml", []byte(in))
		if err != nil || pol == nil || len(pol.Exceptions) != 0 {
			t.Errorf("Parse(%q) = %+v, %v", in, pol, err)
		}
	}
}

func TestRequiredTagsMapping(t *testing.T) {
	pol, err := Parse("p.yaml", []byte("required_tags:\n  owner:\n  tier: [gold, silver]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := pol.Settings(rules.DefaultSettings())
	if strings.Join(s.RequiredTags, ",") != "owner,tier" || strings.Join(s.AllowedTagValues["tier"], ",") != "gold,silver" {
		t.Errorf("settings = %v %v", s.RequiredTags, s.AllowedTagValues)
	}
}

// TestCheckExpiry: max_exception_days caps the expiry, judged at the scan's date; the cap's
// last day is allowed.
func TestCheckExpiry(t *testing.T) {
	pol, err := Parse("p.yaml", []byte("max_exception_days: 30\nexceptions:\n  - rule: MQG001\n    resources: [a]\n    reason: r\n    approved_by: me\n    expires: 2026-12-22\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pol.CheckExpiry(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("30 days ahead: %v", err)
	}
	err = pol.CheckExpiry(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	if err == nil || !strings.HasPrefix(err.Error(), "p.yaml:7: exceptions[0].expires: 2026-12-22 is more than max_exception_days (30, line 1)") {
		t.Errorf("31 days ahead: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("testdata/missing.yaml", "missing.yaml"); err == nil || !strings.HasPrefix(err.Error(), "missing.yaml: ") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load("testdata", "testdata"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

func TestMaxAdministrators(t *testing.T) {
	pol, err := Parse("p.yaml", []byte("max_administrators: 5\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := pol.Settings(rules.DefaultSettings()).MaxAdministrators; got != 5 {
		t.Errorf("MaxAdministrators = %d, want 5", got)
	}
	pol, err = Parse("p.yaml", []byte("fail_on: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pol.Settings(rules.DefaultSettings()).MaxAdministrators, rules.DefaultSettings().MaxAdministrators; got != want {
		t.Errorf("MaxAdministrators without the key = %d, want the default %d", got, want)
	}
	for _, bad := range []string{"max_administrators: 0\n", "max_administrators: many\n"} {
		if _, err := Parse("p.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "p.yaml:1: max_administrators") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}
