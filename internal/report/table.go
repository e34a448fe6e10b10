package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

// tableFormat writes a report for people at a terminal: the findings, most severe first, under
// a header line per resource; each FAIL with the first sentence of its fix; then the summary,
// errors and notes, so that what limits the scan is what the reader sees last.
type tableFormat struct{}

func (tableFormat) Name() string { return "table" }

func (tableFormat) Description() string {
	return "human-readable table, most severe findings first (the default)"
}

// Column widths of a finding row; the message takes the rest of the line.
const (
	indent      = "  "
	sevWidth    = 8  // CRITICAL
	ruleWidth   = 6  // MQG001
	statusWidth = 10 // SUPPRESSED
	minMessage  = 24
	// msgColumn is where the message starts: after the indent and the three columns.
	msgColumn = len(indent) + sevWidth + 1 + ruleWidth + 1 + statusWidth + 1
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

func (tableFormat) Write(w io.Writer, r *finding.Report, o Options) error {
	bw := bufio.NewWriter(w)
	t := &tableWriter{w: bw, color: o.Color, verbose: o.Verbose, width: o.Width}
	if t.width <= 0 {
		t.width = DefaultWidth
	}
	t.findings(r.Findings)
	t.summary(r)
	t.diagnostics("Errors", ansiRed, errorsAsNotes(r.Errors))
	t.diagnostics("Notes", ansiYellow, r.Notes)
	t.exceptions(r.Exceptions)
	return bw.Flush()
}

// lineWriter is where a table is written: the output, or a chunk's buffer.
type lineWriter interface {
	io.Writer
	io.StringWriter
}

// appendWriter appends to a byte slice.
type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

func (a *appendWriter) WriteString(s string) (int, error) {
	a.b = append(a.b, s...)
	return len(s), nil
}

type tableWriter struct {
	w       lineWriter
	color   bool
	verbose bool
	width   int
}

// findings writes the findings in table order, with a resource header wherever the resource
// changes from one row to the next.
func (t *tableWriter) findings(fs []finding.Finding) {
	if len(fs) == 0 {
		t.line("No findings.")
		return
	}
	keys := make([]string, len(fs))
	for i := range fs {
		keys[i] = resourceKey(fs[i].Resource)
	}
	home := homePaths(fs, keys)
	order := tableOrder(fs, keys)
	// Rows are laid out on every core, in chunks written in order: wrapping a large report's
	// messages is most of the table's cost.
	_ = encodeParallel(len(order), func(b []byte, n int) ([]byte, error) {
		i := order[n]
		chunk := *t
		aw := &appendWriter{b: b}
		chunk.w = aw
		if n == 0 || keys[order[n-1]] != keys[i] {
			if n > 0 {
				chunk.line("")
			}
			chunk.header(fs[i].Resource, home[keys[i]])
		}
		chunk.row(&fs[i], home[keys[i]])
		return aw.b, nil
	}, func(b []byte) { _, _ = t.w.Write(b) })
}

// tableOrder returns the indexes of fs sorted by severity (CRITICAL first), resource address,
// rule ID and line. The sort is stable, so equal findings keep the report's order, which the
// other formats keep as a whole.
func tableOrder(fs []finding.Finding, keys []string) []int {
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &fs[i], &fs[j]
		return cmp.Or(
			cmp.Compare(severityRank[b.Severity], severityRank[a.Severity]), // most severe first
			strings.Compare(a.Resource.Address, b.Resource.Address),
			// Two resources with one address (a module file and a live broker) stay apart.
			strings.Compare(keys[i], keys[j]),
			strings.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.Location.StartLine, b.Location.StartLine),
		)
	})
	return order
}

// resourceKey identifies a resource instance across its findings.
func resourceKey(r finding.Resource) string {
	// The name tells apart brokers of different root modules that share an address
	// (module.mq.aws_mq_broker.this in every service of a monorepo).
	return strings.Join([]string{r.Source, r.Address, r.Name, r.ARN, r.Account, r.Region}, "\x00")
}

// homePaths gives every resource (by key) the file most of its findings point at, the first
// such file on a tie: the file its header names and its rows' "[line N]" markers refer to.
func homePaths(fs []finding.Finding, keys []string) map[string]string {
	type tally struct {
		count map[string]int
		best  string
	}
	byKey := map[string]*tally{}
	for i := range fs {
		p := fs[i].Location.Path
		t := byKey[keys[i]]
		if t == nil {
			t = &tally{count: map[string]int{}}
			byKey[keys[i]] = t
		}
		if p == "" {
			continue
		}
		t.count[p]++
		if t.best == "" || t.count[p] > t.count[t.best] {
			t.best = p
		}
	}
	out := make(map[string]string, len(byKey))
	for key, t := range byKey {
		out[key] = t.best
	}
	return out
}

// header writes a resource's address, name and engine, and its file or account and region.
func (t *tableWriter) header(r finding.Resource, path string) {
	words := []word{{{text: KeepTogether(clean(r.Address)), style: ansiBold}}}
	var details []string
	for _, s := range []string{r.Name, r.Engine} {
		if s != "" {
			details = append(details, clean(s))
		}
	}
	// Each part stays on one line: a header breaks between its parts.
	if len(details) > 0 {
		words = append(words, word{{text: KeepTogether("(" + strings.Join(details, ", ") + ")")}})
	}
	place := ""
	switch {
	case path != "":
		place = path
	case r.Account != "" || r.Region != "":
		place = r.Source + " " + strings.Trim(r.Account+"/"+r.Region, "/")
	case r.Source != "":
		place = r.Source
	}
	if place != "" {
		words = append(words, word{{text: KeepTogether(clean(place))}})
	}
	t.lines("", indent+indent, t.width-2*len(indent), words)
}

// row writes one finding: fixed columns, then the message wrapped to the terminal width with
// its location as one unbreakable "[line N]" marker, then its suppression and fix.
func (t *tableWriter) row(f *finding.Finding, homePath string) {
	prefix := indent + t.cell(severityStyle[f.Severity], f.Severity, sevWidth) + " " +
		t.cell("", f.RuleID, ruleWidth) + " " +
		t.cell(statusStyle[f.Status], f.Status, statusWidth) + " "
	hang := strings.Repeat(" ", msgColumn)
	width := max(t.width-msgColumn, minMessage)

	words := plainWords(clean(f.Message))
	at := where(f.Location, homePath)
	if field, ok := strings.CutPrefix(at, f.Resource.Address+"#"); ok && f.Resource.Address != "" {
		at = field // live data: the header already names the resource
	}
	if at != "" {
		words = append(words, word{{text: KeepTogether("[" + clean(at) + "]")}})
	}
	t.lines(prefix, hang, width, words)

	if s := f.Suppression; s != nil {
		t.lines(hang, hang, width, styled(ansiDim, suppressionText(s)))
	}
	if f.Remediation != "" && (t.verbose || f.Status == finding.StatusFail) {
		label := "fix:"
		if f.ReplacementRequired {
			label = "fix (new broker):"
		}
		fix := clean(f.Remediation)
		if !t.verbose {
			// One line, the first sentence; -v shows the rest.
			fix = Truncate(firstSentence(strings.Join(strings.Fields(fix), " ")), width)
		}
		t.labelled(label, ansiGreen, "", width, fix)
	}
	if t.verbose {
		if f.HelpURI != "" {
			// Never wrapped: a broken URL cannot be clicked.
			t.labelled("docs:", ansiDim, ansiDim, width, KeepTogether(clean(f.HelpURI)))
		}
		t.labelled("fingerprint:", ansiDim, ansiDim, width, clean(f.Fingerprint))
	}
}

// labelled writes text in the message column with its label right-aligned in the rule and
// status columns, so that the text keeps the whole message width.
func (t *tableWriter) labelled(label, labelStyle, style string, width int, text string) {
	hang := strings.Repeat(" ", msgColumn)
	first := strings.Repeat(" ", max(msgColumn-1-len(label), 0)) + t.style(labelStyle, label) + " "
	t.lines(first, hang, width, styled(style, text))
}

// firstSentence is s up to the end of its first sentence: a '.', '!' or '?' outside
// parentheses and code spans, followed by a space and a capital letter or a code span, and not
// ending "e.g." or "i.e.".
func firstSentence(s string) string {
	rs := []rune(s)
	depth, code := 0, false
	for i, r := range rs {
		switch {
		case r == '`':
			code = !code
		case code:
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			depth = max(depth-1, 0)
		case depth == 0 && strings.ContainsRune(".!?", r) && i+2 < len(rs) && rs[i+1] == ' ' &&
			(unicode.IsUpper(rs[i+2]) || rs[i+2] == '`'):
			head := string(rs[:i+1])
			last := strings.ToLower(head[strings.LastIndexByte(head, ' ')+1:])
			if last != "e.g." && last != "i.e." {
				return head
			}
		}
	}
	return s
}

func suppressionText(s *finding.Suppression) string {
	kind := s.Kind
	if s.Tool != "" && s.Tool != "mqguard" {
		kind = s.Tool // another tool's inline ignore, honoured through the rule's aliases
	}
	parts := []string{"suppressed (" + clean(kind) + ")"}
	if s.Reason != "" {
		parts[0] += ": " + clean(s.Reason)
	}
	if s.Expires != "" {
		parts = append(parts, "until "+clean(s.Expires))
	}
	if s.Approver != "" {
		parts = append(parts, "by "+clean(s.Approver))
	}
	if s.Ticket != "" {
		parts = append(parts, clean(s.Ticket))
	}
	if s.Location != nil && s.Location.Path != "" {
		parts = append(parts, "at "+KeepTogether(clean(where(*s.Location, ""))))
	}
	return strings.Join(parts, "; ")
}

// where renders a location compactly: "line 12" inside the resource's file, "path:12"
// elsewhere, the reference for live data.
func where(l finding.Location, homePath string) string {
	switch {
	case l.Path != "" && l.Path == homePath && l.StartLine > 0:
		return "line " + strconv.Itoa(l.StartLine)
	case l.Path != "" && l.StartLine > 0:
		return l.Path + ":" + strconv.Itoa(l.StartLine)
	case l.Path != "" && l.Path != homePath:
		return l.Path
	}
	return l.Ref
}

func (t *tableWriter) summary(r *finding.Report) {
	s := r.Summary
	parts := []span{
		{text: plural(s.Brokers, "broker", "brokers")},
		{text: strconv.Itoa(s.Fail) + " failed", style: statusStyle[finding.StatusFail]},
		{text: strconv.Itoa(s.Unknown) + " unknown", style: statusStyle[finding.StatusUnknown]},
		{text: strconv.Itoa(s.Suppressed) + " suppressed"},
	}
	if s.Baselined > 0 {
		parts[len(parts)-1].text += " (" + strconv.Itoa(s.Baselined) + " by the baseline)"
	}
	if s.Passed > 0 {
		parts = append(parts, span{text: strconv.Itoa(s.Passed) + " passed"})
	}
	if s.NotApplicable > 0 {
		parts = append(parts, span{text: strconv.Itoa(s.NotApplicable) + " not applicable"})
	}
	errs := span{text: plural(s.Errors, "error", "errors")}
	if s.Errors > 0 {
		errs = span{text: errs.text + " (scan incomplete)", style: ansiRed}
	}
	parts = append(parts, errs)
	words := []word{{{text: "Summary:"}}}
	for i, p := range parts {
		w := word{{text: KeepTogether(p.text), style: p.style}}
		if i < len(parts)-1 {
			w = append(w, span{text: ","})
		}
		words = append(words, w)
	}
	t.line("")
	t.lines("", indent, t.width-len(indent), words)
}

func (t *tableWriter) diagnostics(title, style string, ns []finding.Note) {
	if len(ns) == 0 {
		return
	}
	t.line("")
	t.line(t.style(style, title+":"))
	for _, n := range ns {
		words := plainWords(clean(n.Source))
		if at := where(finding.Location{Path: n.Path, StartLine: n.Line}, ""); at != "" {
			words = append(words, word{{text: KeepTogether(clean(at))}})
		}
		words[len(words)-1] = append(words[len(words)-1], span{text: ":"})
		words = append(words, plainWords(clean(n.Message))...)
		t.lines(indent, indent+indent, t.width-2*len(indent), words)
	}
}

// exceptions lists the policy exceptions that need the approver's attention, last: the expired
// ones (their findings fail again) and the unused ones (the scope may be wrong, or the
// exception is no longer needed). Active exceptions are in the findings' suppressions.
func (t *tableWriter) exceptions(es []finding.Exception) {
	var ns []finding.Note
	for _, e := range es {
		matched := plural(e.Matched, "finding", "findings")
		if e.MatchedUnknown > 0 {
			matched += " (" + strconv.Itoa(e.MatchedUnknown) + " UNKNOWN)"
		}
		who := "approved by " + e.ApprovedBy
		if e.Ticket != "" {
			who += ", " + e.Ticket
		}
		rules := strings.Join(e.Rule, ", ")
		switch e.Status {
		case finding.ExceptionExpired:
			ns = append(ns, finding.Note{Source: "expired", Path: e.Location.Path, Line: e.Location.StartLine,
				Message: fmt.Sprintf("%s, %s, expired on %s; it no longer suppresses its %s", rules, who, e.Expires, matched)})
		case finding.ExceptionUnused:
			ns = append(ns, finding.Note{Source: "unused", Path: e.Location.Path, Line: e.Location.StartLine,
				Message: fmt.Sprintf("%s, %s, until %s, matched no FAIL or UNKNOWN finding", rules, who, e.Expires)})
		}
	}
	t.diagnostics("Policy exceptions", ansiYellow, ns)
}

func errorsAsNotes(es []finding.Error) []finding.Note {
	out := make([]finding.Note, 0, len(es))
	for _, e := range es {
		out = append(out, finding.Note(e))
	}
	return out
}

// span is text in one style; word is what wrapping never breaks: one or more spans.
type (
	span struct{ text, style string }
	word []span
)

func plainWords(s string) []word { return styled("", s) }

// styled splits s into words in one style.
func styled(style, s string) []word {
	var ws []word
	for _, f := range fields(s) {
		ws = append(ws, word{{text: f, style: style}})
	}
	return ws
}

// lines wraps words to width columns (not counting first and hang) and writes them, the first
// line after first, the others after hang.
func (t *tableWriter) lines(first, hang string, width int, words []word) {
	widths := make([]int, len(words))
	for i, w := range words {
		for _, s := range w {
			widths[i] += Width(s.text)
		}
	}
	lead := first
	for _, n := range fill(widths, max(width, minMessage)) {
		// Neighbouring text in one style gets one pair of escape codes.
		var spans []span
		add := func(s span) {
			if k := len(spans) - 1; k >= 0 && spans[k].style == s.style {
				spans[k].text += s.text
				return
			}
			spans = append(spans, s)
		}
		for i, w := range words[:n] {
			if i > 0 {
				space := span{text: " "}
				if spans[len(spans)-1].style == w[0].style {
					space.style = w[0].style
				}
				add(space)
			}
			for _, s := range w {
				add(s)
			}
		}
		var b strings.Builder
		b.WriteString(lead)
		for _, s := range spans {
			b.WriteString(t.style(s.style, strings.ReplaceAll(s.text, string(NoBreak), " ")))
		}
		t.line(b.String())
		words, lead = words[n:], hang
	}
}

// cell pads s to width (before styling, so escape codes do not count).
func (t *tableWriter) cell(style, s string, width int) string {
	s = clean(s)
	if n := Width(s); n < width {
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
// and bidirectional controls (which reorder what the terminal shows) so that a finding cannot
// rewrite the terminal, disguise itself or break the layout.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Bidi_Control, r):
			return '?'
		}
		return r
	}, s)
}
