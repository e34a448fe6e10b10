// Package model is the normalised inventory every source fills and every rule reads.
//
// Every attribute is a typed value that knows where it came from (Range) and how sure we are of
// it (State). The zero value of every typed value is Unknown: a source that forgets to set a
// field never produces a silent pass.
package model

import (
	"fmt"
	"sort"
	"strings"
)

// State says how a value was obtained.
type State uint8

const (
	// Unknown: the value could not be decided (unresolved variable, module output, unreadable
	// API field). Rules must answer UNKNOWN, never PASS or FAIL, on an unknown value.
	Unknown State = iota
	// Explicit: the value was written in the input (or read from a live API).
	Explicit
	// Default: the attribute is absent and the value is the documented default of its source.
	Default
)

func (s State) String() string {
	switch s {
	case Explicit:
		return "explicit"
	case Default:
		return "default"
	default:
		return "unknown"
	}
}

// Range locates a value: a file and line span for code, or a reference (ARN, API field) for live
// data. Lines are 1-based; a zero StartLine means no line is known.
type Range struct {
	File      string `json:"path,omitempty"`
	StartLine int    `json:"start_line,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	// Ref names the origin of live data, e.g. "arn:aws:mq:...#PubliclyAccessible".
	Ref string `json:"ref,omitempty"`
}

// IsZero reports whether r locates nothing.
func (r Range) IsZero() bool { return r.File == "" && r.Ref == "" && r.StartLine == 0 }

func (r Range) String() string {
	switch {
	case r.File != "" && r.StartLine > 0:
		return fmt.Sprintf("%s:%d", r.File, r.StartLine)
	case r.File != "":
		return r.File
	default:
		return r.Ref
	}
}

// Bool is a boolean attribute with provenance.
type Bool struct {
	V     bool
	State State
	At    Range
}

// String is a string attribute with provenance.
type String struct {
	V     string
	State State
	At    Range
}

// Int is an integer attribute with provenance.
type Int struct {
	V     int64
	State State
	At    Range
}

// StringList is a list attribute with provenance. Unknown means the list as a whole (or any of
// its elements) could not be decided.
type StringList struct {
	V     []string
	State State
	At    Range
}

// Tags is a tag map with provenance. KeyAt records where each key was written, when known.
// Unknown means at least part of the map could not be decided; V then holds what was known.
type Tags struct {
	V     map[string]string
	KeyAt map[string]Range
	// ValueUnknown holds the keys known to be set whose value could not be decided (they are
	// not in V), with where each is written. Such a key makes State Unknown.
	ValueUnknown map[string]Range
	// KeysKnown, when State is Unknown, says that every key is known: each is in V or in
	// ValueUnknown, and only values are missing. It is false when the keys themselves could
	// not all be decided (a map whose keys are unknown, such as merge() with an unknown map):
	// then keys outside V and ValueUnknown may be set too. A decided map (State Explicit or
	// Default) knows all its keys whatever KeysKnown says.
	KeysKnown bool
	State     State
	At        Range
}

// Known reports whether the value was decided (explicit or default).
func (b Bool) Known() bool { return b.State != Unknown }

// Known reports whether the value was decided (explicit or default).
func (s String) Known() bool { return s.State != Unknown }

// Known reports whether the value was decided (explicit or default).
func (i Int) Known() bool { return i.State != Unknown }

// Known reports whether the value was decided (explicit or default).
func (l StringList) Known() bool { return l.State != Unknown }

// Known reports whether the value was decided (explicit or default).
func (t Tags) Known() bool { return t.State != Unknown }

// Constructors keep sources short and make the provenance explicit at the call site.

// ExplicitBool is a value written in the input at r.
func ExplicitBool(v bool, r Range) Bool { return Bool{V: v, State: Explicit, At: r} }

// DefaultBool is a documented default; r is the enclosing block.
func DefaultBool(v bool, r Range) Bool { return Bool{V: v, State: Default, At: r} }

// UnknownBool is a value that could not be decided at r.
func UnknownBool(r Range) Bool { return Bool{State: Unknown, At: r} }

// ExplicitString is a value written in the input at r.
func ExplicitString(v string, r Range) String { return String{V: v, State: Explicit, At: r} }

// DefaultString is a documented default; r is the enclosing block.
func DefaultString(v string, r Range) String { return String{V: v, State: Default, At: r} }

// UnknownString is a value that could not be decided at r.
func UnknownString(r Range) String { return String{State: Unknown, At: r} }

// Lookup returns the value of the tag whose key equals key case-insensitively.
func (t Tags) Lookup(key string) (value string, at Range, ok bool) {
	for _, k := range t.SortedKeys() {
		if strings.EqualFold(k, key) {
			at = t.At
			if r, found := t.KeyAt[k]; found {
				at = r
			}
			return t.V[k], at, true
		}
	}
	return "", Range{}, false
}

// SortedKeys returns the tag keys in a deterministic order.
func (t Tags) SortedKeys() []string {
	keys := make([]string, 0, len(t.V))
	for k := range t.V {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
