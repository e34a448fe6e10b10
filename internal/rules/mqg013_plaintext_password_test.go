package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG013PlaintextPassword(t *testing.T) {
	origin := func(u model.User, o model.SecretOrigin) model.User {
		u.Password.Origin = o
		if o == model.SecretLiteral {
			u.Password.LiteralAt = model.Range{File: "terraform.tfvars", StartLine: 3}
		}
		return u
	}
	source := func(k model.SourceKind) func(*model.Broker) { return func(b *model.Broker) { b.ID.Source = k } }
	ldap := func(o model.SecretOrigin) func(*model.Broker) {
		return func(b *model.Broker) {
			b.LDAP = &model.LDAP{Hosts: model.StringList{V: []string{"ldaps://ldap.example.com"}, State: model.Explicit},
				ServiceAccountPassword: model.Secret{Origin: o, At: aAt(40)}, At: aAt(39)}
		}
	}
	repl := origin(bUser("repl", 20), model.SecretLiteral)
	repl.ReplicationUser = model.ExplicitBool(true, aAt(21))
	noName := origin(bUser("", 20), model.SecretLiteral)
	noName.Username = model.UnknownString(aAt(20))
	noLiteralAt := origin(bUser("app", 10), model.SecretLiteral)
	noLiteralAt.Password.LiteralAt = model.Range{}

	tests := []struct {
		name     string
		b        *model.Broker
		want     []Status
		subjects []string
		msg      string
	}{
		{"no users", aBroker(model.EngineActiveMQ), []Status{Pass}, nil, ""},
		{"input", aBroker(model.EngineActiveMQ, bUsers(bUser("app", 10))), []Status{Pass}, nil, ""},
		{"store, generated, ephemeral, absent", aBroker(model.EngineRabbitMQ, bUsers(
			origin(bUser("a", 10), model.SecretStore), origin(bUser("b", 12), model.SecretGenerated),
			origin(bUser("c", 14), model.SecretEphemeral), origin(bUser("d", 16), model.SecretAbsent))), []Status{Pass}, nil, ""},
		{"literal", aBroker(model.EngineActiveMQ, bUsers(origin(bUser("app", 10), model.SecretLiteral))),
			[]Status{Fail}, []string{"app"}, "The password of user 'app' is a literal written in terraform.tfvars:3."},
		{"literal without location", aBroker(model.EngineActiveMQ, bUsers(noLiteralAt)),
			[]Status{Fail}, nil, "The password of user 'app' is a literal written in the code."},
		{"personal data in the name", aBroker(model.EngineActiveMQ, bUsers(origin(bUser("ops-jane.doe@example.com", 10), model.SecretLiteral))),
			[]Status{Fail}, []string{"ops-jane.doe@example.com"}, "The password of user 'o***@e***.com' is a literal written in terraform.tfvars:3."},
		{"replication user", aBroker(model.EngineActiveMQ, bUsers(repl)), []Status{Fail}, []string{"repl"},
			"The password of replication user 'repl' is a literal written in terraform.tfvars:3."},
		{"unnamed user", aBroker(model.EngineActiveMQ, bUsers(noName)), []Status{Fail}, []string{"user#1"}, ""},
		{"two literals", aBroker(model.EngineActiveMQ, bUsers(origin(bUser("a", 10), model.SecretLiteral),
			bUser("b", 12), origin(bUser("c", 14), model.SecretLiteral))), []Status{Fail, Fail}, []string{"a", "c"}, ""},
		{"unknown origin", aBroker(model.EngineActiveMQ, bUsers(origin(bUser("app", 10), model.SecretUnknown))), []Status{Unknown}, nil, ""},
		{"unknown and literal", aBroker(model.EngineActiveMQ, bUsers(origin(bUser("a", 10), model.SecretUnknown),
			origin(bUser("b", 12), model.SecretLiteral))), []Status{Fail}, []string{"b"}, ""},
		{"user list unknown", aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil, ""},
		{"ldap literal", aBroker(model.EngineActiveMQ, ldap(model.SecretLiteral)), []Status{Fail}, []string{"ldap-service-account"}, ""},
		{"ldap from store", aBroker(model.EngineActiveMQ, ldap(model.SecretStore)), []Status{Pass}, nil, ""},
		{"ldap metadata not read", aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.LDAPUnread = true }), []Status{Unknown}, nil, ""},
		{"ldap metadata not read, literal user", aBroker(model.EngineActiveMQ, bUsers(origin(bUser("app", 10), model.SecretLiteral)),
			func(b *model.Broker) { b.LDAPUnread = true }), []Status{Fail}, []string{"app"}, ""},
		{"cloudformation literal", aBroker(model.EngineActiveMQ, source(model.SourceCloudFormation),
			bUsers(origin(bUser("app", 10), model.SecretLiteral))), []Status{Fail}, nil, ""},
		{"live", aBroker(model.EngineActiveMQ, source(model.SourceAWS), bUsers(origin(bUser("app", 10), model.SecretLiteral))),
			[]Status{NotApplicable}, nil, ""},
		{"plan", aBroker(model.EngineActiveMQ, source(model.SourceTFPlan)), []Status{NotApplicable}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bRun(mqg013, tt.b)
			bCheckResults(t, got, tt.want, tt.subjects)
			if tt.msg != "" && got[0].Message != tt.msg {
				t.Errorf("message = %q, want %q", got[0].Message, tt.msg)
			}
		})
	}
}
