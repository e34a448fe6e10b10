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

// displayMode names a deployment mode for a message.
func displayMode(v string) string {
	if strings.TrimSpace(v) == "" {
		return "an empty deployment mode"
	}
	return strings.ToUpper(strings.TrimSpace(v))
}

// firstRange returns the first range that locates something.
func firstRange(rs ...model.Range) model.Range {
	for _, r := range rs {
		if !r.IsZero() {
			return r
		}
	}
	return model.Range{}
}
