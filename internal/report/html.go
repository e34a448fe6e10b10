package report

import (
	"bufio"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/finding"
)

// htmlFormat writes one self-contained page a reader opens from disk without a network: the
// summary, charts drawn as inline SVG here, and the findings as JSON data that the page's own
// script filters and paginates (a table of 100,000 rows in the DOM would not stay usable).
type htmlFormat struct{}

func (htmlFormat) Name() string { return "html" }

func (htmlFormat) Description() string {
	return "one self-contained HTML page (summary, charts, filterable findings, exceptions; works offline)"
}

var (
	//go:embed html/report.html.tmpl
	htmlPage string
	//go:embed html/report.css
	htmlCSS string
	//go:embed html/report.js
	htmlJS string

	htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
		"lower": strings.ToLower,
	}).Parse(htmlPage))

	// The Content-Security-Policy admits only the page's own style and script, by hash, and
	// nothing from anywhere: whatever a finding's text held, the page cannot fetch or run it.
	htmlCSP = "default-src 'none'; style-src " + cspHash(htmlCSS) + "; script-src " + cspHash(htmlJS) +
		"; img-src 'none'; form-action 'none'; base-uri 'none'"
)

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Orders of the severity and status columns, most serious first.
var (
	htmlSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"}
	htmlStatuses   = []string{finding.StatusFail, finding.StatusUnknown, finding.StatusSuppressed, finding.StatusPass, finding.StatusNA}
)

// htmlPageData is what the template renders.
type htmlPageData struct {
	Report     *finding.Report
	CSP        string
	CSS        template.CSS
	JS         template.JS
	Severities []string
	Statuses   []string
	Matrix     []htmlMatrixRow
	Totals     []int
	Total      int
	BySeverity htmlChart
	ByRule     htmlChart
	Rules      []htmlOption
	Sources    []string
	Exceptions []htmlException
	// Suppressions groups the suppressed findings by what suppressed them.
	Suppressions []htmlSuppression
	Data         htmlData
}

type htmlMatrixRow struct {
	Severity string
	Counts   []int
	Total    int
}

type htmlOption struct{ Value, Label string }

// htmlException is one policy-file exception and what it did in this scan.
type htmlException struct {
	Rules, Scope, Status, Reason, ApprovedBy, Ticket, Expires, Location string
	Matched, MatchedFail, MatchedUnknown                                int
}

// htmlSuppression is what suppressed some findings, and which statuses it hid.
type htmlSuppression struct {
	Kind, Reason, Approver, Ticket, Expires string
	Fail, Unknown, Other                    int
}

// htmlData is the JSON the page's script reads. Findings are arrays in the order of
// htmlFindingFields (report.js reads them by position): a hundred thousand findings as objects
// would repeat every key a hundred thousand times. Texts shared by many findings (rule titles,
// remediations, paths) are stored once in Texts and referenced by index.
type htmlData struct {
	Fields   []string `json:"fields"`
	Texts    []string `json:"texts"`
	Findings [][]any  `json:"findings"`
}

var htmlFindingFields = []string{
	"severity", "status", "rule_id", "slug", "title", "address", "type", "name", "engine", "source",
	"account", "region", "path", "start_line", "end_line", "ref", "message", "value_from",
	"remediation", "help_uri", "suppression", "fingerprint", "replacement_required", "aliases",
}

func (htmlFormat) Write(w io.Writer, r *finding.Report, _ Options) error {
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, newHTMLPage(r)); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return bw.Flush()
}

func newHTMLPage(r *finding.Report) *htmlPageData {
	p := &htmlPageData{
		// The style and script are this package's own embedded files, never report data.
		Report: r, CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), //nolint:gosec // embedded assets, not input
		Severities: htmlSeverities, Statuses: htmlStatuses,
		Totals: make([]int, len(htmlStatuses)), Total: len(r.Findings),
		Exceptions: htmlExceptions(r),
	}
	fs := r.Findings
	statusCol := indexOf(htmlStatuses)
	sevRow := indexOf(htmlSeverities)
	counts := make([][]int, len(htmlSeverities))
	for i := range counts {
		counts[i] = make([]int, len(htmlStatuses))
	}
	type ruleTally struct {
		id, title string
		counts    []int
		total     int
	}
	rules := map[string]*ruleTally{}
	sources := map[string]bool{}
	type supKey struct{ kind, reason, approver, ticket, expires string }
	sups := map[supKey]*htmlSuppression{}
	for i := range fs {
		f := &fs[i]
		s, okS := sevRow[f.Severity]
		c, okC := statusCol[f.Status]
		if okS && okC {
			counts[s][c]++
		}
		rt := rules[f.RuleID]
		if rt == nil {
			rt = &ruleTally{id: f.RuleID, title: f.Title, counts: make([]int, len(htmlStatuses))}
			rules[f.RuleID] = rt
		}
		if okC {
			rt.counts[c]++
		}
		rt.total++
		sources[f.Resource.Source] = true
		if sp := f.Suppression; sp != nil {
			k := supKey{sp.Kind, sp.Reason, htmlApprover(sp), sp.Ticket, sp.Expires}
			hs := sups[k]
			if hs == nil {
				hs = &htmlSuppression{Kind: k.kind, Reason: k.reason, Approver: k.approver, Ticket: k.ticket, Expires: k.expires}
				sups[k] = hs
			}
			// The page says whether a suppression hides undecided values, not only failures.
			switch sp.OriginalStatus {
			case finding.StatusFail:
				hs.Fail++
			case finding.StatusUnknown:
				hs.Unknown++
			default:
				hs.Other++
			}
		}
	}
	for s, sev := range htmlSeverities {
		row := htmlMatrixRow{Severity: sev, Counts: counts[s]}
		for c, n := range counts[s] {
			row.Total += n
			p.Totals[c] += n
		}
		p.Matrix = append(p.Matrix, row)
	}
	var sevBars []htmlBar
	for _, row := range p.Matrix {
		sevBars = append(sevBars, htmlBar{Label: row.Severity, Class: "sev-" + strings.ToLower(row.Severity), Counts: row.Counts})
	}
	p.BySeverity = newHTMLChart("Findings by severity", sevBars, 0)

	byRule := make([]*ruleTally, 0, len(rules))
	for _, rt := range rules {
		byRule = append(byRule, rt)
	}
	slices.SortFunc(byRule, func(a, b *ruleTally) int {
		return cmp.Or(cmp.Compare(b.total, a.total), strings.Compare(a.id, b.id))
	})
	var ruleBars []htmlBar
	for _, rt := range byRule {
		ruleBars = append(ruleBars, htmlBar{Label: rt.id, Title: rt.title, Counts: rt.counts})
	}
	p.ByRule = newHTMLChart("Findings by rule", ruleBars, htmlMaxRuleBars)
	slices.SortFunc(byRule, func(a, b *ruleTally) int { return strings.Compare(a.id, b.id) })
	for _, rt := range byRule {
		label := rt.id
		if rt.title != "" {
			label += " " + rt.title
		}
		p.Rules = append(p.Rules, htmlOption{Value: rt.id, Label: label})
	}
	for s := range sources {
		p.Sources = append(p.Sources, s)
	}
	slices.Sort(p.Sources)
	for _, hs := range sups {
		p.Suppressions = append(p.Suppressions, *hs)
	}
	slices.SortFunc(p.Suppressions, func(a, b htmlSuppression) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Reason, b.Reason),
			strings.Compare(a.Approver, b.Approver), strings.Compare(a.Ticket, b.Ticket), strings.Compare(a.Expires, b.Expires))
	})
	p.Data = newHTMLData(fs)
	return p
}

// htmlExceptions lists the policy file's exceptions in the report's order, each with its rules,
// its scope, its status (active, expired, unused) and the findings it matched.
func htmlExceptions(r *finding.Report) []htmlException {
	out := make([]htmlException, 0, len(r.Exceptions))
	for _, e := range r.Exceptions {
		loc := e.Location.Path
		if loc != "" && e.Location.StartLine > 0 {
			loc += ":" + strconv.Itoa(e.Location.StartLine)
		}
		out = append(out, htmlException{
			Rules: strings.Join(e.Rule, ", "), Scope: htmlScope(e.Scope), Status: e.Status,
			Reason: e.Reason, ApprovedBy: e.ApprovedBy, Ticket: e.Ticket, Expires: e.Expires, Location: loc,
			Matched: e.Matched, MatchedFail: e.MatchedFail, MatchedUnknown: e.MatchedUnknown,
		})
	}
	return out
}

// htmlScope writes a scope as "kind: values; ...", tags sorted by key.
func htmlScope(s finding.ExceptionScope) string {
	var parts []string
	add := func(kind string, values []string) {
		if len(values) > 0 {
			parts = append(parts, kind+": "+strings.Join(values, ", "))
		}
	}
	add("resources", s.Resources)
	add("arns", s.ARNs)
	add("accounts", s.Accounts)
	add("regions", s.Regions)
	var tags []string
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		tags = append(tags, k+"="+s.Tags[k])
	}
	add("tags", tags)
	add("paths", s.Paths)
	if len(parts) == 0 {
		return "everything"
	}
	return strings.Join(parts, "; ")
}

// htmlApprover is who approved a suppression, under either of its names.
func htmlApprover(s *finding.Suppression) string {
	return cmp.Or(s.ApprovedBy, s.Approver)
}

// newHTMLData lays the findings out in the table's order (most severe first, then by resource),
// the order the page shows them in.
func newHTMLData(fs []finding.Finding) htmlData {
	keys := make([]string, len(fs))
	for i := range fs {
		keys[i] = resourceKey(fs[i].Resource)
	}
	d := htmlData{Fields: htmlFindingFields, Texts: []string{""}, Findings: make([][]any, 0, len(fs))}
	ids := map[string]int{"": 0}
	text := func(s string) int {
		id, ok := ids[s]
		if !ok {
			id = len(d.Texts)
			ids[s] = id
			d.Texts = append(d.Texts, s)
		}
		return id
	}
	for _, i := range tableOrder(fs, keys) {
		f := &fs[i]
		var sup any
		if s := f.Suppression; s != nil {
			sup = []string{s.Kind, s.Reason, htmlApprover(s), s.Ticket, s.Expires, s.OriginalStatus}
		}
		aliases := strings.Join(f.Aliases, " ")
		d.Findings = append(d.Findings, []any{
			f.Severity, f.Status, f.RuleID, f.Slug, text(f.Title), f.Resource.Address, text(f.Resource.Type),
			f.Resource.Name, f.Resource.Engine, f.Resource.Source, f.Resource.Account, f.Resource.Region,
			text(f.Location.Path), f.Location.StartLine, f.Location.EndLine, f.Location.Ref, f.Message, f.ValueFrom,
			text(f.Remediation), text(f.HelpURI), sup, f.Fingerprint, f.ReplacementRequired, text(aliases),
		})
	}
	return d
}

func indexOf(xs []string) map[string]int {
	m := make(map[string]int, len(xs))
	for i, x := range xs {
		m[x] = i
	}
	return m
}

// Chart geometry, in SVG user units.
const (
	htmlChartLabel  = 90  // the label column
	htmlChartBar    = 420 // the longest bar
	htmlChartRowH   = 22
	htmlChartCount  = 60 // the count after the bar
	htmlMaxRuleBars = 15
)

type htmlBar struct {
	Label, Title, Class string
	Counts              []int // per status, in htmlStatuses order
}

// htmlChart is a horizontal bar chart, each bar split by status.
type htmlChart struct {
	Title         string
	Width, Height int
	Rows          []htmlChartRow
	// More counts the bars left out.
	More int
}

type htmlChartRow struct {
	Label, Title, Class string
	Y, TextY, Total     int
	Segments            []htmlSegment
	CountX              int
}

type htmlSegment struct {
	Status  string
	Class   string
	X, Y, W int
}

// newHTMLChart lays out the bars, scaled to the longest; limit > 0 keeps the first limit bars.
func newHTMLChart(title string, bars []htmlBar, limit int) htmlChart {
	c := htmlChart{Title: title, Width: htmlChartLabel + htmlChartBar + htmlChartCount}
	if limit > 0 && len(bars) > limit {
		c.More = len(bars) - limit
		bars = bars[:limit]
	}
	longest := 0
	for _, b := range bars {
		t := 0
		for _, n := range b.Counts {
			t += n
		}
		longest = max(longest, t)
	}
	for i, b := range bars {
		row := htmlChartRow{Label: b.Label, Title: b.Title, Class: b.Class, Y: i*htmlChartRowH + 4}
		row.TextY = row.Y + 13
		x := htmlChartLabel
		for s, n := range b.Counts {
			row.Total += n
			if n == 0 {
				continue
			}
			// Every non-empty segment gets at least a unit so a single finding stays visible.
			w := max(1, n*htmlChartBar/max(1, longest))
			row.Segments = append(row.Segments, htmlSegment{Status: htmlStatuses[s] + ": " + strconv.Itoa(n),
				Class: "st-" + statusClass(htmlStatuses[s]), X: x, Y: row.Y, W: w})
			x += w
		}
		row.CountX = x + 6
		c.Rows = append(c.Rows, row)
	}
	c.Height = len(bars)*htmlChartRowH + 8
	return c
}

// statusClass is a status as a CSS class name ("N/A" has a slash).
func statusClass(s string) string {
	if s == finding.StatusNA {
		return "na"
	}
	return strings.ToLower(s)
}
