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
	unnamed := func(console bool, groups ...string) model.User {
		u := user("", console, groups...)
		u.Username = model.UnknownString(aAt(10))
		return u
	}
	adminNamedGroupsUnknown := user("orders_admin", true)
	adminNamedGroupsUnknown.Groups = model.StringList{State: model.Unknown, At: aAt(12)}
	adminNamedConsoleUnknown := user("AdminUser", false, "orders")
	adminNamedConsoleUnknown.ConsoleAccess = model.UnknownBool(aAt(11))
	configUsers := func(us ...model.ConfigUser) func(*model.Broker) {
		return bConfig(&model.ActiveMQConfig{Users: us})
	}
	configUser := func(name model.String, groups ...string) model.ConfigUser {
		return model.ConfigUser{Username: name, Groups: groups, At: aAt(80)}
	}

	bRunCases(t, mqg019, []bCase{
		{"rabbitmq", aBroker(model.EngineRabbitMQ, bUsers(user("app", true))), []Status{NotApplicable}, nil},
		{"engine unknown", aBroker(""), []Status{Unknown}, nil},
		{"no console access", aBroker(model.EngineActiveMQ, bUsers(user("app", false, "orders"))), []Status{Pass}, nil},
		{"admin with console", aBroker(model.EngineActiveMQ, bUsers(user("ops", true, "Admins"))), []Status{Pass}, nil},
		{"administrators group with console", aBroker(model.EngineActiveMQ, bUsers(user("ops", true, "Administrators"))), []Status{Pass}, nil},
		// An administrator-named console user is the normal single-admin setup.
		{"admin-named console user", aBroker(model.EngineActiveMQ, bUsers(user("admin", true))), []Status{Pass}, nil},
		{"admin-named console user, other groups", aBroker(model.EngineActiveMQ, bUsers(user("Administrator", true, "orders"))), []Status{Pass}, nil},
		{"name ends with admin", aBroker(model.EngineActiveMQ, bUsers(user("orders_admin", true, "orders"), user("amq-ADMIN", true))), []Status{Pass}, nil},
		{"name ends with administrator", aBroker(model.EngineActiveMQ, bUsers(user("mq.administrator", true))), []Status{Pass}, nil},
		{"name starts with admin", aBroker(model.EngineActiveMQ, bUsers(user("AdminUser", true))), []Status{Pass}, nil},
		{"admin inside the name only", aBroker(model.EngineActiveMQ, bUsers(user("badminton", true))), []Status{Fail}, []string{"badminton"}},
		{"admin-named, groups unknown", aBroker(model.EngineActiveMQ, bUsers(adminNamedGroupsUnknown)), []Status{Pass}, nil},
		{"admin-named, console unknown", aBroker(model.EngineActiveMQ, bUsers(adminNamedConsoleUnknown)), []Status{Pass}, nil},
		{"admin-named in webconsole group", aBroker(model.EngineActiveMQ, bUsers(user("ops-admin", false, "activemq-webconsole"))), []Status{Pass}, nil},
		// A console user whose name cannot be resolved: only its groups can make it an administrator.
		{"unresolved name, console, no groups", aBroker(model.EngineActiveMQ, bUsers(unnamed(true))), []Status{Unknown}, nil},
		{"unresolved name, console, other groups", aBroker(model.EngineActiveMQ, bUsers(unnamed(true, "orders"))), []Status{Unknown}, nil},
		{"unresolved name, console, admins group", aBroker(model.EngineActiveMQ, bUsers(unnamed(true, "admins"))), []Status{Pass}, nil},
		{"unresolved name, no console", aBroker(model.EngineActiveMQ, bUsers(unnamed(false, "orders"))), []Status{Pass}, nil},
		{"unresolved name and a failing user", aBroker(model.EngineActiveMQ, bUsers(unnamed(true), user("app", true))), []Status{Fail}, []string{"app"}},
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
		{"configuration user's groups unresolved", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{Users: []model.ConfigUser{
			{Username: model.ExplicitString("app", aAt(80)), Groups: []string{"users"}, GroupsUnknown: true, At: aAt(80)}}})),
			[]Status{Unknown}, nil},
		{"configuration users named as administrators", aBroker(model.EngineActiveMQ, configUsers(
			configUser(model.ExplicitString("admin", aAt(80)), "activemq-webconsole"),
			configUser(model.ExplicitString("ops_administrator", aAt(80)), "users", "activemq-webconsole"),
			configUser(model.ExplicitString("ops", aAt(80)), "administrators", "activemq-webconsole"))),
			[]Status{Pass}, nil},
		{"configuration user without a name", aBroker(model.EngineActiveMQ, configUsers(
			configUser(model.UnknownString(aAt(80)), "users", "activemq-webconsole"))), []Status{Unknown}, nil},
	})

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{
			Map: &model.AuthorizationMap{Entries: []model.AuthorizationEntry{entry("queue", ">", []string{"users"}, nil)}}}})
		bCheckResults(t, mqg019.CheckConfiguration(c, aCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg019.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), aCtx()), []Status{Pass}, nil)
	})
}

func TestMQG019SelfManaged(t *testing.T) {
	perm := func(u model.BrokerUser, vhost, c, w, r string) model.BrokerUser {
		u.Permissions = append(u.Permissions, model.Permission{VHost: vhost, Configure: c, Write: w, Read: r, At: sAt(u.At.StartLine + 100)})
		return u
	}
	untagged := sTagged("x", 33)
	untagged.Tags = model.StringList{State: model.Unknown, At: sAt(33)}
	entry := func(write ...string) *model.ActiveMQConfig {
		return &model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{Map: &model.AuthorizationMap{
			Entries: []model.AuthorizationEntry{{Kind: "queue", Destination: ">", Read: []string{"admins"}, Write: write, Admin: []string{"admins"}, At: sAt(12)}}}}}
	}
	aRun(t, mqg019, []aCase{
		{name: "rabbit admin with everything", b: sBroker(model.EngineRabbitMQ, sUsers(perm(sTagged("ops", 30, "administrator"), "/", ".*", ".*", ".*"))),
			want: []Status{Pass}},
		{name: "rabbit app with everything", b: sBroker(model.EngineRabbitMQ, sUsers(
			perm(perm(sTagged("orders", 31, "management"), "/", ".*", ".*", ".*"), "billing", ".*", ".*", ".*"),
			perm(sTagged("billing", 32), "/", "^billing\\.", ".*", ".*"))),
			want: []Status{Fail}, subjects: []string{"orders"}, contains: "'/', 'billing'"},
		{name: "rabbit tags unknown", b: sBroker(model.EngineRabbitMQ, sUsers(perm(untagged, "/", ".*", ".*", ".*"))), want: []Status{Unknown}},
		{name: "rabbit users unknown", b: sBroker(model.EngineRabbitMQ, sUnknownUsers), want: []Status{Unknown}},
		{name: "activemq console non-admin", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(entry("admins")),
			sUsers(sGrouped("orders", "users.properties", 30, "orders", "activemq-webconsole"))),
			want: []Status{Fail}, subjects: []string{"users.properties:orders"}},
		{name: "activemq console admin", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(entry("admins")),
			sUsers(sGrouped("ops", "users.properties", 30, "admins", "activemq-webconsole"))), want: []Status{Pass}},
		{name: "activemq everyone writes >", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(entry("users"))),
			want: []Status{Fail}, subjects: []string{"authorizationEntry:queue:>"}},
		{name: "activemq users unknown", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(entry("admins")), sUnknownUsers), want: []Status{Unknown}},
		{name: "activemq no configuration read", b: sBroker(model.EngineActiveMQ, sProbe), want: []Status{Unknown}},
	})
}
