package report

import (
	"bufio"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/finding"
)

// markdownFormat writes GitHub-flavoured Markdown for a pull-request or merge-request comment:
// a summary of the findings by severity and status, then one table row per finding, most
// pressing first (FAIL, UNKNOWN, SUPPRESSED, then PASS and N/A; within a status, most severe
// first), then the scan errors and notes.
//
// A GitHub comment holds at most 65,536 characters: past markdownBudget bytes of output the rows
// stop and a line says how many findings (by status) are not shown, so the comment is accepted
// and still shows the worst findings.
type markdownFormat struct{}

func (markdownFormat) Name() string { return "markdown" }

func (markdownFormat) Description() string {
	return "GitHub-flavoured Markdown summary and table for pull-request comments"
}

// markdownBudget is how many bytes the report may take before rows are left out: below GitHub's
// 65,536-character comment limit, with room for the closing note and for a bot's own header.
const markdownBudget = 60000

// markdownStatuses are the statuses in the order the report shows them.
var markdownStatuses = []string{finding.StatusFail, finding.StatusUnknown, finding.StatusSuppressed, finding.StatusPass, finding.StatusNA}

// markdownSeverities are the severities, most severe first.
var markdownSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"}

func (markdownFormat) Write(w io.Writer, r *finding.Report, _ Options) error {
	var b strings.Builder
	b.WriteString("## " + nonEmpty(r.Tool.Name, toolNameFallback) + " scan\n\n")
	b.WriteString(markdownHeadline(r) + "\n\n")
	if len(r.Findings) > 0 {
		markdownSummary(&b, r.Findings)
		markdownFindings(&b, r.Findings)
	}
	markdownExceptions(&b, r.Exceptions)
	markdownDiagnostics(&b, "Errors", errorsAsNotes(r.Errors))
	markdownDiagnostics(&b, "Notes", r.Notes)
	bw := bufio.NewWriter(w)
	_, _ = bw.WriteString(strings.TrimRight(b.String(), "\n") + "\n")
	return bw.Flush()
}

// markdownHeadline is one sentence with the summary's totals.
func markdownHeadline(r *finding.Report) string {
	s := r.Summary
	parts := []string{
		plural(s.Brokers, "broker", "brokers") + " scanned",
		strconv.Itoa(s.Fail) + " failed",
		strconv.Itoa(s.Unknown) + " unknown",
		strconv.Itoa(s.Suppressed) + " suppressed",
	}
	if s.Baselined > 0 {
		parts[len(parts)-1] += " (" + strconv.Itoa(s.Baselined) + " by the baseline)"
	}
	if s.Passed > 0 {
		parts = append(parts, strconv.Itoa(s.Passed)+" passed")
	}
	if s.NotApplicable > 0 {
		parts = append(parts, strconv.Itoa(s.NotApplicable)+" not applicable")
	}
	line := "**" + strings.Join(parts, ", ") + "**"
	if s.Errors > 0 {
		line += " · the scan is incomplete: " + plural(s.Errors, "error", "errors")
	}
	return line
}

// markdownSummary is a table of finding counts: a row per severity present, a column per status
// present, and the totals.
func markdownSummary(b *strings.Builder, fs []finding.Finding) {
	count := map[[2]string]int{}
	sevs, stats := map[string]bool{}, map[string]bool{}
	for i := range fs {
		f := &fs[i]
		count[[2]string{f.Severity, f.Status}]++
		sevs[f.Severity], stats[f.Status] = true, true
	}
	var rows, cols []string
	for _, s := range append(markdownSeverities, sortedExtra(sevs, markdownSeverities)...) {
		if sevs[s] {
			rows = append(rows, s)
		}
	}
	for _, s := range append(markdownStatuses, sortedExtra(stats, markdownStatuses)...) {
		if stats[s] {
			cols = append(cols, s)
		}
	}
	b.WriteString("| severity |")
	for _, c := range cols {
		b.WriteString(" " + markdownText(c) + " |")
	}
	b.WriteString(" total |\n|---|")
	b.WriteString(strings.Repeat("---:|", len(cols)+1) + "\n")
	totals := make([]int, len(cols))
	for _, s := range rows {
		b.WriteString("| " + markdownText(nonEmpty(s, "none")) + " |")
		sum := 0
		for i, c := range cols {
			n := count[[2]string{s, c}]
			totals[i] += n
			sum += n
			b.WriteString(" " + strconv.Itoa(n) + " |")
		}
		b.WriteString(" " + strconv.Itoa(sum) + " |\n")
	}
	b.WriteString("| **total** |")
	for _, n := range totals {
		b.WriteString(" **" + strconv.Itoa(n) + "** |")
	}
	b.WriteString(" **" + strconv.Itoa(len(fs)) + "** |\n\n")
}

// sortedExtra lists the keys of set that known does not hold, sorted: values a newer engine may
// produce still get a row.
func sortedExtra(set map[string]bool, known []string) []string {
	var out []string
	for k := range set {
		if !markdownHas(known, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func markdownHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// markdownFindings writes the findings table, most pressing first, within the budget.
func markdownFindings(b *strings.Builder, fs []finding.Finding) {
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	rank := func(list []string, s string) int {
		for i, x := range list {
			if x == s {
				return i
			}
		}
		return len(list)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, c := &fs[order[i]], &fs[order[j]]
		if ra, rc := rank(markdownStatuses, a.Status), rank(markdownStatuses, c.Status); ra != rc {
			return ra < rc
		}
		return rank(markdownSeverities, a.Severity) < rank(markdownSeverities, c.Severity)
	})
	b.WriteString("### Findings\n\n| severity | status | rule | resource | location | message |\n|---|---|---|---|---|---|\n")
	for n, i := range order {
		row := markdownRow(&fs[i])
		if b.Len()+len(row) > markdownBudget {
			markdownLeftOut(b, fs, order[n:])
			return
		}
		b.WriteString(row)
	}
	b.WriteString("\n")
}

// markdownLeftOut says how many findings the table does not show, by status.
func markdownLeftOut(b *strings.Builder, fs []finding.Finding, rest []int) {
	by := map[string]int{}
	for _, i := range rest {
		by[fs[i].Status]++
	}
	var parts []string
	for _, s := range markdownStatuses {
		if by[s] > 0 {
			parts = append(parts, strconv.Itoa(by[s])+" "+s)
		}
	}
	b.WriteString("\n**" + plural(len(rest), "more finding", "more findings") + " not shown** (" +
		strings.Join(parts, ", ") + "): the comment would exceed GitHub's size limit. " +
		"The json, sarif or csv format has every finding.\n\n")
}

func markdownRow(f *finding.Finding) string {
	rule := markdownText(strings.TrimSpace(f.RuleID + " " + f.Slug))
	if markdownURL(f.HelpURI) {
		rule = "[" + rule + "](" + f.HelpURI + ")"
	}
	msg := markdownText(nonEmpty(f.Message, f.Title))
	if sup := f.Suppression; sup != nil {
		label := "suppressed"
		if sup.Expired || f.Status != finding.StatusSuppressed {
			label = "no longer suppressed"
		}
		msg += "<br>*" + label + " " + markdownText(plainSuppression(sup)) + "*"
	}
	return "| " + markdownText(f.Severity) + " | " + markdownText(f.Status) + " | " + rule + " | " +
		markdownCode(f.Resource.Address) + " | " + markdownCode(plainLocation(f)) + " | " + msg + " |\n"
}

// markdownExceptions lists the policy file's exceptions with what became of them: an expired or
// unused exception is for the reviewer to renew or remove.
func markdownExceptions(b *strings.Builder, es []finding.Exception) {
	if len(es) == 0 {
		return
	}
	b.WriteString("### Exceptions\n\n| status | rule | scope | reason | approved by | ticket | expires | matched |\n|---|---|---|---|---|---|---|---:|\n")
	for i := range es {
		e := &es[i]
		matched := strconv.Itoa(e.Matched)
		if e.MatchedUnknown > 0 {
			matched += " (" + strconv.Itoa(e.MatchedUnknown) + " UNKNOWN)"
		}
		loc := ""
		if e.Location.Path != "" {
			loc = "<br>" + markdownCode(plainLocation(&finding.Finding{Location: e.Location}))
		}
		row := "| " + markdownText(e.Status) + " | " + markdownText(strings.Join(e.Rule, ", ")) + " | " +
			markdownText(exceptionScope(e.Scope)) + loc + " | " + markdownText(e.Reason) + " | " + markdownText(e.ApprovedBy) + " | " +
			markdownText(e.Ticket) + " | " + markdownText(e.Expires) + " | " + matched + " |\n"
		if b.Len()+len(row) > markdownBudget {
			b.WriteString("\n**" + plural(len(es)-i, "more exception", "more exceptions") + " not shown.**\n")
			break
		}
		b.WriteString(row)
	}
	b.WriteString("\n")
}

// exceptionScope is "resources: a, b; tags: env=prod"; "everything" when nothing narrows it.
func exceptionScope(s finding.ExceptionScope) string {
	var parts []string
	add := func(name string, vs []string) {
		if len(vs) > 0 {
			parts = append(parts, name+": "+strings.Join(vs, ", "))
		}
	}
	add("resources", s.Resources)
	add("ARNs", s.ARNs)
	add("accounts", s.Accounts)
	add("regions", s.Regions)
	if len(s.Tags) > 0 {
		keys := make([]string, 0, len(s.Tags))
		for k := range s.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			keys[i] = k + "=" + s.Tags[k]
		}
		add("tags", keys)
	}
	add("paths", s.Paths)
	if len(parts) == 0 {
		return "everything"
	}
	return strings.Join(parts, "; ")
}

func markdownDiagnostics(b *strings.Builder, title string, ns []finding.Note) {
	if len(ns) == 0 {
		return
	}
	b.WriteString("### " + title + "\n\n")
	for i, n := range ns {
		line := "- "
		if n.Source != "" {
			line += markdownText(n.Source) + ": "
		}
		if n.Path != "" {
			at := n.Path
			if n.Line > 0 {
				at += ":" + strconv.Itoa(n.Line)
			}
			line += markdownCode(at) + ": "
		}
		line += markdownText(n.Message) + "\n"
		if b.Len()+len(line) > markdownBudget {
			b.WriteString("- … and " + strconv.Itoa(len(ns)-i) + " more\n")
			break
		}
		b.WriteString(line)
	}
	b.WriteString("\n")
}

// markdownURL reports whether u can be a link target as it is: an http(s) URL without the
// characters that would end or break a Markdown link.
func markdownURL(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) &&
		!strings.ContainsAny(u, " \t\r\n()<>[]|`\"")
}

// markdownText escapes s for a table cell: Markdown and HTML syntax characters are escaped so
// the text shows as it is (no emphasis, link, HTML or column break), line breaks become <br>,
// and control characters are dropped.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '|', '~', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n':
			b.WriteString("<br>")
		case '\r':
		default:
			if markdownHidden(r) {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// markdownCode shows s as code in a table cell. A code span cannot hold a line break, and in a
// table a pipe must still be escaped; text with a backtick is shown escaped instead.
func markdownCode(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsRune(s, '`') {
		return markdownText(s)
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return ' '
		case markdownHidden(r):
			return -1
		}
		return r
	}, s)
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// markdownHidden reports control characters and bidirectional controls: they could hide or
// reorder what the comment shows.
func markdownHidden(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}
