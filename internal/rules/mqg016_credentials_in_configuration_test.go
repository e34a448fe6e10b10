package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG016CredentialsInConfiguration(t *testing.T) {
	const secret = "FakeSecret-123"
	connector := func(name, uri string, line int) model.NetworkConnector {
		return model.NetworkConnector{Name: model.ExplicitString(name, bAt(line)), URI: model.ExplicitString(uri, bAt(line)), At: bAt(line)}
	}
	ldapHosts := func(state model.State, hosts ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.LDAP = &model.LDAP{Hosts: model.StringList{V: hosts, State: state, At: bAt(40)}, At: bAt(39)}
		}
	}
	tests := []struct {
		name     string
		b        *model.Broker
		want     []Status
		subjects []string
	}{
		{"nothing", bBroker(model.EngineActiveMQ), []Status{Pass}, nil},
		{"clean configuration", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{connector("a", "static:(ssl://b-1.mq.eu-west-1.amazonaws.com:61617)", 60)}})),
			[]Status{Pass}, nil},
		{"credential recorded by the source", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			Credentials: []model.CredentialRef{{Where: "sslContext keyStorePassword", At: bAt(70)}}})),
			[]Status{Fail}, []string{"config:sslContext keyStorePassword"}},
		{"credential in connector uri", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{connector("a", "static:(ssl://bridge:"+secret+"@b-1:61617)", 60)}})),
			[]Status{Fail}, []string{`config:networkConnector "a" uri`}},
		{"connector credential not counted twice", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{connector("a", "static:(ssl://bridge:"+secret+"@b-1:61617)", 60)},
			Credentials:       []model.CredentialRef{{Where: `networkConnector "a" uri`, At: bAt(60)}}})),
			[]Status{Fail}, nil},
		{"configuration unresolved", bBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.Configuration = &model.ConfigurationRef{At: bAt(8)}
		}), []Status{Unknown}, nil},
		{"configuration body unknown", bBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
		{"rabbitmq configuration", bBroker(model.EngineRabbitMQ, bConfig(nil), func(b *model.Broker) {
			b.Configuration.Config.Engine.V, b.Configuration.Config.Data = model.EngineRabbitMQ, model.Explicit
		}), []Status{Pass}, nil},
		{"ldap url with password", bBroker(model.EngineActiveMQ, ldapHosts(model.Explicit, "ldaps://a.example.com", "ldaps://svc:"+secret+"@b.example.com")),
			[]Status{Fail}, []string{"ldap-host#2"}},
		{"ldap clean", bBroker(model.EngineActiveMQ, ldapHosts(model.Explicit, "ldaps://a.example.com:636")), []Status{Pass}, nil},
		{"ldap unknown", bBroker(model.EngineActiveMQ, ldapHosts(model.Unknown)), []Status{Unknown}, nil},
		{"tag with url credential", bBroker(model.EngineRabbitMQ, bTags("endpoint", "amqps://app:"+secret+"@b-1.mq.eu-west-1.amazonaws.com:5671")),
			[]Status{Fail}, []string{"tag:endpoint"}},
		{"tag with password parameter", bBroker(model.EngineRabbitMQ, bTags("dsn", "https://x.example.com/?password="+secret)),
			[]Status{Fail}, nil},
		{"tag with url, no credential", bBroker(model.EngineRabbitMQ, bTags("runbook", "https://wiki.example.com/mq?user=ops")), []Status{Pass}, nil},
		{"tags unknown", bBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Unknown}, nil},
		{"tags unknown, known credential", bBroker(model.EngineRabbitMQ, bTags("dsn", "password="+secret),
			func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Fail}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg016, tt.b), tt.want, tt.subjects, secret)
		})
	}

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{Credentials: []model.CredentialRef{{Where: "jaasDualAuthenticationPlugin password", At: bAt(70)}}})
		bCheckResults(t, mqg016.CheckConfiguration(c, bCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg016.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), bCtx()), []Status{Pass}, nil)
		bCheckResults(t, mqg016.CheckConfiguration(bConfiguration(nil), bCtx()), []Status{Unknown}, nil)
	})
}
