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
