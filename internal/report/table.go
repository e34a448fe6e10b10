package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

// tableFormat writes a report for people at a terminal: one header line per resource, one row
// per finding (severity, rule, status, message, line), then the summary, errors and notes.
type tableFormat struct{}

func (tableFormat) Name() string { return "table" }

func (tableFormat) Description() string {
	return "human-readable table grouped by resource (the default)"
}

// Column widths of a finding row; the message takes the rest of the line.
const (
	indent      = "  "
	sevWidth    = 8  // CRITICAL
	ruleWidth   = 6  // MQG001
	statusWidth = 10 // SUPPRESSED
	minMessage  = 24
)

// ANSI styles.
const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
	ansiCyan    = "\x1b[36m"
)

var severityStyle = map[string]string{
	"CRITICAL": ansiBold + ansiMagenta,
	"HIGH":     ansiRed,
	"MEDIUM":   ansiYellow,
	"LOW":      ansiCyan,
	"INFO":     ansiDim,
}

var statusStyle = map[string]string{
	finding.StatusFail:       ansiBold + ansiRed,
	finding.StatusUnknown:    ansiYellow,
	finding.StatusSuppressed: ansiDim,
	finding.StatusPass:       ansiGreen,
	finding.StatusNA:         ansiDim,
}

// group is the findings of one resource.
type group struct {
	res      finding.Resource
	path     string
	findings []finding.Finding
}

func (tableFormat) Write(w io.Writer, r *finding.Report, o Options) error {
	t := &tableWriter{w: bufio.NewWriter(w), color: o.Color, verbose: o.Verbose, width: o.Width}
	if t.width <= 0 {
		t.width = DefaultWidth
	}
	t.findings(r.Findings)
	t.summary(r)
	t.diagnostics("Errors", ansiRed, errorsAsNotes(r.Errors))
	t.diagnostics("Notes", ansiDim, r.Notes)
	return t.w.Flush()
}

type tableWriter struct {
	w       *bufio.Writer
	color   bool
	verbose bool
	width   int
}

func (t *tableWriter) findings(fs []finding.Finding) {
	if len(fs) == 0 {
		t.line("No findings.")
		return
	}
	for i, g := range groups(fs) {
		if i > 0 {
			t.line("")
		}
		t.line(t.style(ansiBold, clean(g.res.Address)) + clean(resourceDetails(g.res, g.path)))
		for _, f := range g.findings {
			t.row(f, g.path)
		}
	}
}

// groups gathers findings by resource, in order of first appearance.
func groups(fs []finding.Finding) []*group {
	var out []*group
	byKey := map[string]*group{}
	for _, f := range fs {
		r := f.Resource
		key := strings.Join([]string{r.Source, r.Address, r.ARN, r.Account, r.Region}, "\x00")
		g, ok := byKey[key]
		if !ok {
			g = &group{res: r, path: f.Location.Path}
			byKey[key] = g
			out = append(out, g)
		}
		g.findings = append(g.findings, f)
	}
	return out
}

// resourceDetails is what follows the address in a resource header.
func resourceDetails(r finding.Resource, path string) string {
	var details []string
	for _, s := range []string{r.Name, r.Engine} {
		if s != "" {
			details = append(details, s)
		}
	}
	var b strings.Builder
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	switch {
	case path != "":
		b.WriteString("  " + path)
	case r.Account != "" || r.Region != "":
		b.WriteString("  " + r.Source + " " + strings.Trim(r.Account+"/"+r.Region, "/"))
	case r.Source != "":
		b.WriteString("  " + r.Source)
	}
	return b.String()
}

// row writes one finding: fixed columns, then the message wrapped to the terminal width.
func (t *tableWriter) row(f finding.Finding, groupPath string) {
	prefix := indent + t.cell(severityStyle[f.Severity], f.Severity, sevWidth) + " " +
		t.cell("", f.RuleID, ruleWidth) + " " +
		t.cell(statusStyle[f.Status], f.Status, statusWidth) + " "
	hang := strings.Repeat(" ", len(indent)+sevWidth+ruleWidth+statusWidth+3)
	msgWidth := max(t.width-len(hang), minMessage)

	msg := clean(f.Message)
	at := where(f.Location, groupPath)
	if field, ok := strings.CutPrefix(at, f.Resource.Address+"#"); ok && f.Resource.Address != "" {
		at = field // live data: the header already names the resource
	}
	if at != "" {
		msg += " [" + clean(at) + "]"
	}
	for i, l := range wrap(msg, msgWidth) {
		if i == 0 {
			t.line(prefix + l)
		} else {
			t.line(hang + l)
		}
	}
	if s := f.Suppression; s != nil {
		t.block(hang, msgWidth, ansiDim, suppressionText(s))
	}
	if t.verbose {
		if f.Remediation != "" {
			fix := "fix: " + clean(f.Remediation)
			if f.ReplacementRequired {
				fix += " (requires a new broker)"
			}
			t.block(hang, msgWidth, "", fix)
		}
		if f.HelpURI != "" {
			// Never wrapped: a broken URL cannot be clicked.
			t.line(hang + t.style(ansiDim, "docs: "+clean(f.HelpURI)))
		}
		t.block(hang, msgWidth, ansiDim, "fingerprint: "+clean(f.Fingerprint))
	}
}

// block writes wrapped text under the message column.
func (t *tableWriter) block(hang string, width int, style, text string) {
	for _, l := range wrap(text, width) {
		t.line(hang + t.style(style, l))
	}
}

func suppressionText(s *finding.Suppression) string {
	parts := []string{"suppressed (" + clean(s.Kind) + ")"}
	if s.Reason != "" {
		parts[0] += ": " + clean(s.Reason)
	}
	if s.Expires != "" {
		parts = append(parts, "until "+clean(s.Expires))
	}
	if s.Approver != "" {
		parts = append(parts, "by "+clean(s.Approver))
	}
	if s.Location != nil && s.Location.Path != "" {
		parts = append(parts, "at "+clean(where(*s.Location, "")))
	}
	return strings.Join(parts, "; ")
}

// where renders a location compactly: "line 12" inside the group's file, "path:12" elsewhere,
// the reference for live data.
func where(l finding.Location, groupPath string) string {
	switch {
	case l.Path != "" && l.Path == groupPath && l.StartLine > 0:
		return "line " + strconv.Itoa(l.StartLine)
	case l.Path != "" && l.StartLine > 0:
		return l.Path + ":" + strconv.Itoa(l.StartLine)
	case l.Path != "" && l.Path != groupPath:
		return l.Path
	}
	return l.Ref
}

func (t *tableWriter) summary(r *finding.Report) {
	s := r.Summary
	parts := []string{
		plural(s.Brokers, "broker", "brokers"),
		t.style(statusStyle[finding.StatusFail], strconv.Itoa(s.Fail)+" failed"),
		t.style(statusStyle[finding.StatusUnknown], strconv.Itoa(s.Unknown)+" unknown"),
		strconv.Itoa(s.Suppressed) + " suppressed",
	}
	if s.Passed > 0 {
		parts = append(parts, strconv.Itoa(s.Passed)+" passed")
	}
	if s.NotApplicable > 0 {
		parts = append(parts, strconv.Itoa(s.NotApplicable)+" not applicable")
	}
	errs := plural(s.Errors, "error", "errors")
	if s.Errors > 0 {
		errs = t.style(ansiRed, errs+" (scan incomplete)")
	}
	parts = append(parts, errs)
	t.line("")
	t.line("Summary: " + strings.Join(parts, ", "))
}

func (t *tableWriter) diagnostics(title, style string, ns []finding.Note) {
	if len(ns) == 0 {
		return
	}
	t.line("")
	t.line(t.style(style, title+":"))
	for _, n := range ns {
		head := clean(n.Source)
		if at := where(finding.Location{Path: n.Path, StartLine: n.Line}, ""); at != "" {
			head += " " + clean(at)
		}
		for i, l := range wrap(head+": "+clean(n.Message), max(t.width-2*len(indent), minMessage)) {
			if i == 0 {
				t.line(indent + l)
			} else {
				t.line(indent + indent + l)
			}
		}
	}
}

func errorsAsNotes(es []finding.Error) []finding.Note {
	out := make([]finding.Note, 0, len(es))
	for _, e := range es {
		out = append(out, finding.Note(e))
	}
	return out
}

// cell pads s to width (before styling, so escape codes do not count).
func (t *tableWriter) cell(style, s string, width int) string {
	s = clean(s)
	if n := utf8.RuneCountInString(s); n < width {
		s += strings.Repeat(" ", width-n)
	}
	return t.style(style, s)
}

func (t *tableWriter) style(style, s string) string {
	if !t.color || style == "" || s == "" {
		return s
	}
	return style + s + ansiReset
}

func (t *tableWriter) line(s string) {
	// bufio.Writer errors are sticky: Flush reports them.
	_, _ = t.w.WriteString(strings.TrimRight(s, " ") + "\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// clean replaces control characters (terminal escape sequences from scanned input, newlines)
// so that a finding cannot rewrite the terminal or break the layout.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}

// wrap splits s into lines of at most width runes, at spaces when possible.
func wrap(s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var (
		out  []string
		cur  []rune
		line = func() { out = append(out, string(cur)); cur = cur[:0] }
	)
	for _, word := range words {
		wr := []rune(word)
		if len(cur) > 0 && len(cur)+1+len(wr) > width {
			line()
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		for len(cur)+len(wr) > width {
			n := width - len(cur)
			cur = append(cur, wr[:n]...)
			wr = wr[n:]
			line()
		}
		cur = append(cur, wr...)
	}
	if len(cur) > 0 {
		line()
	}
	return out
}
