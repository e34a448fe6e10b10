package rules

import (
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// aAt is a line of main.tf.
func aAt(line int) model.Range { return model.Range{File: "main.tf", StartLine: line, EndLine: line} }

// aBroker is a private Terraform broker of the engine with every attribute decided (explicit or
// default), no users, no security groups and no tags; mods adjust it. An empty engine is Unknown.
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

// aVersion sets an explicit engine version.
func aVersion(v string) func(*model.Broker) {
	return func(b *model.Broker) { b.EngineVersion = model.ExplicitString(v, aAt(4)) }
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

// bUser is a user with an explicit name and a password from a variable without default.
func bUser(name string, line int) model.User {
	return model.User{
		Username:      model.ExplicitString(name, aAt(line)),
		Password:      model.Secret{Origin: model.SecretInput, At: aAt(line + 1)},
		ConsoleAccess: model.DefaultBool(false, aAt(line)),
		Groups:        model.StringList{State: model.Default, At: aAt(line)},
		At:            aAt(line),
	}
}

// bUsers sets the broker's users.
func bUsers(users ...model.User) func(*model.Broker) {
	return func(b *model.Broker) { b.Users = users }
}

// bNamedUsers appends a bUser per name, two lines apart from line 10; the name "?" is an unknown
// username.
func bNamedUsers(names ...string) func(*model.Broker) {
	return func(b *model.Broker) {
		for i, n := range names {
			u := bUser(n, 10+2*i)
			if n == "?" {
				u.Username = model.UnknownString(aAt(10 + 2*i))
			}
			b.Users = append(b.Users, u)
		}
	}
}

// bPublic makes the broker explicitly public (or private).
func bPublic(v bool) func(*model.Broker) {
	return func(b *model.Broker) { b.PubliclyAccessible = model.ExplicitBool(v, aAt(6)) }
}

// bConfig attaches a resolved configuration with a parsed ActiveMQ document.
func bConfig(doc *model.ActiveMQConfig) func(*model.Broker) {
	return func(b *model.Broker) {
		c := bConfiguration(doc)
		c.UsedBy = 1
		b.Configuration = &model.ConfigurationRef{ID: model.ExplicitString("c-123", aAt(8)), Config: c, At: aAt(8)}
	}
}

// bUnresolvedConfig makes the broker use a configuration that could not be resolved.
func bUnresolvedConfig(b *model.Broker) {
	b.Configuration = &model.ConfigurationRef{At: aAt(8)}
}

// bConfiguration is an ActiveMQ configuration resource whose body is doc (nil: body unreadable).
func bConfiguration(doc *model.ActiveMQConfig) *model.Configuration {
	c := &model.Configuration{
		ID: model.Identity{Source: model.SourceTerraform, Address: "aws_mq_configuration.example",
			Type: "aws_mq_configuration", At: aAt(50)},
		Name:     model.ExplicitString("orders-config", aAt(51)),
		Engine:   model.ExplicitString(model.EngineActiveMQ, aAt(52)),
		Data:     model.Explicit,
		DataAt:   aAt(55),
		ActiveMQ: doc,
		Tags:     model.Tags{V: map[string]string{}, State: model.Default, At: aAt(50)},
	}
	if doc == nil {
		c.Data = model.Unknown
	}
	return c
}

// bConnector is a network connector with an explicit name and URI written at line.
func bConnector(name, uri string, line int) model.NetworkConnector {
	return model.NetworkConnector{Name: model.ExplicitString(name, aAt(line)), URI: model.ExplicitString(uri, aAt(line)), At: aAt(line)}
}
