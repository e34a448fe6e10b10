package notify

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

// Event kinds: findings that appeared since the previous scan, or that it no longer shows.
const (
	EventNew      = "new"
	EventResolved = "resolved"
)

// DefaultMinSeverity is the threshold below which findings are not sent.
const DefaultMinSeverity = "HIGH"

// DefaultMaxFindings caps the findings listed one by one; the rest are counted ("and N more").
const DefaultMaxFindings = 20

// maxListed is the most findings a message can list: Slack takes at most 50 blocks, and the
// header and the "and N more" line are two of them.
const maxListed = 48

// Slack's limits: a header's text, a section's text, and SNS's subject (fewer than 100 characters).
const (
	maxHeader  = 150
	maxSection = 3000
	maxSubject = 99
)

// severityRank orders the severities; an unknown name ranks below INFO.
var severityRank = map[string]int{"INFO": 1, "LOW": 2, "MEDIUM": 3, "HIGH": 4, "CRITICAL": 5}

// ValidSeverity says whether s is a severity name, in any case.
func ValidSeverity(s string) bool { return severityRank[strings.ToUpper(s)] > 0 }

// Options say what a message announces.
type Options struct {
	// Event is EventNew or EventResolved.
	Event string
	// MinSeverity is the lowest severity sent, in any case; "" means DefaultMinSeverity.
	MinSeverity string
	// Scope names what the scan covered (paths, accounts, regions), shown in the summary.
	Scope string
	// MaxFindings caps the findings listed; 0 means DefaultMaxFindings, and more than 48 means
	// 48 (Slack's limit of 50 blocks).
	MaxFindings int
}

// Message is one announcement, the same for every destination.
type Message struct {
	// Text is the one-line summary, e.g. "3 new findings at or above HIGH in infra/".
	Text string
	// Subject is Text cut to SNS's subject limit.
	Subject string
	// JSON is the Slack-compatible payload: text plus blocks.
	JSON []byte
	// Findings are the findings announced (at or above the threshold), in the listed order.
	Findings []finding.Finding
}

// Build makes the message announcing fs; nil when no finding is at or above the threshold (or,
// for new findings, none is FAIL or UNKNOWN: suppressed, passed and not-applicable results are
// not news). Resolved findings are taken as given: they no longer fail, whatever their last
// status. Only fields the report shows in clear are used; the message text is left out.
func Build(fs []finding.Finding, opts Options) (*Message, error) {
	if opts.Event != EventNew && opts.Event != EventResolved {
		return nil, fmt.Errorf("notify: event %q: want %q or %q", opts.Event, EventNew, EventResolved)
	}
	minSev := strings.ToUpper(cmp.Or(opts.MinSeverity, DefaultMinSeverity))
	if !ValidSeverity(minSev) {
		return nil, fmt.Errorf("notify: minimum severity %q: want INFO, LOW, MEDIUM, HIGH or CRITICAL", minSev)
	}
	limit := opts.MaxFindings
	if limit <= 0 {
		limit = DefaultMaxFindings
	}
	limit = min(limit, maxListed)
	var sel []finding.Finding
	for _, f := range fs {
		if severityRank[f.Severity] < severityRank[minSev] {
			continue
		}
		if opts.Event == EventNew && f.Status != finding.StatusFail && f.Status != finding.StatusUnknown {
			continue
		}
		sel = append(sel, f)
	}
	if len(sel) == 0 {
		return nil, nil
	}
	slices.SortStableFunc(sel, func(a, b finding.Finding) int {
		return cmp.Or(
			cmp.Compare(severityRank[b.Severity], severityRank[a.Severity]),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(resourceName(a), resourceName(b)),
			cmp.Compare(location(a), location(b)),
			cmp.Compare(a.Fingerprint, b.Fingerprint),
		)
	})

	text := summary(len(sel), opts.Event, minSev, opts.Scope)
	p := payload{Text: escape(text)}
	p.Blocks = append(p.Blocks, block{Type: "header", Text: &textObj{Type: "plain_text", Text: cut("mqguard: "+text, maxHeader)}})
	for i, f := range sel {
		if i == limit {
			p.Blocks = append(p.Blocks, block{Type: "context", Elements: []textObj{{Type: "mrkdwn", Text: "and " + strconv.Itoa(len(sel)-limit) + " more"}}})
			break
		}
		p.Blocks = append(p.Blocks, block{Type: "section", Text: &textObj{Type: "mrkdwn", Text: cut(section(f), maxSection)}})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// Text is escaped for mrkdwn already; JSON's HTML escaping would only hide it from a reader.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("notify: encoding the payload: %w", err)
	}
	return &Message{Text: text, Subject: cut(oneLine(text), maxSubject), JSON: buf.Bytes(), Findings: sel}, nil
}

// payload is Slack's message: clients that do not render blocks show text.
type payload struct {
	Text   string  `json:"text"`
	Blocks []block `json:"blocks"`
}

type block struct {
	Type     string    `json:"type"`
	Text     *textObj  `json:"text,omitempty"`
	Elements []textObj `json:"elements,omitempty"`
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// summary is the one-line text: "3 new findings at or above HIGH in infra/".
func summary(n int, event, minSev, scope string) string {
	noun := "findings"
	if n == 1 {
		noun = "finding"
	}
	s := fmt.Sprintf("%d %s %s at or above %s", n, event, noun, minSev)
	if scope != "" {
		s += " in " + scope
	}
	return s
}

// section is one finding in Slack's mrkdwn: severity, rule and title (linked to the rule's
// documentation), resource, ARN and location.
func section(f finding.Finding) string {
	var b strings.Builder
	title := escape(f.Title)
	if f.HelpURI != "" && !strings.ContainsAny(f.HelpURI, "|<> ") {
		title = "<" + f.HelpURI + "|" + title + ">"
	}
	fmt.Fprintf(&b, "*%s* `%s` %s", escape(f.Severity), code(f.RuleID), title)
	if f.Status != "" && f.Status != finding.StatusFail {
		fmt.Fprintf(&b, " (%s)", escape(f.Status))
	}
	if f.Resource.Address != "" {
		fmt.Fprintf(&b, "\nResource: `%s`", code(f.Resource.Address))
	}
	if f.Resource.ARN != "" && f.Resource.ARN != f.Resource.Address {
		fmt.Fprintf(&b, "\nARN: `%s`", code(f.Resource.ARN))
	}
	if loc := location(f); loc != "" {
		fmt.Fprintf(&b, "\nLocation: `%s`", code(loc))
	}
	if f.HelpURI != "" {
		fmt.Fprintf(&b, "\nDocs: %s", escape(f.HelpURI))
	}
	return b.String()
}

// resourceName is the ARN of a live resource, else its address.
func resourceName(f finding.Finding) string { return cmp.Or(f.Resource.ARN, f.Resource.Address) }

// location is "path:line" or "path:first-last", or the reference of live data.
func location(f finding.Finding) string {
	l := f.Location
	if l.Path == "" {
		return l.Ref
	}
	switch {
	case l.StartLine <= 0:
		return l.Path
	case l.EndLine > l.StartLine:
		return fmt.Sprintf("%s:%d-%d", l.Path, l.StartLine, l.EndLine)
	}
	return fmt.Sprintf("%s:%d", l.Path, l.StartLine)
}

// escape quotes the three characters Slack's mrkdwn gives a meaning to as text (&, <, >).
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// code is escape for text inside `...`: a backquote would end it, a newline break the line.
func code(s string) string {
	return escape(strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s))
}

// oneLine replaces control characters (SNS refuses them in a subject).
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// cut shortens s to at most n characters, marking the cut with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
