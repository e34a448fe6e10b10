package rules

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG011RequiredTags(t *testing.T) {
	all := []string{"owner", "team-a", "application", "orders", "data-sensitivity", "internal"}
	withAllowed := aCtx()
	withAllowed.Settings.AllowedTagValues = map[string][]string{"data-sensitivity": {"public", "internal", "confidential"}}
	custom := aCtx()
	custom.Settings.RequiredTags = []string{"CostCenter", "costcenter"}
	none := aCtx()
	none.Settings.RequiredTags = nil
	aRun(t, mqg011, []aCase{
		{name: "all present", b: aBroker(model.EngineActiveMQ, aTags(all...)), want: []Status{Pass}, from: aState(model.Explicit)},
		{name: "keys in other casing", b: aBroker(model.EngineRabbitMQ, aTags("Owner", "a", "APPLICATION", "b", "Data-Sensitivity", "c")),
			want: []Status{Pass}},
		{name: "no tags at all", b: aBroker(model.EngineActiveMQ), want: []Status{Fail, Fail, Fail}, from: aState(model.Default),
			at: aRange(aAt(1)), subjects: []string{"tag:owner", "tag:application", "tag:data-sensitivity"}},
		{name: "one missing", b: aBroker(model.EngineActiveMQ, aTags("owner", "a", "application", "b")),
			want: []Status{Fail}, subjects: []string{"tag:data-sensitivity"}, contains: "missing", at: aRange(aAt(30))},
		{name: "empty value", b: aBroker(model.EngineActiveMQ, aTags("owner", "  ", "application", "b", "data-sensitivity", "c")),
			want: []Status{Fail}, subjects: []string{"tag:owner"}, contains: "empty", at: aRange(aAt(31))},
		{name: "unknown tags, all known keys present", b: aBroker(model.EngineActiveMQ, aUnknownTags(all...)), want: []Status{Pass}},
		{name: "unknown tags, key may be in unknown part", b: aBroker(model.EngineActiveMQ, aUnknownTags("owner", "a")),
			want: []Status{Unknown}, at: aRange(aAt(30))},
		{name: "unknown tags, known empty value still undecided", b: aBroker(model.EngineActiveMQ, aUnknownTags("owner", "", "application", "b", "data-sensitivity", "c")),
			want: []Status{Unknown}},
		{name: "unknown tags but a known value is not allowed", b: aBroker(model.EngineActiveMQ, aUnknownTags("data-sensitivity", "secret")),
			ctx: withAllowed, want: []Status{Fail}, subjects: []string{"tag:data-sensitivity"}},
		{name: "allowed value", b: aBroker(model.EngineActiveMQ, aTags("owner", "a", "application", "b", "data-sensitivity", "Internal")),
			ctx: withAllowed, want: []Status{Pass}},
		{name: "value not allowed", b: aBroker(model.EngineActiveMQ, aTags("owner", "a", "application", "b", "data-sensitivity", "top-secret")),
			ctx: withAllowed, want: []Status{Fail}, contains: "allowed values (confidential, internal, public)"},
		{name: "custom keys deduplicated", b: aBroker(model.EngineActiveMQ, aTags(all...)), ctx: custom,
			want: []Status{Fail}, subjects: []string{"tag:costcenter"}},
		{name: "no required keys configured", b: aBroker(model.EngineActiveMQ), ctx: none, want: []Status{NotApplicable}},
	})
}

func TestMQG011NeverPrintsTagValues(t *testing.T) {
	ctx := aCtx()
	ctx.Settings.AllowedTagValues = map[string][]string{"owner": {"team-a"}}
	res := mqg011.Check(aBroker(model.EngineActiveMQ, aTags("owner", "jane.doe@example.com", "application", "b", "data-sensitivity", "c")), ctx)
	for _, r := range res {
		if strings.Contains(r.Message, "jane") || strings.Contains(r.Message, "example.com") {
			t.Errorf("message leaks the tag value: %q", r.Message)
		}
	}
}

// TestMQG011KnownKeysDecide covers maps whose keys are all known while some values are not
// (tags = { owner = var.owner, ... }): the known keys decide.
func TestMQG011KnownKeysDecide(t *testing.T) {
	withAllowed := DefaultSettings()
	withAllowed.AllowedTagValues = map[string][]string{"data-sensitivity": {"internal"}}
	tests := []struct {
		name     string
		ts       tagSet
		s        Settings
		want     []Status
		subjects []string
		at       model.Range
		from     model.State
		contains string
	}{
		{name: "missing keys fail although a value is unknown", ts: tTags(true, []string{"owner"}, "application", "orders"),
			want: []Status{Fail}, subjects: []string{"tag:data-sensitivity"}, at: aAt(30), from: model.Explicit, contains: "missing"},
		{name: "known empty value fails", ts: tTags(true, []string{"owner"}, "application", "", "data-sensitivity", "internal"),
			want: []Status{Fail}, subjects: []string{"tag:application"}, at: aAt(31), contains: "empty", from: model.Explicit},
		{name: "only the value of a present key is unknown", ts: tTags(true, []string{"Owner"}, "application", "orders", "data-sensitivity", "internal"),
			want: []Status{Unknown}, at: aAt(41), from: model.Unknown, contains: "value of the required tag owner"},
		{name: "several values unknown", ts: tTags(true, []string{"owner", "application"}, "data-sensitivity", "internal"),
			want: []Status{Unknown}, at: aAt(41), from: model.Unknown, contains: "values of the required tags owner, application"},
		{name: "unknown value and a value outside the allowed ones", ts: tTags(true, []string{"owner"}, "application", "orders", "data-sensitivity", "secret"),
			s: withAllowed, want: []Status{Fail}, subjects: []string{"tag:data-sensitivity"}, at: aAt(32), from: model.Explicit},
		{name: "every key set, other values unknown", ts: tTags(true, []string{"cost-center"}, "owner", "a", "application", "b", "data-sensitivity", "c"),
			want: []Status{Pass}, from: model.Explicit},
		// The keys themselves are not all known: a missing key may be in the unknown part.
		{name: "keys could hide the missing key", ts: tTags(false, nil, "owner", "a", "application", "b"),
			want: []Status{Unknown}, at: aAt(30), from: model.Unknown, contains: "could not be checked"},
		{name: "keys could hide another spelling of an empty key", ts: tTags(false, nil, "owner", "", "application", "b", "data-sensitivity", "c"),
			want: []Status{Unknown}, from: model.Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			if s.RequiredTags == nil {
				s = DefaultSettings()
			}
			res := requiredTags(tc.ts, s)
			aCheckInvariants(t, res)
			bCheckResults(t, res, tc.want, tc.subjects)
			first := res[0]
			if !tc.at.IsZero() && first.At != tc.at {
				t.Errorf("At = %+v, want %+v", first.At, tc.at)
			}
			if first.ValueFrom != tc.from {
				t.Errorf("ValueFrom = %v, want %v", first.ValueFrom, tc.from)
			}
			if !strings.Contains(first.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", first.Message, tc.contains)
			}
		})
	}
}

// TestMQG011ReadsKnownKeys runs the rule on a broker whose tags have every key known and one
// value unknown, as the sources record it.
func TestMQG011ReadsKnownKeys(t *testing.T) {
	aRun(t, mqg011, []aCase{
		{name: "missing key fails, value unknown elsewhere", b: aBroker(model.EngineActiveMQ, aValueUnknownTags([]string{"owner"}, "application", "orders")),
			want: []Status{Fail}, subjects: []string{"tag:data-sensitivity"}, from: aState(model.Explicit)},
		{name: "only a value unknown", b: aBroker(model.EngineActiveMQ, aValueUnknownTags([]string{"owner"}, "application", "orders", "data-sensitivity", "internal")),
			want: []Status{Unknown}, at: aRange(aAt(41)), contains: "value of the required tag owner"},
	})
}
