package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// contextSettings returns the settings of ctx, or the catalog defaults without a context.
func contextSettings(ctx *Context) Settings {
	if ctx == nil {
		return DefaultSettings()
	}
	return ctx.Settings
}

// Production says whether a broker is a production broker per the settings: a tag whose key is
// one of ProductionTagKeys and whose value is one of ProductionTagValues (case-insensitive).
// A known production tag decides Yes whatever else is unknown. Otherwise it is Maybe when an
// environment key's value could not be decided, or when the map's keys could hide one; No when
// every key is known and none says production, so production-only rules are N/A on a broker
// with no environment key even if other tag values are unknown. The range is the deciding tag,
// or the tags attribute.
//
// A broker whose name matches one of ProductionNamePatterns is production too; a name that could
// not be decided leaves it Maybe unless a tag already says Yes. A broker value that holds no
// name at all (no range: a configuration judged through its tags) is judged by its tags alone.
func Production(b *model.Broker, s Settings) (Tri, model.Range) {
	tri, at := production(readTags(b.Tags), s)
	if tri == Yes || len(s.ProductionNamePatterns) == 0 || (!b.Name.Known() && b.Name.At.IsZero()) {
		return tri, at
	}
	if !b.Name.Known() {
		return Maybe, b.Name.At
	}
	for _, p := range s.ProductionNamePatterns {
		if MatchGlob(strings.ToLower(p), strings.ToLower(b.Name.V)) {
			return Yes, b.Name.At
		}
	}
	return tri, at
}

// MatchGlob reports whether s matches pattern, where '*' stands for any run of characters
// ('/' and '.' included, so module.partner.* matches every address under the module) and '?'
// for one character; every other character stands for itself. Matching is case-sensitive.
func MatchGlob(pattern, s string) bool {
	// Iterative matching with one backtrack point: linear in practice, never exponential.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func production(ts tagSet, s Settings) (Tri, model.Range) {
	for _, k := range ts.t.SortedKeys() {
		if containsFold(s.ProductionTagKeys, k) && containsFold(s.ProductionTagValues, strings.TrimSpace(ts.t.V[k])) {
			return Yes, ts.keyAt(k)
		}
	}
	for _, k := range ts.unknownValueKeys() {
		if containsFold(s.ProductionTagKeys, k) {
			return Maybe, ts.keyAt(k)
		}
	}
	if !ts.keysKnown {
		return Maybe, ts.t.At
	}
	return No, ts.t.At
}
