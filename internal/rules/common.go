package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// Tri is a three-valued answer.
type Tri uint8

// Tri values.
const (
	No Tri = iota
	Yes
	Maybe // could not be decided
)

// Production says whether a broker is a production broker per the settings: a tag whose key is
// one of ProductionTagKeys and whose value is one of ProductionTagValues (case-insensitive).
// It returns Maybe when the tags could not be decided and no known tag already decides it. The
// range is the deciding tag, or the tags attribute.
func Production(b *model.Broker, s Settings) (Tri, model.Range) {
	for _, k := range b.Tags.SortedKeys() {
		if !containsFold(s.ProductionTagKeys, k) {
			continue
		}
		if containsFold(s.ProductionTagValues, strings.TrimSpace(b.Tags.V[k])) {
			at := b.Tags.At
			if r, ok := b.Tags.KeyAt[k]; ok {
				at = r
			}
			return Yes, at
		}
	}
	if !b.Tags.Known() {
		return Maybe, b.Tags.At
	}
	return No, b.Tags.At
}

// containsFold reports whether list holds s, case-insensitively.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// AppliesToEngine checks r.Engines against the broker: NotApplicable when the engine is known and
// not listed, Unknown when the engine is unknown, Pass when the rule applies.
func AppliesToEngine(r *Rule, b *model.Broker) Status {
	if len(r.Engines) == 0 {
		return Pass
	}
	if !b.Engine.Known() {
		return Unknown
	}
	for _, e := range r.Engines {
		if b.IsEngine(e) {
			return Pass
		}
	}
	return NotApplicable
}

// one wraps a single result.
func one(st Status, msg string, at model.Range, from model.State) []Result {
	return []Result{{Status: st, Message: msg, At: at, ValueFrom: from}}
}

// unknownResult is the result for a value that could not be decided.
func unknownResult(what string, at model.Range) []Result {
	return one(Unknown, what+" could not be determined.", at, model.Unknown)
}

// notApplicable is the result for a rule that does not apply.
func notApplicable(why string, at model.Range) []Result {
	return one(NotApplicable, why, at, model.Explicit)
}
