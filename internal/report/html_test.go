package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

func TestHTMLGolden(t *testing.T) {
	for file, r := range map[string]func() *finding.Report{"report.html": fixture, "report-governance.html": governanceFixture} {
		t.Run(file, func(t *testing.T) {
			got := write(t, "html", r(), Options{})
			path := filepath.Join("testdata", "golden", file)
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
				t.Errorf("%s differs from the golden file (run go test ./internal/report -update to accept)", file)
			}
			if again := write(t, "html", r(), Options{}); !bytes.Equal(got, again) {
				t.Error("output is not deterministic")
			}
		})
	}
}

// governanceFixture is the fixture with the policy file at work: an exception that suppresses a
// FAIL and an UNKNOWN, one that expired (its finding fails again), one never used, and a
// baselined finding.
func governanceFixture() *finding.Report {
	r := fixture()
	policy := func(line int) *finding.Location {
		return &finding.Location{Path: ".mqguard.yaml", StartLine: line, EndLine: line}
	}
	exc := func(orig string) *finding.Suppression {
		return &finding.Suppression{Kind: finding.SuppressionException, Reason: "partner broker, reviewed",
			Approver: "secops@example.com", ApprovedBy: "secops@example.com", Ticket: "SEC-1234",
			Expires: "2027-03-31", OriginalStatus: orig, Location: policy(12)}
	}
	base := r.Findings[0]
	add := func(f finding.Finding) { r.Findings = append(r.Findings, f) }

	f := base
	f.Resource.Address, f.Resource.Name = "module.partner.aws_mq_broker.edge", "partner-edge"
	f.Location = finding.Location{Path: "partner/mq.tf", StartLine: 3, EndLine: 3}
	f.Status, f.Suppression, f.Fingerprint = finding.StatusSuppressed, exc(finding.StatusFail), "7a8b9c0d1e2f30415263748596a7b8c9"
	add(f)
	f = r.Findings[3] // the UNKNOWN
	f.Resource.Address = "module.partner.aws_mq_broker.edge"
	f.Status, f.Suppression, f.Fingerprint = finding.StatusSuppressed, exc(finding.StatusUnknown), "8b9c0d1e2f30415263748596a7b8c9d0"
	add(f)
	f = base
	f.Resource.Address, f.Resource.Name = "aws_mq_broker.legacy", "legacy"
	f.Location = finding.Location{Path: "legacy/mq.tf", StartLine: 8, EndLine: 8}
	f.Message += " (exception at .mqguard.yaml:20 expired on 2026-10-31)"
	f.Fingerprint = "9c0d1e2f30415263748596a7b8c9d0e1"
	add(f)
	f = r.Findings[2] // a default user name
	f.Resource.Address = "aws_mq_broker.legacy"
	f.Status = finding.StatusSuppressed
	f.Suppression = &finding.Suppression{Kind: finding.SuppressionBaseline, Reason: "in the baseline", OriginalStatus: finding.StatusFail}
	f.Fingerprint = "0d1e2f30415263748596a7b8c9d0e1f2"
	add(f)
	r.Summary.Suppressed += 3
	r.Summary.Fail++
	r.Summary.Baselined = 1
	r.Exceptions = []finding.Exception{
		{Rule: []string{"MQG001", "MQG005"}, Scope: finding.ExceptionScope{Resources: []string{"module.partner.*"}, Tags: map[string]string{"team": "edge", "env": "prod"}},
			Reason: "partner broker, reviewed", ApprovedBy: "secops@example.com", Ticket: "SEC-1234", Expires: "2027-03-31",
			Status: finding.ExceptionActive, Matched: 2, MatchedFail: 1, MatchedUnknown: 1, Location: *policy(12)},
		{Rule: []string{"MQG001"}, Scope: finding.ExceptionScope{Paths: []string{"legacy/**"}},
			Reason: "migration planned", ApprovedBy: "ciso", Expires: "2026-10-31", Status: finding.ExceptionExpired, Matched: 1, MatchedFail: 1, Location: *policy(20)},
		{Rule: []string{"MQG020"}, Scope: finding.ExceptionScope{Accounts: []string{"444455556666"}, Regions: []string{"us-east-1"}},
			Reason: "lab account", ApprovedBy: "secops", Expires: "2027-01-01", Status: finding.ExceptionUnused, Location: *policy(27)},
	}
	return r
}

func TestHTMLExceptions(t *testing.T) {
	p := newHTMLPage(governanceFixture())
	if len(p.Exceptions) != 3 {
		t.Fatalf("%d exceptions", len(p.Exceptions))
	}
	want := []htmlException{
		{Rules: "MQG001, MQG005", Scope: "resources: module.partner.*; tags: env=prod, team=edge", Status: "active",
			Reason: "partner broker, reviewed", ApprovedBy: "secops@example.com", Ticket: "SEC-1234", Expires: "2027-03-31",
			Location: ".mqguard.yaml:12", Matched: 2, MatchedFail: 1, MatchedUnknown: 1},
		{Rules: "MQG001", Scope: "paths: legacy/**", Status: "expired", Reason: "migration planned", ApprovedBy: "ciso",
			Expires: "2026-10-31", Location: ".mqguard.yaml:20", Matched: 1, MatchedFail: 1},
		{Rules: "MQG020", Scope: "accounts: 444455556666; regions: us-east-1", Status: "unused", Reason: "lab account",
			ApprovedBy: "secops", Expires: "2027-01-01", Location: ".mqguard.yaml:27"},
	}
	for i := range want {
		if p.Exceptions[i] != want[i] {
			t.Errorf("exception %d:\n got %+v\nwant %+v", i, p.Exceptions[i], want[i])
		}
	}
	// The exception's suppressions say they hide a FAIL and an UNKNOWN.
	var exc *htmlSuppression
	for i := range p.Suppressions {
		if p.Suppressions[i].Kind == "exception" {
			exc = &p.Suppressions[i]
		}
	}
	if exc == nil || exc.Fail != 1 || exc.Unknown != 1 || exc.Ticket != "SEC-1234" || exc.Approver != "secops@example.com" {
		t.Errorf("exception suppressions %+v", exc)
	}
	if got := htmlScope(finding.ExceptionScope{}); got != "everything" {
		t.Errorf("empty scope %q", got)
	}
	page := string(write(t, "html", governanceFixture(), Options{}))
	for _, s := range []string{`<tr class="ex-expired">`, `<tr class="ex-unused">`, "(1 by the baseline)", "1 FAIL, 1 UNKNOWN"} {
		if !strings.Contains(page, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

// hostileReport has findings whose every text tries to break out of its context in the page.
func hostileReport() *finding.Report {
	r := fixture()
	f := &r.Findings[0]
	f.Message = `</script><script>alert(1)</script><img src=x onerror=alert(2)> & "quotes" 'single'`
	f.Resource.Address = `aws_mq_broker.x"><svg onload=alert(3)>`
	f.Resource.Source = `terraform</option><script>alert(4)</script>`
	f.Title = `<!-- <script>`
	f.RuleID = `MQG001"><b>`
	f.HelpURI = "javascript:alert(5)"
	f.Remediation = "\u2028line\u2029separators </SCRIPT >"
	r.Errors[0].Message = "<iframe src=//evil>"
	r.Notes[0].Message = "<style>@import url(//evil)</style>"
	r.Findings[1].Suppression.Reason = `<a href="http://evil">x</a>`
	return r
}

// htmlScripts returns the contents of the page's script elements.
func htmlScripts(t *testing.T, page string) (data, js string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="data">(.*?)</script>\s*<script>(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page's two script elements not found")
	}
	return m[1], m[2]
}

func TestHTMLEscapesEverything(t *testing.T) {
	r := hostileReport()
	page := string(write(t, "html", r, Options{}))
	// The only elements in the page are the template's: the hostile texts are all text.
	for _, bad := range []string{"<img", "<svg onload", "<iframe", "<b>", "<a href", "@import url(//evil)</style>",
		"<script>alert", "</option><script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	if n := strings.Count(strings.ToLower(page), "<script"); n != 2 {
		t.Errorf("%d script elements, want 2", n)
	}
	if n := strings.Count(strings.ToLower(page), "</script"); n != 2 {
		t.Errorf("%d script end tags, want 2", n)
	}
	if strings.Contains(page, "<!--") {
		t.Error("page contains a comment opening, which changes how a script element ends")
	}
	// The data block round-trips: what the page's script reads is the finding's text exactly.
	data, _ := htmlScripts(t, page)
	var d htmlData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatalf("data block is not JSON: %v", err)
	}
	col := map[string]int{}
	for i, f := range d.Fields {
		col[f] = i
	}
	found := false
	for _, row := range d.Findings {
		if row[col["message"]] == r.Findings[0].Message {
			found = true
			if row[col["address"]] != r.Findings[0].Resource.Address {
				t.Errorf("address = %v", row[col["address"]])
			}
			if d.Texts[int(row[col["remediation"]].(float64))] != r.Findings[0].Remediation {
				t.Errorf("remediation = %q", d.Texts[int(row[col["remediation"]].(float64))])
			}
		}
	}
	if !found {
		t.Error("the hostile message is not in the data block as it was")
	}
}

// TestHTMLSelfContained: nothing in the page loads from anywhere, and its policy admits only its
// own style and script.
func TestHTMLSelfContained(t *testing.T) {
	page := string(write(t, "html", fixture(), Options{}))
	for _, ref := range []string{" src=", "<link", "@import", "url(", "<iframe", "<object", "<embed", "<img"} {
		if strings.Contains(page, ref) {
			t.Errorf("page contains %q", ref)
		}
	}
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no Content-Security-Policy")
	}
	_, js := htmlScripts(t, page)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	if style == nil {
		t.Fatal("no style element")
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	policy := html.UnescapeString(csp[1])
	for name, want := range map[string]string{
		"default-src": "default-src 'none'",
		"script-src":  "script-src " + hash(js),
		"style-src":   "style-src " + hash(style[1]),
	} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %s %q", policy, name, want)
		}
	}
}

func TestHTMLSummaryAndCharts(t *testing.T) {
	p := newHTMLPage(fixture())
	// The fixture: CRITICAL FAIL 1; HIGH FAIL 1; MEDIUM FAIL 1, UNKNOWN 1, SUPPRESSED 1, N/A 1; LOW PASS 1.
	want := map[string][]int{
		"CRITICAL": {1, 0, 0, 0, 0},
		"HIGH":     {1, 0, 0, 0, 0},
		"MEDIUM":   {1, 1, 1, 0, 1},
		"LOW":      {0, 0, 0, 1, 0},
		"INFO":     {0, 0, 0, 0, 0},
	}
	for _, row := range p.Matrix {
		if !slices.Equal(row.Counts, want[row.Severity]) {
			t.Errorf("%s: counts %v, want %v", row.Severity, row.Counts, want[row.Severity])
		}
	}
	if !slices.Equal(p.Totals, []int{3, 1, 1, 1, 1}) || p.Total != 7 {
		t.Errorf("totals %v of %d", p.Totals, p.Total)
	}
	// The rule chart: most findings first, then by ID.
	var rules []string
	for _, r := range p.ByRule.Rows {
		rules = append(rules, r.Label)
	}
	if got := strings.Join(rules, " "); got != "MQG007 MQG001 MQG005 MQG009 MQG014 MQG020" {
		t.Errorf("rule chart order %s", got)
	}
	if len(p.Sources) != 2 || p.Sources[0] != "aws" || p.Sources[1] != "terraform" {
		t.Errorf("sources %v", p.Sources)
	}
	if len(p.Suppressions) != 1 || p.Suppressions[0].Reason != "partner ingress" || p.Suppressions[0].Other != 1 {
		t.Errorf("suppressions %+v", p.Suppressions)
	}
	// The data is in the table's order: most severe first.
	if first := p.Data.Findings[0]; first[0] != "CRITICAL" || first[2] != "MQG020" {
		t.Errorf("first finding %v", first[:3])
	}
}

func TestHTMLChartBars(t *testing.T) {
	c := newHTMLChart("t", []htmlBar{
		{Label: "a", Counts: []int{1000, 0, 0, 0, 0}},
		{Label: "b", Counts: []int{0, 1, 0, 0, 0}},
		{Label: "c", Counts: []int{0, 0, 0, 0, 0}},
	}, 2)
	if len(c.Rows) != 2 || c.More != 1 {
		t.Fatalf("%d rows, %d more", len(c.Rows), c.More)
	}
	if w := c.Rows[0].Segments[0].W; w != htmlChartBar {
		t.Errorf("longest bar %d, want %d", w, htmlChartBar)
	}
	// One finding beside a thousand still shows.
	if s := c.Rows[1].Segments; len(s) != 1 || s[0].W < 1 || s[0].Class != "st-unknown" {
		t.Errorf("small bar %+v", s)
	}
}

func TestHTMLEmptyReport(t *testing.T) {
	r := &finding.Report{Schema: finding.Schema, Tool: finding.Tool{Name: "mqguard", Version: "x"}, AsOf: "2026-11-22"}
	page := string(write(t, "html", r, Options{}))
	for _, want := range []string{"No findings.", "No finding was suppressed.", `"findings":[]`, "No policy-file exceptions"} {
		if !strings.Contains(page, want) {
			t.Errorf("empty report lacks %q", want)
		}
	}
	if strings.Contains(page, `id="errors"`) {
		t.Error("empty report has an errors section")
	}
}
