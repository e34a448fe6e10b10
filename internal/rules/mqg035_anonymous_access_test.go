package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG035AnonymousAccess(t *testing.T) {
	inst := func(f func(*model.ActiveMQInstall)) func(*model.Broker) {
		return func(b *model.Broker) { f(b.SelfManaged.ActiveMQ) }
	}
	plugins := func(names ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.SelfManaged.ActiveMQ.Authentication = nil
			for _, n := range names {
				b.SelfManaged.ActiveMQ.Authentication = append(b.SelfManaged.ActiveMQ.Authentication, model.PluginRef{Name: n, At: sAt(20)})
			}
		}
	}
	enabled := func(ps ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.Plugins = model.StringList{V: ps, State: model.Explicit, At: sAt(2)}
			b.SelfManaged.RabbitMQ.PluginsState = model.Explicit
		}
	}
	guest := sUsers(sTagged("guest", 30, "administrator"))
	aRun(t, mqg035, []aCase{
		{name: "amazon broker", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "jaas plugin", b: sBroker(model.EngineActiveMQ), want: []Status{Pass}},
		{name: "no authentication plugin", b: sBroker(model.EngineActiveMQ, plugins(), sActiveMQDoc(&model.ActiveMQConfig{})),
			want: []Status{Fail}, subjects: []string{"authentication"}},
		{name: "anonymousAccessAllowed", b: sBroker(model.EngineActiveMQ, plugins("simpleAuthenticationPlugin"),
			inst(func(i *model.ActiveMQInstall) { i.AnonymousAccessAllowed = model.ExplicitBool(true, sAt(21)) })),
			want: []Status{Fail}, at: aRange(sAt(21))},
		{name: "anonymousAccessAllowed unknown", b: sBroker(model.EngineActiveMQ, plugins("simpleAuthenticationPlugin"),
			inst(func(i *model.ActiveMQInstall) { i.AnonymousAccessAllowed = model.UnknownBool(sAt(21)) })), want: []Status{Unknown}},
		{name: "login.config unreadable", b: sBroker(model.EngineActiveMQ, inst(func(i *model.ActiveMQInstall) { i.LoginModulesState = model.Unknown })),
			want: []Status{Unknown}},
		{name: "login.config unreadable, no JAAS", b: sBroker(model.EngineActiveMQ, plugins("simpleAuthenticationPlugin"),
			inst(func(i *model.ActiveMQInstall) { i.LoginModulesState = model.Unknown })), want: []Status{Pass}},
		{name: "GuestLoginModule", b: sBroker(model.EngineActiveMQ, inst(func(i *model.ActiveMQInstall) {
			i.LoginModules = []model.LoginModule{{Entry: "activemq", Class: "org.apache.activemq.jaas.PropertiesLoginModule", At: sAt(2)},
				{Entry: "activemq", Class: "org.apache.activemq.jaas.GuestLoginModule", At: sAt(5)}}
		})), want: []Status{Fail}, at: aRange(sAt(5))},
		{name: "6.1.1 console api", b: sBroker(model.EngineActiveMQ, sVersion("6.1.1")), want: []Status{Fail}, subjects: []string{"CVE-2024-32114"}},
		{name: "6.1.2", b: sBroker(model.EngineActiveMQ, sVersion("6.1.2")), want: []Status{Pass}},
		{name: "activemq install unknown", b: sBroker(model.EngineActiveMQ, func(b *model.Broker) { b.SelfManaged.ActiveMQ = nil }),
			want: []Status{Unknown}},
		{name: "probe observation", b: sBroker(model.EngineActiveMQ, sProbe, func(b *model.Broker) {
			b.SelfManaged.ActiveMQ = nil
			b.SelfManaged.Anonymous = []model.Finding{{What: "STOMP CONNECT without login accepted", At: model.Range{Ref: "stomp://mq:61613"}}}
		}), want: []Status{Fail}},
		{name: "console open", b: sBroker(model.EngineActiveMQ, sProbe, func(b *model.Broker) {
			b.SelfManaged.ActiveMQ = nil
			b.SelfManaged.Console = &model.ConsoleProbe{URL: "http://mq:8161", OpenWithoutLogin: model.ExplicitBool(true, model.Range{Ref: "http://mq:8161/api"})}
		}), want: []Status{Fail}, subjects: []string{"console"}},
		{name: "console open, also observed", b: sBroker(model.EngineActiveMQ, sProbe, func(b *model.Broker) {
			at := model.Range{Ref: "http://mq:8161/api/jolokia/version"}
			b.SelfManaged.ActiveMQ = nil
			b.SelfManaged.Anonymous = []model.Finding{{What: "the console's Jolokia API answered without credentials", At: at}}
			b.SelfManaged.Console = &model.ConsoleProbe{URL: "http://mq:8161", OpenWithoutLogin: model.ExplicitBool(true, at)}
		}), want: []Status{Fail}, subjects: []string{"observed#1"}},
		{name: "OpenWire probe cannot tell", b: sBroker(model.EngineActiveMQ, sProbe, sEndpoints(model.EndpointProbe{URL: "tcp://mq:61616",
			Protocol: "tcp", Plaintext: true, Version: "5.18.6"}), func(b *model.Broker) { b.SelfManaged.ActiveMQ = nil }), want: []Status{Unknown}},
		{name: "STOMP probe refused", b: sBroker(model.EngineActiveMQ, sProbe, sEndpoints(model.EndpointProbe{URL: "stomp://mq:61613",
			Protocol: "stomp", Plaintext: true}), func(b *model.Broker) { b.SelfManaged.ActiveMQ = nil }), want: []Status{Pass}},
		{name: "amazon broker probed over TLS", b: aBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.SelfManaged = &model.SelfManaged{Endpoints: []model.EndpointProbe{tEndpoint()}}
		}), want: []Status{NotApplicable}},
		{name: "amazon broker with an observation", b: aBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.SelfManaged = &model.SelfManaged{Anonymous: []model.Finding{{What: "STOMP CONNECT without credentials was accepted"}}}
		}), want: []Status{Fail}},
		{name: "probe with nothing probed", b: sBroker(model.EngineActiveMQ, sProbe, func(b *model.Broker) { b.SelfManaged.ActiveMQ = nil }),
			want: []Status{Unknown}},
		{name: "rabbit 3.x defaults", b: sBroker(model.EngineRabbitMQ, sVersion("3.13.7")), want: []Status{Pass}},
		{name: "rabbit 4.x defaults: guest on loopback", b: sBroker(model.EngineRabbitMQ, sVersion("4.1.0")), want: []Status{Pass}},
		{name: "rabbit 4.x default ANONYMOUS with guest open", b: sBroker(model.EngineRabbitMQ, sVersion("4.1.0"), guest, sConf("loopback_users", "none")),
			want: []Status{Fail}, subjects: []string{"ANONYMOUS"}},
		{name: "rabbit 4.x, no guest user", b: sBroker(model.EngineRabbitMQ, sVersion("4.1.0"), sConf("loopback_users", "none")),
			want: []Status{Pass}},
		{name: "rabbit 4.x no anonymous user", b: sBroker(model.EngineRabbitMQ, sVersion("4.1.0"),
			sConf("loopback_users", "none", "anonymous_login_user", "none")), want: []Status{Pass}},
		{name: "rabbit explicit mechanisms without ANONYMOUS", b: sBroker(model.EngineRabbitMQ, sVersion("4.1.0"),
			sConf("loopback_users", "none", "auth_mechanisms.1", "PLAIN")), want: []Status{Pass}},
		{name: "rabbit 3.x with ANONYMOUS listed", b: sBroker(model.EngineRabbitMQ, sVersion("3.13.7"), guest,
			sConf("loopback_users.guest", "false", "auth_mechanisms.1", "PLAIN", "auth_mechanisms.2", "ANONYMOUS")), want: []Status{Fail}},
		{name: "rabbit version unknown, guest open", b: sBroker(model.EngineRabbitMQ, sConf("loopback_users", "none")), want: []Status{Unknown}},
		{name: "mqtt default allow_anonymous", b: sBroker(model.EngineRabbitMQ, sVersion("3.13.7"), enabled("rabbitmq_management", "rabbitmq_mqtt")),
			want: []Status{Fail}, subjects: []string{"mqtt.allow_anonymous"}, from: aState(model.Default)},
		{name: "mqtt anonymous off", b: sBroker(model.EngineRabbitMQ, sVersion("3.13.7"), enabled("rabbitmq_mqtt"), sConf("mqtt.allow_anonymous", "false")),
			want: []Status{Pass}},
		{name: "mqtt keys, plugins unknown", b: sBroker(model.EngineRabbitMQ, sVersion("3.13.7"), sConf("mqtt.listeners.tcp.default", "1883")),
			want: []Status{Unknown}},
		{name: "rabbit conf unread", b: sBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.SelfManaged.RabbitMQ.ConfState = model.Unknown }),
			want: []Status{Unknown}},
	})
}
