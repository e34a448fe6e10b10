package rules

import (
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// tagSet is how rules read a tag map. A partly unknown map (State Unknown) is one of two things:
// its keys are all known and only some values are not (tags = { owner = var.owner }), or its keys
// themselves could not all be decided (tags = merge(var.tags, {...})). Only in the second case
// may a key missing from the known keys be in the map after all.
type tagSet struct {
	t model.Tags
	// unknown holds the keys known to be set whose value could not be decided (not in t.V),
	// with where each is written.
	unknown map[string]model.Range
	// keysKnown: every key of the map is in t.V or in unknown, even when some values are not
	// known.
	keysKnown bool
}

// readTags reads a broker's or configuration's tags. A source that cannot tell which keys a
// partly unknown map has leaves KeysKnown false: its keys then count as able to hide more.
func readTags(t model.Tags) tagSet {
	return tagSet{t: t, unknown: t.ValueUnknown, keysKnown: t.Known() || t.KeysKnown}
}

// tagState says what a tag map tells of one key.
type tagState uint8

const (
	// tagAbsent: the key is not in the map, and every key of the map is known.
	tagAbsent tagState = iota
	// tagPresent: the key is in the map with a known value (possibly empty).
	tagPresent
	// tagValueUnknown: the key is in the map but its value could not be decided.
	tagValueUnknown
	// tagUndecided: the key is not among the known keys, but the keys could not all be decided.
	tagUndecided
)

// get looks a key up case-insensitively. When several spellings of the key are present, a
// non-empty known value wins over an unknown one, which wins over an empty one: the first
// decides whether the key is set, the second leaves it open. The value is trimmed; the range is
// the key's, or the map's when the key is not present.
func (ts tagSet) get(key string) (string, model.Range, tagState) {
	emptyAt, empty := model.Range{}, false
	for _, k := range ts.t.SortedKeys() {
		if !strings.EqualFold(k, key) {
			continue
		}
		if v := strings.TrimSpace(ts.t.V[k]); v != "" {
			return v, ts.keyAt(k), tagPresent
		}
		if !empty {
			emptyAt, empty = ts.keyAt(k), true
		}
	}
	for _, k := range ts.unknownValueKeys() {
		if strings.EqualFold(k, key) {
			return "", ts.keyAt(k), tagValueUnknown
		}
	}
	switch {
	case empty:
		return "", emptyAt, tagPresent
	case ts.keysKnown:
		return "", ts.t.At, tagAbsent
	default:
		return "", ts.t.At, tagUndecided
	}
}

// unknownValueKeys returns, sorted, the keys the map has whose values could not be decided.
func (ts tagSet) unknownValueKeys() []string {
	keys := make([]string, 0, len(ts.unknown))
	for k := range ts.unknown {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// keyAt locates a key, or the map when the key's position is not known.
func (ts tagSet) keyAt(k string) model.Range {
	if r, ok := ts.t.KeyAt[k]; ok {
		return r
	}
	if r, ok := ts.unknown[k]; ok && !r.IsZero() {
		return r
	}
	return ts.t.At
}

// keysFrom is the provenance of a decision on the key set (a key is absent): the map's state,
// or Explicit when the keys are known although some values are not.
func (ts tagSet) keysFrom() model.State {
	if ts.t.State == model.Unknown {
		return model.Explicit
	}
	return ts.t.State
}
