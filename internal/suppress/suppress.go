// Package suppress owns every suppression layer behind one interface, Suppressor, that the
// engine asks about each FAIL and UNKNOWN finding: inline directives (this file), the policy
// file's exceptions and the baseline (layers.go, baseline.go).
//
// Inline suppressions are mqguard's own `mqguard:ignore` directive and the ignores of other
// tools (Checkov, Trivy, tfsec), which are honoured through the rules' aliases.
//
// The mqguard form is
//
//	# mqguard:ignore MQG001,MQG012 reason="partner ingress" until=2027-01-31 by=secops
//
// in any comment syntax (#, //, /* */, <!-- -->). Rules may be named by ID or slug; reason is
// required; until (an inclusive last day, YYYY-MM-DD) and by (the approver) are optional; values
// may be quoted with " or ' or bare. The other tools' forms are
//
//	#checkov:skip=CKV_AWS_69:optional reason
//	#trivy:ignore:AVD-AWS-0072  #trivy:ignore:aws-mq-no-public-access:exp:2025-01-02
//	#tfsec:ignore:aws-mq-no-public-access:exp:2025-01-02
package suppress

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

// Tools whose directives are understood. ToolMQGuard is mqguard's own directive.
const (
	ToolMQGuard = "mqguard"
	ToolCheckov = "checkov"
	ToolTrivy   = "trivy"
	ToolTFSec   = "tfsec"
)

// dateLayout is the layout of expiry dates.
const dateLayout = "2006-01-02"

// Ignore is one rule suppressed by one directive.
type Ignore struct {
	// Tool is the directive's tool: ToolMQGuard or an alias tool.
	Tool string
	// ID names the rule as written: an mqguard rule ID or slug, or the tool's own check ID.
	ID       string
	Reason   string
	Approver string
	// Until is the last day the suppression holds; zero when it does not expire.
	Until time.Time
	// At is the directive's location.
	At model.Range
}

// Matches reports whether the ignore names rule r: by ID or slug for mqguard directives, through
// the rule's aliases for other tools (Trivy and tfsec share their check IDs), case-insensitively.
func (ig Ignore) Matches(r *rules.Rule) bool {
	return r.Matches(ig.Tool + ":" + ig.ID)
}

// Expired reports whether the suppression no longer holds on the day asOf.
func (ig Ignore) Expired(asOf time.Time) bool {
	if ig.Until.IsZero() {
		return false
	}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return day.After(ig.Until)
}

// Kind is the suppression kind reported in findings: "inline" for mqguard directives, the tool
// name for other tools' ignores.
func (ig Ignore) Kind() string {
	return finding.SuppressionInline
}

// Directive renders the ignore the way its tool spells it, without reason or expiry; it is used
// in notes and never holds scanned values other than the rule ID.
func (ig Ignore) Directive() string {
	switch ig.Tool {
	case ToolMQGuard:
		return "mqguard:ignore " + ig.ID
	case ToolCheckov:
		return "checkov:skip=" + ig.ID
	default:
		return ig.Tool + ":ignore:" + ig.ID
	}
}

// SyntaxError is a malformed directive.
type SyntaxError struct {
	At  model.Range
	Msg string
}

func (e *SyntaxError) Error() string {
	if e.At.IsZero() {
		return e.Msg
	}
	return e.At.String() + ": " + e.Msg
}

// Parse reads one comment. It returns no ignore and no error when the comment holds no
// directive. A malformed directive yields a *SyntaxError (several are joined with errors.Join);
// ignores parsed from other, well-formed directives of the same comment are still returned.
func Parse(d model.Directive) ([]Ignore, error) {
	text := stripComment(d.Text)
	lower := asciiLower(text) // same byte offsets as text
	var (
		out  []Ignore
		errs []error
	)
	fail := func(err error) {
		errs = append(errs, &SyntaxError{At: d.At, Msg: err.Error()})
	}
	for _, m := range findMarkers(lower) {
		var (
			igs []Ignore
			err error
		)
		rest := text[m.end:]
		switch m.tool {
		case ToolMQGuard:
			igs, err = parseMQGuard(rest)
		case ToolCheckov:
			igs, err = parseCheckov(rest)
		default:
			igs, err = parseTrivy(m.tool, rest)
		}
		if err != nil {
			fail(err)
			continue
		}
		for i := range igs {
			igs[i].At = d.At
		}
		out = append(out, igs...)
	}
	return out, errors.Join(errs...)
}

// marker is one directive start found in a comment.
type marker struct {
	tool string
	end  int // index just past the marker
}

var markers = []struct {
	tool, text string
}{
	{ToolMQGuard, "mqguard:ignore"},
	{ToolCheckov, "checkov:skip="},
	{ToolTrivy, "trivy:ignore:"},
	{ToolTFSec, "tfsec:ignore:"},
}

// findMarkers returns the directive markers of lower (a lower-cased comment) in text order. A
// marker counts only at the start of a word, so "xmqguard:ignore" is not a directive. Only the
// first mqguard and checkov marker is read: both consume the rest of the comment.
func findMarkers(lower string) []marker {
	var out []marker
	for i := 0; i < len(lower); i++ {
		if i > 0 && !isBoundary(rune(lower[i-1])) {
			continue
		}
		for _, mk := range markers {
			if !strings.HasPrefix(lower[i:], mk.text) {
				continue
			}
			out = append(out, marker{tool: mk.tool, end: i + len(mk.text)})
			if mk.tool == ToolMQGuard || mk.tool == ToolCheckov {
				return out
			}
			i += len(mk.text) - 1
			break
		}
	}
	return out
}

func isBoundary(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("#/*!-<;,(", r)
}

// stripComment removes the comment delimiters around a directive.
func stripComment(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "-->")
	s = strings.TrimSuffix(s, "*/")
	return strings.TrimSpace(s)
}

// parseMQGuard reads what follows "mqguard:ignore".
func parseMQGuard(rest string) ([]Ignore, error) {
	if rest != "" && !unicode.IsSpace(rune(rest[0])) {
		word, _, _ := strings.Cut(rest, " ")
		return nil, fmt.Errorf("malformed mqguard:ignore: unsupported form mqguard:ignore%s", truncate(word, 20))
	}
	toks, err := tokenize(rest)
	if err != nil {
		return nil, fmt.Errorf("malformed mqguard:ignore: %w", err)
	}
	var (
		ids    []string
		ig     Ignore
		seenKV bool
	)
	for _, t := range toks {
		key, val, isKV := strings.Cut(t.raw, "=")
		if !isKV || t.quotedKey {
			if seenKV {
				return nil, errors.New("malformed mqguard:ignore: unexpected text after the options (quote values that hold spaces)")
			}
			for _, id := range strings.Split(t.raw, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
			continue
		}
		seenKV = true
		if t.quoted {
			val = t.value
		}
		switch strings.ToLower(key) {
		case "reason":
			ig.Reason = strings.TrimSpace(val)
		case "by":
			ig.Approver = strings.TrimSpace(val)
		case "until":
			day, err := time.Parse(dateLayout, strings.TrimSpace(val))
			if err != nil {
				return nil, fmt.Errorf("malformed mqguard:ignore: until must be a date YYYY-MM-DD")
			}
			ig.Until = day
		default:
			return nil, fmt.Errorf("malformed mqguard:ignore: unknown option %q", truncate(key, 20))
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("malformed mqguard:ignore: no rule named")
	}
	if ig.Reason == "" {
		return nil, errors.New("malformed mqguard:ignore: a reason is required (reason=\"...\")")
	}
	out := make([]Ignore, 0, len(ids))
	for _, id := range ids {
		one := ig
		one.Tool = ToolMQGuard
		one.ID = id
		out = append(out, one)
	}
	return out, nil
}

// token is a word of an mqguard directive: bare, or key="quoted value".
type token struct {
	raw       string // the token; for key="v" the key, '=' and the unquoted value
	value     string // the unquoted value of key="v"
	quoted    bool
	quotedKey bool // the token is a quoted string without key
}

// tokenize splits s at spaces, keeping quoted values ("..." or '...') together.
func tokenize(s string) ([]token, error) {
	var out []token
	i := 0
	for {
		for i < len(s) && unicode.IsSpace(rune(s[i])) {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && !unicode.IsSpace(rune(s[i])) && s[i] != '"' && s[i] != '\'' {
			i++
		}
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			end := strings.IndexByte(s[i+1:], q)
			if end < 0 {
				return nil, errors.New("unterminated quote")
			}
			val := s[i+1 : i+1+end]
			prefix := s[start:i]
			i = i + 1 + end + 1
			if i < len(s) && !unicode.IsSpace(rune(s[i])) {
				return nil, errors.New("text after a closing quote")
			}
			out = append(out, token{raw: prefix + val, value: val, quoted: true, quotedKey: prefix == ""})
			continue
		}
		out = append(out, token{raw: s[start:i]})
	}
}

// parseCheckov reads what follows "checkov:skip=": IDs, then an optional reason after ':' or a
// space.
func parseCheckov(rest string) ([]Ignore, error) {
	end := strings.IndexFunc(rest, func(r rune) bool { return r == ':' || unicode.IsSpace(r) })
	idPart, reason := rest, ""
	if end >= 0 {
		idPart, reason = rest[:end], strings.TrimSpace(rest[end+1:])
	}
	var out []Ignore
	for _, id := range strings.Split(idPart, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, Ignore{Tool: ToolCheckov, ID: id, Reason: reason})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("malformed checkov:skip: no check named")
	}
	return out, nil
}

// parseTrivy reads what follows "trivy:ignore:" or "tfsec:ignore:": an ID and an optional
// ":exp:YYYY-MM-DD" suffix.
func parseTrivy(tool, rest string) ([]Ignore, error) {
	word := rest
	if end := strings.IndexFunc(rest, unicode.IsSpace); end >= 0 {
		word = rest[:end]
	}
	id, exp, hasExp := strings.Cut(word, ":exp:")
	if id == "" {
		return nil, fmt.Errorf("malformed %s:ignore: no check named", tool)
	}
	ig := Ignore{Tool: tool, ID: id}
	if hasExp {
		day, err := time.Parse(dateLayout, exp)
		if err != nil {
			return nil, fmt.Errorf("malformed %s:ignore: expiry must be a date YYYY-MM-DD", tool)
		}
		ig.Until = day
	}
	return []Ignore{ig}, nil
}

// asciiLower lower-cases ASCII letters only, so that byte offsets stay those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// truncate keeps error messages short whatever the input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
