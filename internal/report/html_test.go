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
	got := write(t, "html", fixture(), Options{})
	path := filepath.Join("testdata", "golden", "report.html")
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
		t.Errorf("report.html differs from the golden file (run go test ./internal/report -update to accept)")
	}
	if again := write(t, "html", fixture(), Options{}); !bytes.Equal(got, again) {
		t.Error("output is not deterministic")
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
	if len(p.Suppressions) != 1 || p.Suppressions[0].Reason != "partner ingress" || p.Suppressions[0].Findings != 1 {
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
