package report

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/testbrowser"
)

// browserFindings is the size of the report the browser test loads: the size the page must stay
// usable at.
const browserFindings = 100_000

// filterBudget is how long one filter change should take in the browser, layout included. It is
// reported, not asserted: a timed assertion fails on a loaded machine. What keeps filtering fast
// is that a page shows at most 100 rows, and that is asserted (wantCount).
const filterBudget = 200 * time.Millisecond

// bigReport is a report of n findings over n/8 brokers, every severity, status, source and a
// few dozen rules, with the fixture's hostile texts in its first finding.
func bigReport(n int) *finding.Report {
	r := hostileReport()
	sev := []string{"CRITICAL", "HIGH", "MEDIUM", "MEDIUM", "LOW", "LOW", "INFO"}
	st := []string{finding.StatusFail, finding.StatusFail, finding.StatusUnknown, finding.StatusSuppressed, finding.StatusPass, finding.StatusNA}
	src := []string{"terraform", "cloudformation", "tfplan", "aws"}
	fs := make([]finding.Finding, 0, n)
	fs = append(fs, r.Findings[0])
	for i := 1; i < n; i++ {
		rule := fmt.Sprintf("MQG%03d", 1+i%31)
		f := finding.Finding{
			RuleID: rule, Slug: "rule-" + rule, Title: "Title of " + rule,
			Severity: sev[i%len(sev)], Status: st[i%len(st)],
			Resource: finding.Resource{Address: fmt.Sprintf("aws_mq_broker.b%06d", i/8), Type: "aws_mq_broker",
				Name: fmt.Sprintf("broker-%d", i/8), Engine: "RabbitMQ", Source: src[(i/8)%len(src)]},
			Location:    finding.Location{Path: fmt.Sprintf("stacks/s%03d/mq.tf", i/800), StartLine: 1 + i%97, EndLine: 1 + i%97},
			Message:     fmt.Sprintf("setting %d of this broker is not what the rule asks for", i%13),
			ValueFrom:   "explicit",
			Remediation: "Fix the setting of " + rule + ".",
			Fingerprint: fmt.Sprintf("%032x", i),
			HelpURI:     "https://github.com/mqguard/mqguard/blob/main/docs/rules/" + rule + ".md",
		}
		if f.Status == finding.StatusSuppressed {
			f.Suppression = &finding.Suppression{Kind: "inline", Reason: "accepted risk"}
		}
		fs = append(fs, f)
	}
	r.Findings = fs
	return r
}

// TestHTMLInBrowser opens the report of 100,000 findings from disk in headless Chromium with
// every request but the file's own refused, and uses it as a reader would: it filters, searches,
// expands a finding and pages. It fails on a console message of level error, an exception, a
// request, or filters that do not change the rows; filter timings are logged.
// The screenshot is in the test's artifact directory (go test -artifacts keeps it).
func TestHTMLInBrowser(t *testing.T) {
	exe := testbrowser.Chromium(t)
	r := bigReport(browserFindings)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	began := time.Now()
	page := write(t, "html", r, Options{})
	t.Logf("writing the page of %d findings took %v", browserFindings, time.Since(began).Round(time.Millisecond))
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	fileURL := (&url.URL{Scheme: "file", Path: file}).String()

	br := testbrowser.Open(t, exe, fileURL, 1400, 1000)
	ctx, collected := br.Ctx, br.Seen

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(fileURL), chromedp.WaitVisible(chromedp.CSS("#rows tr.row"))); err != nil {
		t.Fatalf("loading the report: %v", err)
	}
	t.Logf("%d findings: %.1f MB page, shown in %v", browserFindings, float64(fileSize(t, file))/1e6, time.Since(start).Round(time.Millisecond))

	eval := func(js string) []byte {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return out
	}
	type view struct {
		Count string     `json:"count"`
		Rows  [][]string `json:"rows"`
	}
	// visible reads the count line and the cells of the rows on the page.
	visible := func() view {
		t.Helper()
		var v view
		raw := eval(`({count: document.getElementById("count").textContent,
			rows: [...document.querySelectorAll("#rows tr.row")].map(tr => [...tr.cells].map(td => td.textContent))})`)
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// change sets a filter as a reader does and returns how long the page took to filter and
	// lay out the result.
	var timings []time.Duration
	change := func(id, value, event string) {
		t.Helper()
		ms := eval(fmt.Sprintf(`(() => { const e = document.getElementById(%q); const t0 = performance.now();
			e.value = %q; e.dispatchEvent(new Event(%q, {bubbles: true})); void document.body.offsetHeight;
			return performance.now() - t0; })()`, id, value, event))
		var f float64
		if err := json.Unmarshal(ms, &f); err != nil {
			t.Fatal(err)
		}
		d := time.Duration(f * float64(time.Millisecond))
		t.Logf("filter %s=%q: %v", id, value, d.Round(100*time.Microsecond))
		timings = append(timings, d)
	}
	count := func(keep func(*finding.Finding) bool) int {
		n := 0
		for i := range r.Findings {
			if keep(&r.Findings[i]) {
				n++
			}
		}
		return n
	}
	wantCount := func(v view, n int) {
		t.Helper()
		want := fmt.Sprintf("%d of %d findings", n, browserFindings)
		if n == browserFindings {
			want = fmt.Sprintf("%d findings", n)
		}
		if v.Count != want {
			t.Errorf("count line %q, want %q", v.Count, want)
		}
		if len(v.Rows) != min(n, 100) {
			t.Errorf("%d rows on the page, want %d", len(v.Rows), min(n, 100))
		}
	}

	all := visible()
	wantCount(all, browserFindings)

	// Severity: only those rows.
	change("f-severity", "HIGH", "change")
	v := visible()
	wantCount(v, count(func(f *finding.Finding) bool { return f.Severity == "HIGH" }))
	for _, row := range v.Rows {
		if row[1] != "HIGH" {
			t.Fatalf("severity HIGH shows a row of %s: %v", row[1], row)
		}
	}
	// Status and source narrow it further.
	change("f-status", "UNKNOWN", "change")
	change("f-source", "aws", "change")
	v = visible()
	wantCount(v, count(func(f *finding.Finding) bool {
		return f.Severity == "HIGH" && f.Status == "UNKNOWN" && f.Resource.Source == "aws"
	}))
	for _, row := range v.Rows {
		if row[1] != "HIGH" || row[2] != "UNKNOWN" {
			t.Fatalf("row %v does not match the filters", row)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("f-reset"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("count").textContent === "100000 findings"`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("Clear did not show every finding again: %v", err)
	}
	change("f-rule", "MQG017", "change")
	v = visible()
	wantCount(v, count(func(f *finding.Finding) bool { return f.RuleID == "MQG017" }))
	for _, row := range v.Rows {
		if row[3] != "MQG017" {
			t.Fatalf("rule MQG017 shows %v", row)
		}
	}
	change("f-rule", "", "change")

	// Search, typed key by key: the rows are those of the broker it names.
	const term = "b004242"
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f-search"), term)); err != nil {
		t.Fatal(err)
	}
	v = visible()
	wantCount(v, count(func(f *finding.Finding) bool { return strings.Contains(f.Resource.Address, term) }))
	for _, row := range v.Rows {
		if !strings.Contains(row[4], term) {
			t.Fatalf("search %q shows %v", term, row)
		}
	}
	// Several words must all match, in any field; the timing is that of a whole new search.
	change("f-search", "MQG005 stacks/s042", "input")
	v = visible()
	wantCount(v, count(func(f *finding.Finding) bool {
		return f.RuleID == "MQG005" && strings.Contains(f.Location.Path, "stacks/s042")
	}))
	change("f-search", "not what the rule", "input")
	change("f-search", "", "input")

	// The hostile finding, found by its fingerprint, expands to its message, location,
	// remediation and documentation link; its link, not a web link, is left out.
	first := r.Findings[0]
	change("f-search", first.Fingerprint, "input")
	wantCount(visible(), 1)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#rows tr.row button.toggle"))); err != nil {
		t.Fatal(err)
	}
	var det struct {
		Text  string   `json:"text"`
		Hrefs []string `json:"hrefs"`
	}
	if err := json.Unmarshal(eval(`(() => { const d = document.querySelector("#rows tr.detail");
		return d ? {text: d.textContent, hrefs: [...d.querySelectorAll("a")].map(a => a.href)} : {text: "", hrefs: []}; })()`), &det); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{first.Message, first.Remediation, "infra/mq.tf:14", first.Fingerprint} {
		if !strings.Contains(det.Text, want) {
			t.Errorf("expanded finding lacks %q:\n%s", want, det.Text)
		}
	}
	if len(det.Hrefs) != 0 {
		t.Errorf("the javascript: documentation link became a link: %v", det.Hrefs)
	}
	// Its texts, on the page and expanded, are text: the page has no element they would make.
	if n := eval(`document.querySelectorAll("img, iframe, svg[onload], b, main script, a[href^=javascript]").length`); string(n) != "0" {
		t.Errorf("%s elements made from the finding's texts", n)
	}
	// A finding with a web link: MQG017's second.
	change("f-search", "", "input")
	change("f-rule", "MQG017", "change")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#rows tr.row:nth-of-type(2) button.toggle"))); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(eval(`(() => { const d = document.querySelector("#rows tr.detail");
		return {text: d.textContent, hrefs: [...d.querySelectorAll("a")].map(a => a.href)}; })()`), &det); err != nil {
		t.Fatal(err)
	}
	wantHelp := "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG017.md"
	if len(det.Hrefs) != 1 || det.Hrefs[0] != wantHelp || !strings.Contains(det.Text, "Fix the setting of MQG017.") {
		t.Errorf("expanded MQG017 finding: links %v, text:\n%s", det.Hrefs, det.Text)
	}
	// Paging moves on to the next hundred.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("next"))); err != nil {
		t.Fatal(err)
	}
	if label := string(eval(`document.getElementById("page").textContent`)); !strings.Contains(label, "page 2 of") {
		t.Errorf("after next: %s", label)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("prev"))); err != nil {
		t.Fatal(err)
	}

	// Two screenshots: the whole page, and the window at the expanded finding.
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	testbrowser.SaveShot(t, "report.png", shot)
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("#filters"))); err != nil {
		t.Fatal(err)
	}
	if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Fatal(err)
	}
	testbrowser.SaveShot(t, "findings.png", shot)

	worst := slices.Max(timings)
	t.Logf("filter changes over %d findings: %d, slowest %v", browserFindings, len(timings), worst.Round(100*time.Microsecond))
	if worst > filterBudget {
		t.Logf("note: the slowest filter change took %v, more than the %v it should", worst, filterBudget)
	}

	// The watchers work: a request and a console error made now are seen (and then not
	// counted against the page).
	reqsBefore, probsBefore := collected()
	eval(`new Image().src = "http://192.0.2.1/probe.png"; console.error("probe"); 0`)
	for deadline := time.Now().Add(5 * time.Second); ; {
		reqs, probs := collected()
		if len(reqs) > len(reqsBefore) && len(probs) > len(probsBefore) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watchers missed the probe request or console error: %v %v", reqs, probs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(reqsBefore) > 0 {
		t.Errorf("the page made requests: %v", reqsBefore)
	}
	if len(probsBefore) > 0 {
		t.Errorf("console errors or exceptions: %v", probsBefore)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
