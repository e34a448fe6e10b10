package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG030AdministratorCount(t *testing.T) {
	admins := func(n int) []model.BrokerUser {
		var out []model.BrokerUser
		for i := 0; i < n; i++ {
			out = append(out, sTagged("ops"+string(rune('a'+i)), 30+i, "administrator"))
		}
		return out
	}
	apps := func(n int) []model.BrokerUser {
		var out []model.BrokerUser
		for i := 0; i < n; i++ {
			out = append(out, sTagged("app"+string(rune('a'+i)), 50+i, "management"))
		}
		return out
	}
	rabbit := func(users ...[]model.BrokerUser) *model.Broker {
		b := sBroker(model.EngineRabbitMQ)
		for _, u := range users {
			b.SelfManaged.Users = append(b.SelfManaged.Users, u...)
		}
		return b
	}
	untagged := sTagged("x", 60)
	untagged.Tags = model.StringList{State: model.Unknown, At: sAt(60)}
	loose := aCtx()
	loose.Settings.MaxAdministrators = 5
	aRun(t, mqg030, []aCase{
		{name: "one admin", b: rabbit(admins(1), apps(2)), want: []Status{Pass}},
		{name: "no admin", b: rabbit(apps(2)), want: []Status{Fail}, contains: "lock-out"},
		{name: "four admins", b: rabbit(admins(4), apps(6)), want: []Status{Fail}, at: aRange(sAt(33))},
		{name: "three of four", b: rabbit(admins(3), apps(1)), want: []Status{Fail}, contains: "3 of the broker's 4"},
		{name: "three of six", b: rabbit(admins(3), apps(3)), want: []Status{Pass}},
		{name: "two of three", b: rabbit(admins(2), apps(1)), want: []Status{Pass}},
		{name: "threshold setting", b: rabbit(admins(4), apps(6)), ctx: loose, want: []Status{Pass}},
		{name: "users unknown", b: sBroker(model.EngineRabbitMQ, sUnknownUsers), want: []Status{Unknown}},
		{name: "no users", b: sBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "tags unknown, no known admin", b: rabbit(apps(1), []model.BrokerUser{untagged}), want: []Status{Unknown}},
		{name: "tags unknown, one admin known", b: rabbit(admins(1), apps(3), []model.BrokerUser{untagged}), want: []Status{Pass}},
		{name: "activemq admin by group", b: sBroker(model.EngineActiveMQ, sUsers(sGrouped("ops", "users.properties", 30, "admins"),
			sGrouped("orders", "users.properties", 31, "orders"))), want: []Status{Pass}},
		{name: "activemq admin by name across realms counted once", b: sBroker(model.EngineActiveMQ, sUsers(
			sGrouped("admin", "users.properties", 30, "admins"), sGrouped("admin", "jetty-realm.properties", 31, "admin"),
			sGrouped("admin", "jmx.password", 32), sGrouped("system", "credentials.properties", 33),
			sGrouped("orders", "users.properties", 34, "orders"))), want: []Status{Pass}, contains: "1 of the broker's 2"},
		{name: "activemq no admin", b: sBroker(model.EngineActiveMQ, sUsers(sGrouped("orders", "users.properties", 31, "orders"))),
			want: []Status{Fail}},
		{name: "amazon activemq without admin is not locked out", b: aBroker(model.EngineActiveMQ, bNamedUsers("orders-app", "billing-app")),
			want: []Status{Pass}, contains: "Amazon MQ's API"},
		{name: "amazon activemq sprawl", b: aBroker(model.EngineActiveMQ, bNamedUsers("a-admin", "b-admin", "c-admin", "d-admin", "app")),
			want: []Status{Fail}},
		{name: "amazon activemq admin", b: aBroker(model.EngineActiveMQ, bNamedUsers("mq-admin", "billing-app")), want: []Status{Pass}},
		{name: "amazon rabbitmq", b: aBroker(model.EngineRabbitMQ, bNamedUsers("app")), want: []Status{NotApplicable}},
	})
}
