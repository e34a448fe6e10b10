package rules

import (
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

// cLDAP declares LDAP authentication with the hosts.
func cLDAP(hosts model.StringList) func(*model.Broker) {
	return func(b *model.Broker) {
		b.AuthStrategy = model.ExplicitString("LDAP", aAt(6))
		b.LDAP = &model.LDAP{Hosts: hosts, At: aAt(40)}
	}
}

// cHosts is a known list of LDAP hosts written at line 41.
func cHosts(hosts ...string) model.StringList {
	return model.StringList{V: hosts, State: model.Explicit, At: aAt(41)}
}

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
