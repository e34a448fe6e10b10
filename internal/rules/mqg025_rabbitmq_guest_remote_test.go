package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG025GuestRemote(t *testing.T) {
	guest := sTagged("guest", 30, "administrator")
	guest.DefaultPassword = true
	console := func(tested bool, accepted ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.SelfManaged.Console = &model.ConsoleProbe{URL: "https://mq.example.com:15671", DefaultCredentials: accepted, DefaultCredentialsTested: tested}
		}
	}
	unread := func(b *model.Broker) { b.SelfManaged.RabbitMQ.ConfState = model.Unknown }
	aRun(t, mqg025, []aCase{
		{name: "activemq", b: sBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "amazon broker", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "default loopback restricts guest", b: sBroker(model.EngineRabbitMQ, sUsers(guest)), want: []Status{Pass}, from: aState(model.Default)},
		{name: "loopback_users none", b: sBroker(model.EngineRabbitMQ, sUsers(guest), sConf("loopback_users", "none")),
			want: []Status{Fail}, contains: "default password", at: aRange(sAt(10))},
		{name: "loopback_users.guest false", b: sBroker(model.EngineRabbitMQ, sUsers(guest), sConf("loopback_users.guest", "false")),
			want: []Status{Fail}, from: aState(model.Explicit)},
		{name: "another loopback user replaces the default", b: sBroker(model.EngineRabbitMQ, sUsers(guest), sConf("loopback_users.ops", "true")),
			want: []Status{Fail}},
		{name: "no guest user", b: sBroker(model.EngineRabbitMQ, sUsers(sTagged("ops", 30, "administrator")), sConf("loopback_users", "none")),
			want: []Status{Pass}},
		{name: "users unknown, guest open", b: sBroker(model.EngineRabbitMQ, sUnknownUsers, sConf("loopback_users", "none")),
			want: []Status{Fail}},
		{name: "default_user guest", b: sBroker(model.EngineRabbitMQ, sConf("default_user", "guest", "default_pass", "guest")),
			want: []Status{Fail, Fail}, subjects: []string{"default_user", "default_pass"}},
		{name: "conf unread", b: sBroker(model.EngineRabbitMQ, unread), want: []Status{Unknown}},
		{name: "probe accepted guest", b: sBroker(model.EngineRabbitMQ, sProbe, unread, console(true, "guest")), want: []Status{Fail}},
		{name: "probe refused guest", b: sBroker(model.EngineRabbitMQ, sProbe, unread, console(true)), want: []Status{Pass}},
		{name: "probe did not try", b: sBroker(model.EngineRabbitMQ, sProbe, unread, console(false)), want: []Status{Unknown}},
	})
}
