package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// The JUnit document as GitLab, Jenkins and the GitHub test reporters read it.
type (
	junitDoc struct {
		XMLName  xml.Name        `xml:"testsuites"`
		Tests    int             `xml:"tests,attr"`
		Failures int             `xml:"failures,attr"`
		Errors   int             `xml:"errors,attr"`
		Skipped  int             `xml:"skipped,attr"`
		Suites   []junitDocSuite `xml:"testsuite"`
	}
	junitDocSuite struct {
		Name     string         `xml:"name,attr"`
		Tests    int            `xml:"tests,attr"`
		Failures int            `xml:"failures,attr"`
		Errors   int            `xml:"errors,attr"`
		Skipped  int            `xml:"skipped,attr"`
		Cases    []junitDocCase `xml:"testcase"`
	}
	junitDocCase struct {
		Name      string          `xml:"name,attr"`
		Classname string          `xml:"classname,attr"`
		File      string          `xml:"file,attr"`
		Line      string          `xml:"line,attr"`
		Time      string          `xml:"time,attr"`
		Failure   *junitDocResult `xml:"failure"`
		Error     *junitDocResult `xml:"error"`
		Skipped   *junitDocResult `xml:"skipped"`
	}
	junitDocResult struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",chardata"`
	}
)

func parseJUnit(t *testing.T, out []byte) junitDoc {
	t.Helper()
	var doc junitDoc
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JUnit output is not valid XML: %v\n%s", err, out)
	}
	return doc
}

// TestJUnitCounts parses the output back and checks that every count is what the testcases say,
// and the mapping of statuses to elements.
func TestJUnitCounts(t *testing.T) {
	tests := []struct {
		name                             string
		report                           *finding.Report
		tests, failures, errors, skipped int
	}{
		// fixture: 6 (rule, resource) pairs and 1 scan error; FAIL x3, UNKNOWN, SUPPRESSED.
		{"fixture", fixture(), 8, 3, 2, 1},
		// governance: MQG014 fails twice on one broker: one testcase.
		{"governance", governanceReport(), 10, 3, 2, 4},
		{"empty", &finding.Report{Schema: finding.Schema}, 0, 0, 0, 0},
		// One module address in two root modules is two brokers; two users of one broker are
		// one testcase.
		{"repeated address", &finding.Report{Findings: []finding.Finding{
			{RuleID: "MQG014", Status: finding.StatusFail, Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this", Name: "dev-orders"}},
			{RuleID: "MQG014", Status: finding.StatusFail, Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this", Name: "prod-orders"}},
			{RuleID: "MQG014", Status: finding.StatusUnknown, Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this", Name: "prod-orders"}},
		}}, 2, 2, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseJUnit(t, write(t, "junit", tt.report, Options{}))
			if doc.Tests != tt.tests || doc.Failures != tt.failures || doc.Errors != tt.errors || doc.Skipped != tt.skipped {
				t.Errorf("testsuites counts = %d/%d/%d/%d, want %d/%d/%d/%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped,
					tt.tests, tt.failures, tt.errors, tt.skipped)
			}
			var sum junitDocSuite
			for _, s := range doc.Suites {
				var got junitDocSuite
				for _, c := range s.Cases {
					got.Tests++
					n := 0
					if c.Failure != nil {
						got.Failures++
						n++
					}
					if c.Error != nil {
						got.Errors++
						n++
					}
					if c.Skipped != nil {
						got.Skipped++
						n++
					}
					if n > 1 {
						t.Errorf("%s / %s has %d results", s.Name, c.Name, n)
					}
					if c.Time == "" {
						t.Errorf("%s / %s has no time", s.Name, c.Name)
					}
					if c.Classname != s.Name {
						t.Errorf("%s / %s: classname %q", s.Name, c.Name, c.Classname)
					}
				}
				if got.Tests != s.Tests || got.Failures != s.Failures || got.Errors != s.Errors || got.Skipped != s.Skipped {
					t.Errorf("suite %s counts %d/%d/%d/%d, its testcases %d/%d/%d/%d", s.Name, s.Tests, s.Failures, s.Errors, s.Skipped,
						got.Tests, got.Failures, got.Errors, got.Skipped)
				}
				sum.Tests += s.Tests
				sum.Failures += s.Failures
				sum.Errors += s.Errors
				sum.Skipped += s.Skipped
			}
			if sum.Tests != doc.Tests || sum.Failures != doc.Failures || sum.Errors != doc.Errors || sum.Skipped != doc.Skipped {
				t.Errorf("testsuites counts are not the sum of the suites'")
			}
		})
	}
}

// TestJUnitCases checks the testcases of the governance report: one per (rule, resource),
// the file and line GitLab links to, the skipped reason, and a body with the location and
// remediation.
func TestJUnitCases(t *testing.T) {
	doc := parseJUnit(t, write(t, "junit", governanceReport(), Options{}))
	cases := map[string]junitDocCase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			key := s.Name + " " + c.Name
			if _, dup := cases[key]; dup {
				t.Errorf("two testcases for %s", key)
			}
			cases[key] = c
		}
	}
	partner := `module.partner.aws_mq_broker.this["eu"] (=HYPERLINK("http://x"))`
	if c := cases["MQG001 public-access "+partner]; c.Skipped == nil || c.Skipped.Message != "partner ingress <TLS only> & IP-restricted" ||
		c.File != "modules/partner/mq.tf" || c.Line != "7" {
		t.Errorf("exception testcase = %+v", c)
	}
	if c := cases["MQG007 audit-log-disabled aws_mq_broker.orders (orders-broker)"]; c.Skipped == nil || c.Skipped.Message != "in the baseline" {
		t.Errorf("baseline testcase = %+v", c)
	}
	if c := cases["MQG001 public-access aws_mq_broker.orders (orders-broker)"]; c.Failure == nil || !strings.Contains(c.Failure.Message, "expired") ||
		!strings.Contains(c.Failure.Body, "Location: infra/mq.tf:14") || !strings.Contains(c.Failure.Body, "Remediation: Create a private broker") {
		t.Errorf("expired exception testcase = %+v", c)
	}
	if c := cases["MQG005 no-customer-managed-key "+partner]; c.Error == nil || c.Failure != nil {
		t.Errorf("UNKNOWN testcase = %+v", c)
	}
	c := cases["MQG014 default-username aws_mq_broker.orders (orders-broker)"]
	if c.Failure == nil || !strings.Contains(c.Failure.Message, "(and 1 more)") || !strings.Contains(c.Failure.Body, "infra/users.tf:9") {
		t.Errorf("testcase of two findings = %+v", c)
	}
	if strings.ContainsRune(c.Failure.Body, '\x1b') {
		t.Error("a control character reached the XML")
	}
	live := "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234"
	if c := cases["MQG020 internet-exposed-broker "+live]; c.Failure == nil || c.File != "" || !strings.Contains(c.Failure.Body, live+"#PubliclyAccessible") {
		t.Errorf("live testcase = %+v", c)
	}
	if c, ok := cases["MQG009 auto-minor-upgrade-disabled "+live]; !ok || c.Failure != nil || c.Error != nil || c.Skipped != nil {
		t.Errorf("PASS testcase = %+v", c)
	}
	if c := cases[junitErrorsSuite+" infra/broken.tf"]; c.Error == nil || c.Line != "4" {
		t.Errorf("scan error testcase = %+v", c)
	}
}
