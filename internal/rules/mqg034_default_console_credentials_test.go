package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG034DefaultConsoleCredentials(t *testing.T) {
	def := func(name, realm string, line int) model.BrokerUser {
		u := sGrouped(name, realm, line, name)
		u.DefaultPassword = true
		return u
	}
	console := func(tested bool, accepted ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.SelfManaged.Console = &model.ConsoleProbe{URL: "http://mq:8161", DefaultCredentials: accepted, DefaultCredentialsTested: tested}
		}
	}
	aRun(t, mqg034, []aCase{
		{name: "amazon broker", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "changed passwords", b: sBroker(model.EngineActiveMQ, sUsers(sGrouped("admin", "jetty-realm.properties", 30, "admin"))),
			want: []Status{Pass}},
		{name: "stock realms", b: sBroker(model.EngineActiveMQ, sUsers(def("admin", "jetty-realm.properties", 30), def("user", "jetty-realm.properties", 31),
			def("admin", "jmx.password", 40), def("system", "credentials.properties", 50))),
			want:     []Status{Fail, Fail, Fail, Fail},
			subjects: []string{"jetty-realm.properties:admin", "jetty-realm.properties:user", "jmx.password:admin", "credentials.properties:system"}},
		{name: "default in another realm is not this rule's", b: sBroker(model.EngineActiveMQ, sUsers(def("admin", "simpleAuthenticationPlugin", 30))),
			want: []Status{Pass}},
		{name: "users unknown", b: sBroker(model.EngineActiveMQ, sUnknownUsers), want: []Status{Unknown}},
		{name: "probe accepted admin", b: sBroker(model.EngineActiveMQ, sProbe, sUnknownUsers, console(true, "admin")),
			want: []Status{Fail}, subjects: []string{"probe:admin"}},
		{name: "probe refused", b: sBroker(model.EngineActiveMQ, sProbe, sUnknownUsers, console(true)), want: []Status{Pass}},
		{name: "probe did not try", b: sBroker(model.EngineActiveMQ, sProbe, sUnknownUsers, console(false)), want: []Status{NotApplicable}},
	})
}
