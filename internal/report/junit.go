package report

import (
	"bufio"
	"encoding/xml"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/finding"
)

// junitFormat writes JUnit XML as CI test reporters read it (GitLab, Jenkins, the GitHub
// actions that publish test results): one testsuite per rule, one testcase per (rule,
// resource). A FAIL is a <failure>, an UNKNOWN an <error> (the check could not be decided), a
// SUPPRESSED a <skipped> with its reason; PASS and N/A (with --show-passed) are plain
// testcases. Scan errors form one more testsuite, so an incomplete scan shows as errors too.
// Every element has time="0" (some reporters require a duration; the checks take none of their
// own), which also keeps the output the same for the same report.
type junitFormat struct{}

func (junitFormat) Name() string { return "junit" }

func (junitFormat) Description() string {
	return "JUnit XML for CI test reports (GitLab, Jenkins, GitHub)"
}

// junitErrorsSuite names the testsuite of the scan errors.
const junitErrorsSuite = "mqguard scan errors"

// junitCase is one (rule, resource): its findings, in report order.
type junitCase struct {
	name     string
	findings []*finding.Finding
}

// junitCaseName names a resource instance. Root modules of a monorepo repeat addresses
// (module.mq.aws_mq_broker.this in every environment), and test reporters merge testcases of
// one name, so the broker's name joins the address when the address does not hold it.
func junitCaseName(r *finding.Resource) string {
	name := nonEmpty(r.Address, "unnamed resource")
	if r.Name != "" && !strings.Contains(name, r.Name) {
		name += " (" + r.Name + ")"
	}
	return name
}

// junitKey identifies the resource instance of a testcase.
type junitKey struct{ source, address, name, arn, account, region string }

func junitCaseKey(r *finding.Resource) junitKey {
	return junitKey{r.Source, r.Address, r.Name, r.ARN, r.Account, r.Region}
}

// junitSuite is one rule's testcases, in order of first appearance in the report.
type junitSuite struct {
	first *finding.Finding
	cases []*junitCase
	index map[junitKey]int
	// Counts as the testsuite attributes give them.
	failures, errors, skipped int
}

// outcome is what a testcase reports: the most pressing status among its findings (a resource
// may fail the rule on one user and be unknown on another).
func (c *junitCase) outcome() string {
	rank := func(s string) int {
		switch s {
		case finding.StatusFail:
			return 4
		case finding.StatusUnknown:
			return 3
		case finding.StatusSuppressed:
			return 2
		case finding.StatusPass:
			return 1
		}
		return 0
	}
	best := c.findings[0].Status
	for _, f := range c.findings[1:] {
		if rank(f.Status) > rank(best) {
			best = f.Status
		}
	}
	return best
}

func junitSuites(fs []finding.Finding) []*junitSuite {
	byRule := map[string]*junitSuite{}
	for i := range fs {
		f := &fs[i]
		s, ok := byRule[f.RuleID]
		if !ok {
			s = &junitSuite{first: f, index: map[junitKey]int{}}
			byRule[f.RuleID] = s
		}
		key := junitCaseKey(&f.Resource)
		at, ok := s.index[key]
		if !ok {
			at = len(s.cases)
			s.index[key] = at
			s.cases = append(s.cases, &junitCase{name: junitCaseName(&f.Resource)})
		}
		s.cases[at].findings = append(s.cases[at].findings, f)
	}
	out := make([]*junitSuite, 0, len(byRule))
	for _, s := range byRule {
		for _, c := range s.cases {
			switch c.outcome() {
			case finding.StatusFail:
				s.failures++
			case finding.StatusUnknown:
				s.errors++
			case finding.StatusSuppressed:
				s.skipped++
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].first.RuleID < out[j].first.RuleID })
	return out
}

func (junitFormat) Write(w io.Writer, r *finding.Report, _ Options) error {
	suites := junitSuites(r.Findings)
	var tests, failures, errs, skipped int
	for _, s := range suites {
		tests += len(s.cases)
		failures += s.failures
		errs += s.errors
		skipped += s.skipped
	}
	tests += len(r.Errors)
	errs += len(r.Errors)

	bw := bufio.NewWriter(w)
	x := &xmlWriter{w: bw}
	x.raw(xml.Header)
	x.open("testsuites", false, "name", nonEmpty(r.Tool.Name, toolNameFallback),
		"tests", strconv.Itoa(tests), "failures", strconv.Itoa(failures),
		"errors", strconv.Itoa(errs), "skipped", strconv.Itoa(skipped), "time", "0")
	for _, s := range suites {
		writeJUnitSuite(x, s)
	}
	if len(r.Errors) > 0 {
		n := strconv.Itoa(len(r.Errors))
		x.raw("  ")
		x.open("testsuite", false, "name", junitErrorsSuite, "tests", n, "failures", "0", "errors", n, "skipped", "0", "time", "0")
		for i, e := range r.Errors {
			name := e.Path
			if name == "" {
				name = nonEmpty(e.Source, "scan") + " error " + strconv.Itoa(i+1)
			}
			x.raw("    ")
			attrs := []string{"name", name, "classname", junitErrorsSuite, "time", "0"}
			if e.Path != "" {
				attrs = append(attrs, "file", e.Path)
				if e.Line > 0 {
					attrs = append(attrs, "line", strconv.Itoa(e.Line))
				}
			}
			x.open("testcase", false, attrs...)
			x.raw("      ")
			x.element("error", func() { x.lines(e.Message) }, "message", e.Message, "type", nonEmpty(e.Source, "scan"))
			x.raw("    </testcase>\n")
		}
		x.raw("  </testsuite>\n")
	}
	x.raw("</testsuites>\n")
	return bw.Flush()
}

func writeJUnitSuite(x *xmlWriter, s *junitSuite) {
	f := s.first
	name := f.RuleID
	if f.Slug != "" {
		name += " " + f.Slug
	}
	x.raw("  ")
	x.open("testsuite", false, "name", name, "tests", strconv.Itoa(len(s.cases)),
		"failures", strconv.Itoa(s.failures), "errors", strconv.Itoa(s.errors), "skipped", strconv.Itoa(s.skipped), "time", "0")
	x.raw("    <properties>\n")
	for _, p := range [][2]string{{"title", f.Title}, {"severity", f.Severity}, {"help_uri", f.HelpURI}} {
		if p[1] != "" {
			x.raw("      ")
			x.open("property", true, "name", p[0], "value", p[1])
		}
	}
	x.raw("    </properties>\n")
	for _, c := range s.cases {
		writeJUnitCase(x, name, c)
	}
	x.raw("  </testsuite>\n")
}

func writeJUnitCase(x *xmlWriter, classname string, c *junitCase) {
	outcome := c.outcome()
	var lead *finding.Finding
	for _, f := range c.findings {
		if f.Status == outcome {
			lead = f
			break
		}
	}
	attrs := []string{"name", c.name, "classname", classname, "time", "0"}
	// GitLab and the GitHub reporters link a testcase to its file and line.
	if lead.Location.Path != "" {
		attrs = append(attrs, "file", lead.Location.Path)
		if lead.Location.StartLine > 0 {
			attrs = append(attrs, "line", strconv.Itoa(lead.Location.StartLine))
		}
	}
	var tag string
	switch outcome {
	case finding.StatusFail:
		tag = "failure"
	case finding.StatusUnknown:
		tag = "error"
	case finding.StatusSuppressed:
		tag = "skipped"
	}
	x.raw("    ")
	if tag == "" {
		x.open("testcase", true, attrs...)
		return
	}
	x.open("testcase", false, attrs...)
	x.raw("      ")
	if tag == "skipped" {
		x.element(tag, func() { writeJUnitBody(x, c.findings) }, "message", plainReason(lead.Suppression))
	} else {
		msg := nonEmpty(lead.Message, nonEmpty(lead.Title, lead.RuleID))
		if n := junitCount(c.findings, outcome) - 1; n > 0 {
			msg += " (and " + strconv.Itoa(n) + " more)"
		}
		x.element(tag, func() { writeJUnitBody(x, c.findings) }, "message", msg, "type", lead.Severity)
	}
	x.raw("    </testcase>\n")
}

func junitCount(fs []*finding.Finding, status string) int {
	n := 0
	for _, f := range fs {
		if f.Status == status {
			n++
		}
	}
	return n
}

// plainReason is the reason a suppression gives, or says what kind of ignore it was.
func plainReason(s *finding.Suppression) string {
	if s == nil {
		return "suppressed"
	}
	if s.Reason != "" {
		return s.Reason
	}
	if s.Kind == "baseline" {
		return "in the baseline"
	}
	return "suppressed by a " + nonEmpty(s.Tool, "mqguard") + " ignore"
}

// writeJUnitBody describes every finding of a testcase, a line each for its status and message,
// location, suppression, remediation and documentation, for the reader of a CI job's test report.
func writeJUnitBody(x *xmlWriter, fs []*finding.Finding) {
	line := func(label, text string) {
		x.text(label)
		x.lines(text)
		x.raw("\n")
	}
	for i, f := range fs {
		if i > 0 {
			x.raw("\n")
		}
		line(f.Status+" "+f.Severity+" "+f.RuleID+": ", nonEmpty(f.Message, f.Title))
		if loc := plainLocation(f); loc != "" {
			line("Location: ", loc)
		}
		if f.Suppression != nil {
			label := "Suppressed "
			if f.Suppression.Expired || f.Status != finding.StatusSuppressed {
				label = "No longer suppressed "
			}
			line(label, plainSuppression(f.Suppression))
		}
		if f.Remediation != "" && f.Status != finding.StatusPass && f.Status != finding.StatusNA {
			line("Remediation: ", f.Remediation)
		}
		if f.HelpURI != "" {
			line("Documentation: ", f.HelpURI)
		}
	}
}

// plainLocation is "path:line" (or "path:start-end"), or the live reference.
func plainLocation(f *finding.Finding) string {
	l := f.Location
	if l.Path == "" {
		return l.Ref
	}
	switch {
	case l.StartLine <= 0:
		return l.Path
	case l.EndLine > l.StartLine:
		return l.Path + ":" + strconv.Itoa(l.StartLine) + "-" + strconv.Itoa(l.EndLine)
	}
	return l.Path + ":" + strconv.Itoa(l.StartLine)
}

// plainSuppression is "by exception: reason (approved by X, ticket T, until D, was UNKNOWN)".
func plainSuppression(s *finding.Suppression) string {
	var t string
	switch s.Kind {
	case finding.SuppressionException:
		t = "by exception"
	case finding.SuppressionBaseline:
		t = "by the baseline"
	default:
		t = "by inline ignore"
		if s.Tool != "" && s.Tool != "mqguard" {
			t = "by " + s.Tool + " ignore"
		}
	}
	if s.Reason != "" {
		t += ": " + s.Reason
	}
	var extra []string
	if by := nonEmpty(s.ApprovedBy, s.Approver); by != "" {
		extra = append(extra, "approved by "+by)
	}
	if s.Ticket != "" {
		extra = append(extra, "ticket "+s.Ticket)
	}
	if s.Expires != "" {
		if s.Expired {
			extra = append(extra, "expired "+s.Expires)
		} else {
			extra = append(extra, "until "+s.Expires)
		}
	}
	if s.OriginalStatus != "" {
		// An exception may hide an undecided value: say so.
		extra = append(extra, "was "+s.OriginalStatus)
	}
	if len(extra) > 0 {
		t += " (" + strings.Join(extra, ", ") + ")"
	}
	return t
}

// xmlWriter writes XML by hand, escaping every text and attribute with encoding/xml (which also
// replaces characters XML cannot carry): encoding a report of 100,000 findings through
// reflection would cost more than the scan. Write errors are sticky in the bufio.Writer.
type xmlWriter struct{ w *bufio.Writer }

func (x *xmlWriter) raw(s string) { _, _ = x.w.WriteString(s) }

func (x *xmlWriter) text(s string) {
	// Most text needs no escaping: write it as it is, and leave the rest to encoding/xml.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&' || c == '"' || c == '\'' {
			_ = xml.EscapeText(x.w, []byte(s))
			return
		}
	}
	x.raw(s)
}

func (x *xmlWriter) attrs(attrs []string) {
	for i := 0; i+1 < len(attrs); i += 2 {
		x.raw(" ")
		x.raw(attrs[i])
		x.raw(`="`)
		x.text(attrs[i+1])
		x.raw(`"`)
	}
}

// open writes <name a="v" ...> (or <name ... /> when empty) and a newline.
func (x *xmlWriter) open(name string, empty bool, attrs ...string) {
	x.raw("<")
	x.raw(name)
	x.attrs(attrs)
	if empty {
		x.raw("/>\n")
	} else {
		x.raw(">\n")
	}
}

// element writes <name attrs>, what body writes, </name> and a newline.
func (x *xmlWriter) element(name string, body func(), attrs ...string) {
	x.raw("<")
	x.raw(name)
	x.attrs(attrs)
	x.raw(">")
	body()
	x.raw("</" + name + ">\n")
}

// lines writes text, escaped, keeping its line breaks as they are (escaped, they would make the
// file one long line).
func (x *xmlWriter) lines(s string) {
	for {
		line, rest, more := strings.Cut(s, "\n")
		x.text(line)
		if !more {
			return
		}
		x.raw("\n")
		s = rest
	}
}
