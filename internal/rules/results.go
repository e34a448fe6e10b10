package rules

import (
	"strconv"

	"github.com/mqguard/mqguard/internal/model"
)

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

// uniqueSubjects numbers the second and later results sharing a subject (#2, #3, ...): two
// unnamed listeners on one port, or users of one name in two realms, are distinct findings.
func uniqueSubjects(rs []Result) []Result {
	seen := make(map[string]int, len(rs))
	for i := range rs {
		s := rs[i].Subject
		if seen[s]++; seen[s] > 1 {
			rs[i].Subject = s + "#" + strconv.Itoa(seen[s])
		}
	}
	return rs
}
