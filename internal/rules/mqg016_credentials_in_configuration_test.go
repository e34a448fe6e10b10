package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG016CredentialsInConfiguration(t *testing.T) {
	const secret = "FakeSecret-123"
	ldapHosts := func(state model.State, hosts ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.LDAP = &model.LDAP{Hosts: model.StringList{V: hosts, State: state, At: aAt(40)}, At: aAt(39)}
		}
	}
	bRunCases(t, mqg016, []bCase{
		{"nothing", aBroker(model.EngineActiveMQ), []Status{Pass}, nil},
		{"clean configuration", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{bConnector("a", "static:(ssl://b-1.mq.eu-west-1.amazonaws.com:61617)", 60)}})),
			[]Status{Pass}, nil},
		{"credential recorded by the source", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			Credentials: []model.CredentialRef{{Where: "sslContext keyStorePassword", At: aAt(70)}}})),
			[]Status{Fail}, []string{"config:sslContext keyStorePassword"}},
		{"credential in connector uri", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{bConnector("a", "static:(ssl://bridge:"+secret+"@b-1:61617)", 60)}})),
			[]Status{Fail}, []string{`config:networkConnector "a" uri`}},
		{"connector credential not counted twice", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{bConnector("a", "static:(ssl://bridge:"+secret+"@b-1:61617)", 60)},
			Credentials:       []model.CredentialRef{{Where: `networkConnector "a" uri`, At: aAt(60)}}})),
			[]Status{Fail}, nil},
		{"configuration unresolved", aBroker(model.EngineActiveMQ, bUnresolvedConfig), []Status{Unknown}, nil},
		{"configuration body unknown", aBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
		{"rabbitmq configuration", aBroker(model.EngineRabbitMQ, bConfig(nil), func(b *model.Broker) {
			b.Configuration.Config.Engine.V, b.Configuration.Config.Data = model.EngineRabbitMQ, model.Explicit
		}), []Status{Pass}, nil},
		{"ldap url with password", aBroker(model.EngineActiveMQ, ldapHosts(model.Explicit, "ldaps://a.example.com", "ldaps://svc:"+secret+"@b.example.com")),
			[]Status{Fail}, []string{"ldap-host#2"}},
		{"ldap clean", aBroker(model.EngineActiveMQ, ldapHosts(model.Explicit, "ldaps://a.example.com:636")), []Status{Pass}, nil},
		{"ldap unknown", aBroker(model.EngineActiveMQ, ldapHosts(model.Unknown)), []Status{Unknown}, nil},
		{"ldap metadata not read", aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.LDAPUnread = true }), []Status{Unknown}, nil},
		{"tag with url credential", aBroker(model.EngineRabbitMQ, aTags("endpoint", "amqps://app:"+secret+"@b-1.mq.eu-west-1.amazonaws.com:5671")),
			[]Status{Fail}, []string{"tag:endpoint"}},
		{"tag with password parameter", aBroker(model.EngineRabbitMQ, aTags("dsn", "https://x.example.com/?password="+secret)),
			[]Status{Fail}, nil},
		{"tag with url, no credential", aBroker(model.EngineRabbitMQ, aTags("runbook", "https://wiki.example.com/mq?user=ops")), []Status{Pass}, nil},
		{"tags unknown", aBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Unknown}, nil},
		{"tags unknown, known credential", aBroker(model.EngineRabbitMQ, aTags("dsn", "password="+secret),
			func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Fail}, nil},
	}, secret)

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{Credentials: []model.CredentialRef{{Where: "jaasDualAuthenticationPlugin password", At: aAt(70)}}})
		bCheckResults(t, mqg016.CheckConfiguration(c, aCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg016.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), aCtx()), []Status{Pass}, nil)
		bCheckResults(t, mqg016.CheckConfiguration(bConfiguration(nil), aCtx()), []Status{Unknown}, nil)
	})
}

func TestMQG016SelfManaged(t *testing.T) {
	creds := func(where ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			for i, w := range where {
				b.SelfManaged.Credentials = append(b.SelfManaged.Credentials, model.CredentialRef{Where: w, At: sAt(10 + i)})
			}
		}
	}
	aRun(t, mqg016, []aCase{
		{name: "rabbitmq without credentials", b: sBroker(model.EngineRabbitMQ), want: []Status{Pass}},
		{name: "rabbitmq default_pass and cookie", b: sBroker(model.EngineRabbitMQ, creds("default_pass", "advanced.config Erlang cookie")),
			want: []Status{Fail, Fail}, subjects: []string{"file:default_pass", "file:advanced.config Erlang cookie"}, at: aRange(sAt(10))},
		{name: "activemq XML credential", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			Credentials: []model.CredentialRef{{Where: "sslContext keyStorePassword", At: sAt(7)}}})),
			want: []Status{Fail}, subjects: []string{"config:sslContext keyStorePassword"}},
		{name: "several users' password attributes", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			Credentials: []model.CredentialRef{{Where: "authenticationUser password", At: sAt(7)}, {Where: "authenticationUser password", At: sAt(8)}}})),
			want: []Status{Fail, Fail}, subjects: []string{"config:authenticationUser password", "config:authenticationUser password#2"}},
		{name: "activemq connector with user:password", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{bConnector("bridge", "static:(ssl://bridge:secret@mq-2:61617)", 8)}})),
			want: []Status{Fail}},
		{name: "activemq clean", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{})), want: []Status{Pass}},
		{name: "unknown tags of a self-managed broker are not asked", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{}),
			func(b *model.Broker) { b.Tags = model.Tags{State: model.Unknown} }), want: []Status{Pass}},
		{name: "probe without definitions", b: sBroker(model.EngineActiveMQ, sProbe), want: []Status{NotApplicable}},
	})
}
