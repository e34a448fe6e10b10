package terraform

import (
	"sort"

	"github.com/mqguard/mqguard/internal/source/walk"
)

func sortStrings(s []string) { sort.Strings(s) }

// relPath returns target relative to base; both are clean slash-separated FS paths.
func relPath(base, target string) string { return walk.RelPath(base, target) }
