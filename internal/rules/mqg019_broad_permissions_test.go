package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG019BroadPermissions(t *testing.T) {
	user := func(name string, console bool, groups ...string) model.User {
		u := bUser(name, 10)
		u.ConsoleAccess = model.ExplicitBool(console, bAt(11))
		if groups != nil {
			u.Groups = model.StringList{V: groups, State: model.Explicit, At: bAt(12)}
		}
		return u
	}
	users := func(us ...model.User) func(*model.Broker) { return func(b *model.Broker) { b.Users = us } }
	entry := func(kind, dest string, write, admin []string) model.AuthorizationEntry {
		return model.AuthorizationEntry{Kind: kind, Destination: dest, Read: []string{"users"}, Write: write, Admin: admin, At: bAt(70)}
	}
	entries := func(es ...model.AuthorizationEntry) func(*model.Broker) {
		return bConfig(&model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{
			Map: &model.AuthorizationMap{Entries: es}}})
	}
	consoleUnknown := user("app", false)
	consoleUnknown.ConsoleAccess = model.UnknownBool(bAt(11))
	groupsUnknown := user("app", true)
	groupsUnknown.Groups = model.StringList{State: model.Unknown, At: bAt(12)}

	tests := []struct {
		name     string
		b        *model.Broker
		want     []Status
		subjects []string
	}{
		{"rabbitmq", bBroker(model.EngineRabbitMQ, users(user("app", true))), []Status{NotApplicable}, nil},
		{"engine unknown", bBroker(""), []Status{Unknown}, nil},
		{"no console access", bBroker(model.EngineActiveMQ, users(user("app", false, "orders"))), []Status{Pass}, nil},
		{"admin with console", bBroker(model.EngineActiveMQ, users(user("ops", true, "Admins"))), []Status{Pass}, nil},
		{"app with console", bBroker(model.EngineActiveMQ, users(user("app", true, "orders"))), []Status{Fail}, []string{"app"}},
		{"console, no groups", bBroker(model.EngineActiveMQ, users(user("app", true))), []Status{Fail}, nil},
		{"webconsole group without console flag", bBroker(model.EngineActiveMQ, users(user("app", false, "activemq-webconsole"))), []Status{Fail}, nil},
		{"console unknown", bBroker(model.EngineActiveMQ, users(consoleUnknown)), []Status{Unknown}, nil},
		{"console unknown, in webconsole group", bBroker(model.EngineActiveMQ, func(b *model.Broker) {
			u := consoleUnknown
			u.Groups = model.StringList{V: []string{"activemq-webconsole"}, State: model.Explicit}
			b.Users = []model.User{u}
		}), []Status{Fail}, nil},
		{"groups unknown with console", bBroker(model.EngineActiveMQ, users(groupsUnknown)), []Status{Unknown}, nil},
		{"users unknown", bBroker(model.EngineActiveMQ, func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil},
		{"entry for admins only", bBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"admins"}, []string{"admins"}))), []Status{Pass}, nil},
		{"entry on own destinations", bBroker(model.EngineActiveMQ, entries(entry("queue", "orders.>", []string{"users"}, []string{"users"}))), []Status{Pass}, nil},
		{"advisory topics for everyone", bBroker(model.EngineActiveMQ, entries(entry("topic", "ActiveMQ.Advisory.>", []string{"everyone"}, []string{"everyone"}))), []Status{Pass}, nil},
		{"temp destinations", bBroker(model.EngineActiveMQ, entries(entry("temp", ">", []string{"users"}, []string{"users"}))), []Status{Pass}, nil},
		{"write to users on >", bBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"admins", "users"}, []string{"admins"}))),
			[]Status{Fail}, []string{"authorizationEntry:queue:>"}},
		{"admin to * on topics", bBroker(model.EngineActiveMQ, entries(entry("topic", " > ", nil, []string{"*"}))), []Status{Fail}, nil},
		{"comma list", bBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"admins,Guests"}, nil))), []Status{Fail}, nil},
		{"anonymous and everyone", bBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"anonymous"}, nil),
			entry("topic", ">", []string{"everyone"}, nil))), []Status{Fail, Fail}, nil},
		{"read only", bBroker(model.EngineActiveMQ, entries(entry("queue", ">", nil, nil))), []Status{Pass}, nil},
		{"configuration body unknown", bBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
		{"configuration body unknown, console user", bBroker(model.EngineActiveMQ, bConfig(nil), users(user("app", true))), []Status{Fail}, nil},
		{"configuration user in webconsole", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{Users: []model.ConfigUser{
			{Username: model.ExplicitString("app", bAt(80)), Groups: []string{"users", "activemq-webconsole"}, At: bAt(80)},
			{Username: model.ExplicitString("ops", bAt(81)), Groups: []string{"admins", "activemq-webconsole"}, At: bAt(81)}}})),
			[]Status{Fail}, []string{"config-user:app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg019, tt.b), tt.want, tt.subjects)
		})
	}

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{
			Map: &model.AuthorizationMap{Entries: []model.AuthorizationEntry{entry("queue", ">", []string{"users"}, nil)}}}})
		bCheckResults(t, mqg019.CheckConfiguration(c, bCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg019.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), bCtx()), []Status{Pass}, nil)
	})
}
