package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// containsFold reports whether list holds s, case-insensitively.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
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
