package rules

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// aAt is a line of main.tf.
func aAt(line int) model.Range { return model.Range{File: "main.tf", StartLine: line, EndLine: line} }

// aBroker is a Terraform broker of the engine with every attribute decided (explicit or default)
// and no tags; mods adjust it. An empty engine is Unknown.
func aBroker(engine string, mods ...func(*model.Broker)) *model.Broker {
	version := "5.18"
	if engine == model.EngineRabbitMQ {
		version = "3.13"
	}
	b := &model.Broker{
		ID: model.Identity{Source: model.SourceTerraform, Address: "aws_mq_broker.example",
			Type: "aws_mq_broker", At: aAt(1)},
		Name:               model.ExplicitString("orders", aAt(2)),
		Engine:             model.ExplicitString(engine, aAt(3)),
		EngineVersion:      model.ExplicitString(version, aAt(4)),
		DeploymentMode:     model.DefaultString(modeSingleInstanceForTest, aAt(1)),
		HostInstanceType:   model.ExplicitString("mq.m5.large", aAt(5)),
		PubliclyAccessible: model.DefaultBool(false, aAt(1)),
		AutoMinorUpgrade:   model.DefaultBool(false, aAt(1)),
		Encryption: model.Encryption{
			UseAWSOwnedKey: model.DefaultBool(true, aAt(1)),
			KMSKeyID:       model.DefaultString("", aAt(1)),
		},
		Logs: model.Logs{
			General: model.DefaultBool(false, aAt(1)),
			Audit:   model.DefaultBool(false, aAt(1)),
		},
		UsersState:          model.Explicit,
		SecurityGroupsState: model.Default,
		Tags:                model.Tags{V: map[string]string{}, State: model.Default, At: aAt(1)},
	}
	if engine == "" {
		b.Engine = model.UnknownString(aAt(3))
	}
	for _, m := range mods {
		m(b)
	}
	return b
}

const modeSingleInstanceForTest = "SINGLE_INSTANCE"

// aTags sets explicit tags (key, value pairs).
func aTags(kv ...string) func(*model.Broker) {
	return func(b *model.Broker) {
		b.Tags = model.Tags{V: map[string]string{}, KeyAt: map[string]model.Range{}, State: model.Explicit, At: aAt(30)}
		for i := 0; i+1 < len(kv); i += 2 {
			b.Tags.V[kv[i]] = kv[i+1]
			b.Tags.KeyAt[kv[i]] = aAt(31 + i/2)
		}
	}
}

// aUnknownTags marks the tags as partly unknown, keeping the known pairs.
func aUnknownTags(kv ...string) func(*model.Broker) {
	return func(b *model.Broker) {
		aTags(kv...)(b)
		b.Tags.State = model.Unknown
	}
}

// aCtx is the default context judged on 2026-11-22.
func aCtx() *Context {
	return &Context{AsOf: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Settings: DefaultSettings()}
}

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
			if st := AppliesToEngine(r, tc.b); st != Pass {
				res = []Result{{Status: st}}
			} else {
				res = r.Check(tc.b, ctx)
				aCheckInvariants(t, res)
			}
			var got []Status
			for _, x := range res {
				got = append(got, x.Status)
			}
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
