package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func sJMX(enabled, auth model.Bool, host model.String) *model.JMXConnector {
	return &model.JMXConnector{Enabled: enabled, Authenticated: auth, Host: host, At: sAt(15)}
}

func TestMQG033RemoteJMX(t *testing.T) {
	on, off := model.ExplicitBool(true, sAt(15)), model.ExplicitBool(false, sAt(15))
	withMC := func(c *model.JMXConnector) func(*model.Broker) {
		return func(b *model.Broker) { b.SelfManaged.ActiveMQ.ManagementContext = c }
	}
	withAgent := func(c *model.JMXConnector) func(*model.Broker) {
		return func(b *model.Broker) { b.SelfManaged.ActiveMQ.JVMAgent = c }
	}
	all, local := model.DefaultString("", sAt(15)), model.ExplicitString("127.0.0.1", sAt(15))
	aRun(t, mqg033, []aCase{
		{name: "amazon broker", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "rabbitmq", b: sBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "connector off", b: sBroker(model.EngineActiveMQ, withMC(sJMX(off, model.DefaultBool(false, sAt(15)), all))), want: []Status{Pass}},
		{name: "on, no auth, all interfaces", b: sBroker(model.EngineActiveMQ, withMC(sJMX(on, model.DefaultBool(false, sAt(15)), all))),
			want: []Status{Fail, Fail}, subjects: []string{"managementContext", "managementContext:host"}},
		{name: "on, authenticated, loopback", b: sBroker(model.EngineActiveMQ, withMC(sJMX(on, on, local))), want: []Status{Pass}},
		{name: "on, authenticated, remote", b: sBroker(model.EngineActiveMQ, withMC(sJMX(on, on, model.ExplicitString("0.0.0.0", sAt(15))))),
			want: []Status{Fail}, contains: "every interface"},
		{name: "bare managementContext on 5.15", b: sBroker(model.EngineActiveMQ, sVersion("5.15.9"),
			withMC(sJMX(model.DefaultBool(true, sAt(15)), model.DefaultBool(false, sAt(15)), all))), want: []Status{Fail, Fail}, from: aState(model.Default)},
		{name: "bare managementContext, version unknown", b: sBroker(model.EngineActiveMQ,
			withMC(sJMX(model.UnknownBool(sAt(15)), model.DefaultBool(false, sAt(15)), all))), want: []Status{Unknown}},
		{name: "no managementContext on 5.15", b: sBroker(model.EngineActiveMQ, sVersion("5.15.16")), want: []Status{Fail, Fail}},
		{name: "no managementContext on 5.18", b: sBroker(model.EngineActiveMQ, sVersion("5.18.6")), want: []Status{Pass}},
		{name: "no managementContext, version unknown", b: sBroker(model.EngineActiveMQ), want: []Status{Unknown}},
		{name: "auth unknown", b: sBroker(model.EngineActiveMQ, withMC(sJMX(on, model.UnknownBool(sAt(15)), local))), want: []Status{Unknown}},
		{name: "JVM agent without auth", b: sBroker(model.EngineActiveMQ, withMC(sJMX(off, off, all)), withAgent(sJMX(on, off, all))),
			want: []Status{Fail}, subjects: []string{"jmxremote"}},
		{name: "JVM agent authenticated", b: sBroker(model.EngineActiveMQ, withMC(sJMX(off, off, all)), withAgent(sJMX(on, on, all))),
			want: []Status{Pass}},
		{name: "probe", b: sBroker(model.EngineActiveMQ, sProbe, func(b *model.Broker) { b.SelfManaged.ActiveMQ = nil }),
			want: []Status{NotApplicable}},
	})
}
