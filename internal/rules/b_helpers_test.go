package rules

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// bAt is a line of main.tf.
func bAt(line int) model.Range { return model.Range{File: "main.tf", StartLine: line, EndLine: line} }

// bBroker is a private Terraform broker of the engine with explicit values, no users, no
// security groups and no tags; mods adjust it.
func bBroker(engine string, mods ...func(*model.Broker)) *model.Broker {
	version := "5.18"
	if engine == model.EngineRabbitMQ {
		version = "3.13"
	}
	b := &model.Broker{
		ID: model.Identity{Source: model.SourceTerraform, Address: "aws_mq_broker.example",
			Type: "aws_mq_broker", At: bAt(1)},
		Name:                model.ExplicitString("orders", bAt(2)),
		Engine:              model.ExplicitString(engine, bAt(3)),
		EngineVersion:       model.ExplicitString(version, bAt(4)),
		HostInstanceType:    model.ExplicitString("mq.m5.large", bAt(5)),
		PubliclyAccessible:  model.DefaultBool(false, bAt(1)),
		UsersState:          model.Explicit,
		SecurityGroupsState: model.Default,
		Tags:                model.Tags{V: map[string]string{}, State: model.Default, At: bAt(1)},
	}
	if engine == "" {
		b.Engine = model.UnknownString(bAt(3))
	}
	for _, m := range mods {
		m(b)
	}
	return b
}

// bUser is a user with an explicit name and a password from a variable without default.
func bUser(name string, line int) model.User {
	return model.User{
		Username:      model.ExplicitString(name, bAt(line)),
		Password:      model.Secret{Origin: model.SecretInput, At: bAt(line + 1)},
		ConsoleAccess: model.DefaultBool(false, bAt(line)),
		Groups:        model.StringList{State: model.Default, At: bAt(line)},
		At:            bAt(line),
	}
}

// bTags sets explicit tags.
func bTags(kv ...string) func(*model.Broker) {
	return func(b *model.Broker) {
		b.Tags = model.Tags{V: map[string]string{}, KeyAt: map[string]model.Range{}, State: model.Explicit, At: bAt(30)}
		for i := 0; i+1 < len(kv); i += 2 {
			b.Tags.V[kv[i]] = kv[i+1]
			b.Tags.KeyAt[kv[i]] = bAt(31 + i/2)
		}
	}
}

// bPublic makes the broker explicitly public (or private).
func bPublic(v bool) func(*model.Broker) {
	return func(b *model.Broker) { b.PubliclyAccessible = model.ExplicitBool(v, bAt(6)) }
}

// bConfig attaches a resolved configuration with a parsed ActiveMQ document.
func bConfig(doc *model.ActiveMQConfig) func(*model.Broker) {
	return func(b *model.Broker) {
		c := bConfiguration(doc)
		c.UsedBy = 1
		b.Configuration = &model.ConfigurationRef{ID: model.ExplicitString("c-123", bAt(8)), Config: c, At: bAt(8)}
	}
}

// bConfiguration is an ActiveMQ configuration resource whose body is doc (nil: body unreadable).
func bConfiguration(doc *model.ActiveMQConfig) *model.Configuration {
	c := &model.Configuration{
		ID: model.Identity{Source: model.SourceTerraform, Address: "aws_mq_configuration.example",
			Type: "aws_mq_configuration", At: bAt(50)},
		Name:     model.ExplicitString("orders-config", bAt(51)),
		Engine:   model.ExplicitString(model.EngineActiveMQ, bAt(52)),
		Data:     model.Explicit,
		DataAt:   bAt(55),
		ActiveMQ: doc,
		Tags:     model.Tags{V: map[string]string{}, State: model.Default, At: bAt(50)},
	}
	if doc == nil {
		c.Data = model.Unknown
	}
	return c
}

// bCtx is a context with the default settings.
func bCtx() *Context {
	return &Context{Inventory: &model.Inventory{}, Settings: DefaultSettings()}
}

// bRun runs a rule the way the engine does: engine applicability first, then Check.
func bRun(r *Rule, b *model.Broker) []Result {
	if st := AppliesToEngine(r, b); st != Pass {
		return []Result{{Status: st, Message: "engine applicability"}}
	}
	return r.Check(b, bCtx())
}

// bStatuses lists the statuses of results.
func bStatuses(rs []Result) []Status {
	out := make([]Status, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// bCheckResults checks statuses and subjects, and that no message holds a forbidden string.
func bCheckResults(t *testing.T, got []Result, want []Status, subjects []string, forbidden ...string) {
	t.Helper()
	if gs := bStatuses(got); !equalStatuses(gs, want) {
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

func equalStatuses(a, b []Status) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBRulesMetadata checks the metadata every rule of MQG012-MQG021 must carry.
func TestBRulesMetadata(t *testing.T) {
	for _, r := range []*Rule{mqg012, mqg013, mqg014, mqg015, mqg016, mqg017, mqg018, mqg019, mqg020, mqg021} {
		if r.ID == "" || r.Slug == "" || r.Title == "" || r.Rationale == "" || r.Check == nil {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
		for _, k := range []model.SourceKind{model.SourceTerraform, model.SourceCloudFormation, model.SourceTFPlan, model.SourceAWS} {
			if r.Remediation[k] == "" {
				t.Errorf("%s: no remediation for %s", r.ID, k)
			}
		}
		var good, bad bool
		for _, e := range r.Examples {
			if e.Kind == "" || e.Address == "" || len(e.Files) == 0 || e.Note == "" {
				t.Errorf("%s: incomplete example %+v", r.ID, e)
			}
			if e.Kind != model.SourceTerraform {
				continue
			}
			good = good || e.Want == Pass || e.Want == NotApplicable
			bad = bad || e.Want == Fail
		}
		if !good || !bad {
			t.Errorf("%s: needs a good and a bad Terraform example", r.ID)
		}
	}
}
