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
