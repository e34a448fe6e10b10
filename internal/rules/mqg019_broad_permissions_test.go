package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG019BroadPermissions(t *testing.T) {
	user := func(name string, console bool, groups ...string) model.User {
		u := bUser(name, 10)
		u.ConsoleAccess = model.ExplicitBool(console, aAt(11))
		if groups != nil {
			u.Groups = model.StringList{V: groups, State: model.Explicit, At: aAt(12)}
		}
		return u
	}
	entry := func(kind, dest string, write, admin []string) model.AuthorizationEntry {
		return model.AuthorizationEntry{Kind: kind, Destination: dest, Read: []string{"users"}, Write: write, Admin: admin, At: aAt(70)}
	}
	entries := func(es ...model.AuthorizationEntry) func(*model.Broker) {
		return bConfig(&model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{
			Map: &model.AuthorizationMap{Entries: es}}})
	}
	consoleUnknown := user("app", false)
	consoleUnknown.ConsoleAccess = model.UnknownBool(aAt(11))
	groupsUnknown := user("app", true)
	groupsUnknown.Groups = model.StringList{State: model.Unknown, At: aAt(12)}

	bRunCases(t, mqg019, []bCase{
		{"rabbitmq", aBroker(model.EngineRabbitMQ, bUsers(user("app", true))), []Status{NotApplicable}, nil},
		{"engine unknown", aBroker(""), []Status{Unknown}, nil},
		{"no console access", aBroker(model.EngineActiveMQ, bUsers(user("app", false, "orders"))), []Status{Pass}, nil},
		{"admin with console", aBroker(model.EngineActiveMQ, bUsers(user("ops", true, "Admins"))), []Status{Pass}, nil},
		{"app with console", aBroker(model.EngineActiveMQ, bUsers(user("app", true, "orders"))), []Status{Fail}, []string{"app"}},
		{"console, no groups", aBroker(model.EngineActiveMQ, bUsers(user("app", true))), []Status{Fail}, nil},
		{"webconsole group without console flag", aBroker(model.EngineActiveMQ, bUsers(user("app", false, "activemq-webconsole"))), []Status{Fail}, nil},
		{"console unknown", aBroker(model.EngineActiveMQ, bUsers(consoleUnknown)), []Status{Unknown}, nil},
		{"console unknown, in webconsole group", aBroker(model.EngineActiveMQ, func(b *model.Broker) {
			u := consoleUnknown
			u.Groups = model.StringList{V: []string{"activemq-webconsole"}, State: model.Explicit}
			b.Users = []model.User{u}
		}), []Status{Fail}, nil},
		{"groups unknown with console", aBroker(model.EngineActiveMQ, bUsers(groupsUnknown)), []Status{Unknown}, nil},
		{"users unknown", aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil},
		{"entry for admins only", aBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"admins"}, []string{"admins"}))), []Status{Pass}, nil},
		{"entry on own destinations", aBroker(model.EngineActiveMQ, entries(entry("queue", "orders.>", []string{"users"}, []string{"users"}))), []Status{Pass}, nil},
		{"advisory topics for everyone", aBroker(model.EngineActiveMQ, entries(entry("topic", "ActiveMQ.Advisory.>", []string{"everyone"}, []string{"everyone"}))), []Status{Pass}, nil},
		{"temp destinations", aBroker(model.EngineActiveMQ, entries(entry("temp", ">", []string{"users"}, []string{"users"}))), []Status{Pass}, nil},
		{"write to users on >", aBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"admins", "users"}, []string{"admins"}))),
			[]Status{Fail}, []string{"authorizationEntry:queue:>"}},
		{"admin to * on topics", aBroker(model.EngineActiveMQ, entries(entry("topic", " > ", nil, []string{"*"}))), []Status{Fail}, nil},
		{"comma list", aBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"admins,Guests"}, nil))), []Status{Fail}, nil},
		{"anonymous and everyone", aBroker(model.EngineActiveMQ, entries(entry("queue", ">", []string{"anonymous"}, nil),
			entry("topic", ">", []string{"everyone"}, nil))), []Status{Fail, Fail}, nil},
		{"read only", aBroker(model.EngineActiveMQ, entries(entry("queue", ">", nil, nil))), []Status{Pass}, nil},
		{"configuration body unknown", aBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
		{"configuration body unknown, console user", aBroker(model.EngineActiveMQ, bConfig(nil), bUsers(user("app", true))), []Status{Fail}, nil},
		{"configuration user in webconsole", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{Users: []model.ConfigUser{
			{Username: model.ExplicitString("app", aAt(80)), Groups: []string{"users", "activemq-webconsole"}, At: aAt(80)},
			{Username: model.ExplicitString("ops", aAt(81)), Groups: []string{"admins", "activemq-webconsole"}, At: aAt(81)}}})),
			[]Status{Fail}, []string{"config-user:app"}},
	})

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{
			Map: &model.AuthorizationMap{Entries: []model.AuthorizationEntry{entry("queue", ">", []string{"users"}, nil)}}}})
		bCheckResults(t, mqg019.CheckConfiguration(c, aCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg019.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), aCtx()), []Status{Pass}, nil)
	})
}
