package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// tTags is a partly unknown tag map at line 30: the known pairs kv (keys at 31, 32, ...) and the
// keys whose values are unknown (at 41, 42, ...). keysKnown says whether every key of the map is
// known.
func tTags(keysKnown bool, unknownValues []string, kv ...string) tagSet {
	b := aBroker(model.EngineActiveMQ, aUnknownTags(kv...))
	ts := tagSet{t: b.Tags, unknown: map[string]model.Range{}, keysKnown: keysKnown}
	for i, k := range unknownValues {
		ts.unknown[k] = aAt(41 + i)
	}
	return ts
}

func TestTagSetGet(t *testing.T) {
	known := readTags(aBroker(model.EngineActiveMQ, aTags("Owner", " team-a ", "app", "")).Tags)
	tests := []struct {
		name  string
		ts    tagSet
		key   string
		value string
		at    model.Range
		st    tagState
	}{
		{"known value, other casing, trimmed", known, "owner", "team-a", aAt(31), tagPresent},
		{"known empty value", known, "APP", "", aAt(32), tagPresent},
		{"absent from a known map", known, "env", "", aAt(30), tagAbsent},
		{"absent, keys known, a value unknown", tTags(true, []string{"owner"}, "app", "a"), "env", "", aAt(30), tagAbsent},
		{"absent, keys could hide it", tTags(false, nil, "app", "a"), "env", "", aAt(30), tagUndecided},
		{"value unknown", tTags(true, []string{"owner"}, "app", "a"), "OWNER", "", aAt(41), tagValueUnknown},
		{"value unknown wins over empty", tTags(true, []string{"Owner"}, "owner", ""), "owner", "", aAt(41), tagValueUnknown},
		{"known value wins over unknown", tTags(true, []string{"Owner"}, "owner", "x"), "owner", "x", aAt(31), tagPresent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, at, st := tc.ts.get(tc.key)
			if v != tc.value || at != tc.at || st != tc.st {
				t.Errorf("get(%q) = %q, %+v, %v; want %q, %+v, %v", tc.key, v, at, st, tc.value, tc.at, tc.st)
			}
		})
	}
}

func TestProduction(t *testing.T) {
	s := DefaultSettings()
	tests := []struct {
		name string
		ts   tagSet
		want Tri
		at   model.Range
	}{
		{"known production tag", readTags(aBroker("", aTags("owner", "a", "Stage", "LIVE")).Tags), Yes, aAt(32)},
		{"known other environment", readTags(aBroker("", aTags("env", "dev")).Tags), No, aAt(30)},
		{"no tags", readTags(aBroker("").Tags), No, aAt(1)},
		{"production tag decides whatever else is unknown", tTags(false, []string{"owner"}, "env", "prod"), Yes, aAt(31)},
		// The keys are known and none is an environment key: not production, even though a
		// value is unknown.
		{"keys known, no environment key, a value unknown", tTags(true, []string{"owner"}, "application", "orders"), No, aAt(30)},
		{"keys known, other environment, a value unknown", tTags(true, []string{"owner"}, "env", "dev"), No, aAt(30)},
		{"environment value unknown", tTags(true, []string{"Environment"}, "owner", "a"), Maybe, aAt(41)},
		{"keys could hide an environment key", tTags(false, nil, "owner", "a"), Maybe, aAt(30)},
		{"keys could hide another environment key", tTags(false, nil, "env", "dev"), Maybe, aAt(30)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, at := production(tc.ts, s)
			if got != tc.want || at != tc.at {
				t.Errorf("production = %v at %+v, want %v at %+v", got, at, tc.want, tc.at)
			}
		})
	}
}

// aValueUnknownTags sets tags whose keys are all known while the values of unknownKeys are not
// (tags = { owner = var.owner, ... }): the known pairs kv at lines 31, 32, ..., the unknown
// values at 41, 42, ...
func aValueUnknownTags(unknownKeys []string, kv ...string) func(*model.Broker) {
	return func(b *model.Broker) {
		aUnknownTags(kv...)(b)
		b.Tags.KeysKnown = true
		b.Tags.ValueUnknown = map[string]model.Range{}
		for i, k := range unknownKeys {
			b.Tags.ValueUnknown[k] = aAt(41 + i)
			b.Tags.KeyAt[k] = aAt(41 + i)
		}
	}
}

// TestProductionOnlyRulesOnKnownKeys runs the production-only rules on tags whose keys are all
// known although a value is not: with no environment key they are N/A, with an environment key
// whose value is unknown UNKNOWN.
func TestProductionOnlyRulesOnKnownKeys(t *testing.T) {
	noEnv := aValueUnknownTags([]string{"owner"}, "application", "orders")
	envUnknown := aValueUnknownTags([]string{"Environment"}, "application", "orders")
	micro := func(b *model.Broker) { b.HostInstanceType = model.ExplicitString("mq.t3.micro", aAt(5)) }
	for _, r := range []*Rule{mqg004, mqg021} {
		aRun(t, r, []aCase{
			{name: r.ID + " no environment key", b: aBroker(model.EngineActiveMQ, noEnv, micro), want: []Status{NotApplicable}, at: aRange(aAt(30))},
			{name: r.ID + " environment value unknown", b: aBroker(model.EngineActiveMQ, envUnknown, micro), want: []Status{Unknown}, at: aRange(aAt(41))},
			{name: r.ID + " keys unknown", b: aBroker(model.EngineActiveMQ, aUnknownTags("application", "orders"), micro), want: []Status{Unknown}, at: aRange(aAt(30))},
			{name: r.ID + " production, a value unknown", b: aBroker(model.EngineActiveMQ, aValueUnknownTags([]string{"owner"}, "env", "prod"), micro),
				want: []Status{Fail}},
		})
	}
	// An unused configuration is judged on its own tags the same way.
	c := aConfig(0)
	c.UsedBy = 0
	b := aBroker(model.EngineActiveMQ, noEnv)
	c.Tags = b.Tags
	if res := mqg004.CheckConfiguration(c, aCtx()); res[0].Status != NotApplicable {
		t.Errorf("unused configuration: %+v, want N/A", res)
	}
}
