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
func Production(b *model.Broker, s Settings) (Tri, model.Range) {
	return production(readTags(b.Tags), s)
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
