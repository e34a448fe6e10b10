package rules

import (
	"fmt"
	"strings"
)

// The one rule matcher: rule selection (--rules, --skip-rules), inline ignores and policy
// exceptions all designate rules through Matches, so a name that works in one place works in
// every other.

// toolMQGuard is the tool prefix of mqguard's own names ("mqguard:MQG001").
const toolMQGuard = "mqguard"

// Matches reports whether name designates r, case-insensitively: r's ID (MQG001) or slug
// (public-access); another tool's ID among r's aliases (CKV_AWS_69); or "tool:ID", which
// designates r's ID or slug for the tool "mqguard" and an alias of that tool otherwise. Trivy and
// tfsec share their IDs (Trivy took over tfsec's checks), so either tool name finds the other's.
func (r *Rule) Matches(name string) bool {
	if r == nil {
		return false
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	tool, id, qualified := strings.Cut(name, ":")
	if !qualified {
		if strings.EqualFold(r.ID, name) || strings.EqualFold(r.Slug, name) {
			return true
		}
		for _, a := range r.Aliases {
			if strings.EqualFold(a.ID, name) {
				return true
			}
		}
		return false
	}
	tool, id = strings.TrimSpace(tool), strings.TrimSpace(id)
	if strings.EqualFold(tool, toolMQGuard) {
		return strings.EqualFold(r.ID, id) || strings.EqualFold(r.Slug, id)
	}
	for _, a := range r.Aliases {
		if strings.EqualFold(a.ID, id) && sameTool(a.Tool, tool) {
			return true
		}
	}
	return false
}

// sameTool reports whether two tool names are one tool as far as rule IDs go.
func sameTool(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	trivyFamily := func(t string) bool { return strings.EqualFold(t, "trivy") || strings.EqualFold(t, "tfsec") }
	return trivyFamily(a) && trivyFamily(b)
}

// UnknownRuleError is a rule name that designates no rule of the catalog.
type UnknownRuleError struct {
	Names []string
}

func (e *UnknownRuleError) Error() string {
	quoted := make([]string, len(e.Names))
	for i, n := range e.Names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return "unknown rule " + strings.Join(quoted, ", ")
}

// Resolve returns the rules of catalog that names designate, in catalog order. Empty names are
// ignored; a name that designates no rule is an *UnknownRuleError naming every such name.
func Resolve(catalog []*Rule, names []string) ([]*Rule, error) {
	set := map[*Rule]bool{}
	var unknown []string
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for _, r := range catalog {
			if r.Matches(name) {
				set[r] = true
				found = true
			}
		}
		if !found {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return nil, &UnknownRuleError{Names: unknown}
	}
	var out []*Rule
	for _, r := range catalog {
		if set[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Select applies a selection to catalog, keeping its order: the rules only designates (every
// rule when only has no name), less those skip designates.
func Select(catalog []*Rule, only, skip []string) ([]*Rule, error) {
	onlyRules, err := Resolve(catalog, only)
	if err != nil {
		return nil, err
	}
	skipRules, err := Resolve(catalog, skip)
	if err != nil {
		return nil, err
	}
	in := map[*Rule]bool{}
	for _, r := range onlyRules {
		in[r] = true
	}
	everything := len(onlyRules) == 0
	var out []*Rule
	for _, r := range catalog {
		if r == nil || (!everything && !in[r]) || containsRule(skipRules, r) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func containsRule(list []*Rule, r *Rule) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}
