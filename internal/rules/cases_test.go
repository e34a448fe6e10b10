package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// aCase is one table test of a rule on a hand-built broker.
type aCase struct {
	name string
	b    *model.Broker
	ctx  *Context // aCtx() when nil
	want []Status
	// Optional expectations on the first result.
	from     *model.State
	at       *model.Range
	contains string
	sev      *Severity
	subjects []string
}

func aState(s model.State) *model.State { return &s }
func aRange(r model.Range) *model.Range { return &r }
func aSev(s Severity) *Severity         { return &s }

// aRun runs the cases the way the engine does: engine applicability first, then Check.
func aRun(t *testing.T, r *Rule, cases []aCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = aCtx()
			}
			var res []Result
			if na := r.NotApplicableTo(tc.b); na != nil {
				res = na
			} else if st := AppliesToEngine(r, tc.b); st != Pass {
				res = []Result{{Status: st}}
			} else {
				res = r.Check(tc.b, ctx)
				aCheckInvariants(t, res)
			}
			got := statusesOf(res)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("statuses = %v, want %v (results %+v)", got, tc.want, res)
			}
			first := res[0]
			if tc.from != nil && first.ValueFrom != *tc.from {
				t.Errorf("ValueFrom = %v, want %v", first.ValueFrom, *tc.from)
			}
			if tc.at != nil && first.At != *tc.at {
				t.Errorf("At = %+v, want %+v", first.At, *tc.at)
			}
			if tc.contains != "" && !strings.Contains(first.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", first.Message, tc.contains)
			}
			if tc.sev != nil && (first.Severity == nil || *first.Severity != *tc.sev) {
				t.Errorf("severity = %v, want %v", first.Severity, *tc.sev)
			}
			if tc.sev == nil && first.Severity != nil {
				t.Errorf("unexpected severity override %v", *first.Severity)
			}
			if tc.subjects != nil {
				var subjects []string
				for _, x := range res {
					subjects = append(subjects, x.Subject)
				}
				if !slices.Equal(subjects, tc.subjects) {
					t.Errorf("subjects = %q, want %q", subjects, tc.subjects)
				}
			}
		})
	}
}

// aCheckInvariants holds for every result of every rule.
func aCheckInvariants(t *testing.T, res []Result) {
	t.Helper()
	if len(res) == 0 {
		t.Fatal("Check returned no result")
	}
	subjects := map[string]bool{}
	for _, r := range res {
		if r.Message == "" {
			t.Errorf("result %+v has no message", r)
		}
		if r.Status == Unknown && r.ValueFrom != model.Unknown {
			t.Errorf("UNKNOWN result with ValueFrom %v", r.ValueFrom)
		}
		if (r.Status == Fail || r.Status == Pass) && r.ValueFrom == model.Unknown {
			t.Errorf("%v result decided on an unknown value: %+v", r.Status, r)
		}
		if len(res) > 1 && subjects[r.Subject] {
			t.Errorf("several results share subject %q", r.Subject)
		}
		subjects[r.Subject] = true
	}
}

// bRun runs a rule the way the engine does: engine applicability first, then Check.
func bRun(r *Rule, b *model.Broker) []Result {
	if na := r.NotApplicableTo(b); na != nil {
		return na
	}
	if st := AppliesToEngine(r, b); st != Pass {
		return []Result{{Status: st, Message: "engine applicability"}}
	}
	return r.Check(b, aCtx())
}

// statusesOf lists the statuses of results.
func statusesOf(rs []Result) []Status {
	out := make([]Status, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// bCheckResults checks statuses and subjects, and that no message holds a forbidden string.
func bCheckResults(t *testing.T, got []Result, want []Status, subjects []string, forbidden ...string) {
	t.Helper()
	if gs := statusesOf(got); !slices.Equal(gs, want) {
		t.Fatalf("statuses = %v, want %v (results %+v)", gs, want, got)
	}
	if subjects != nil {
		for i, r := range got {
			if r.Subject != subjects[i] {
				t.Errorf("result %d subject = %q, want %q", i, r.Subject, subjects[i])
			}
		}
	}
	for _, r := range got {
		if r.Status != NotApplicable && r.Message == "" && r.Status != Pass {
			t.Errorf("result without a message: %+v", r)
		}
		for _, f := range forbidden {
			if f != "" && (strings.Contains(r.Message, f) || strings.Contains(r.Subject, f)) {
				t.Errorf("result leaks %q: %+v", f, r)
			}
		}
	}
}

// bCase is one table test of a rule on a hand-built broker, run by bRunCases.
type bCase struct {
	name     string
	b        *model.Broker
	want     []Status
	subjects []string // nil: not checked
}

// bRunCases runs each case with bRun and checks its results with bCheckResults; no result may
// hold a forbidden string.
func bRunCases(t *testing.T, r *Rule, cases []bCase, forbidden ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bCheckResults(t, bRun(r, tc.b), tc.want, tc.subjects, forbidden...)
		})
	}
}
