package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG017PlaintextNetworkConnector(t *testing.T) {
	nc := func(name, uri string) model.NetworkConnector {
		return bConnector(name, uri, 60)
	}
	doc := func(ncs ...model.NetworkConnector) func(*model.Broker) {
		return bConfig(&model.ActiveMQConfig{NetworkConnectors: ncs})
	}
	unknownURI := nc("u", "")
	unknownURI.URI = model.UnknownString(aAt(60))
	unnamed := nc("", "tcp://a:61616")
	unnamed.Name = model.DefaultString("", aAt(60))

	bRunCases(t, mqg017, []bCase{
		{"rabbitmq", aBroker(model.EngineRabbitMQ), []Status{NotApplicable}, nil},
		{"engine unknown", aBroker(""), []Status{Unknown}, nil},
		{"default configuration", aBroker(model.EngineActiveMQ), []Status{NotApplicable}, nil},
		{"no connectors", aBroker(model.EngineActiveMQ, doc()), []Status{NotApplicable}, nil},
		{"ssl", aBroker(model.EngineActiveMQ, doc(nc("a", "static:(ssl://b-1:61617)"), nc("b", "nio+ssl://b-2:61617"))), []Status{Pass}, nil},
		{"auto+ssl and https", aBroker(model.EngineActiveMQ, doc(nc("a", "auto+ssl://b-1:61617"), nc("b", "https://b-2:443"))), []Status{Pass}, nil},
		{"tcp", aBroker(model.EngineActiveMQ, doc(nc("a", "tcp://b-1:61616"))), []Status{Fail}, []string{`networkConnector:"a"`}},
		{"static tcp", aBroker(model.EngineActiveMQ, doc(nc("a", "static:(tcp://b-1:61616)"))), []Status{Fail}, nil},
		{"masterslave tcp", aBroker(model.EngineActiveMQ, doc(nc("a", "masterslave:(tcp://b-1:61616,tcp://b-2:61616)"))), []Status{Fail}, nil},
		{"mixed static", aBroker(model.EngineActiveMQ, doc(nc("a", "static:(ssl://b-1:61617,nio://b-2:61616)"))), []Status{Fail}, nil},
		{"multicast", aBroker(model.EngineActiveMQ, doc(nc("a", "multicast://default"))), []Status{Fail}, nil},
		{"auto and http", aBroker(model.EngineActiveMQ, doc(nc("a", "auto://b-1:5671"), nc("b", "http://b-2:8080"))), []Status{Fail, Fail}, nil},
		{"unnamed", aBroker(model.EngineActiveMQ, doc(unnamed)), []Status{Fail}, []string{"networkConnector:#1"}},
		{"uri unknown", aBroker(model.EngineActiveMQ, doc(nc("a", "ssl://b-1:61617"), unknownURI)), []Status{Unknown}, nil},
		{"uri unknown and tcp", aBroker(model.EngineActiveMQ, doc(unknownURI, nc("a", "tcp://b-1:61616"))), []Status{Fail}, nil},
		{"no transport in uri", aBroker(model.EngineActiveMQ, doc(nc("a", "static:(b-1)"))), []Status{Unknown}, nil},
		{"configuration unresolved", aBroker(model.EngineActiveMQ, bUnresolvedConfig), []Status{Unknown}, nil},
		{"body unknown", aBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
	})

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{NetworkConnectors: []model.NetworkConnector{nc("a", "tcp://x:61616")}})
		bCheckResults(t, mqg017.CheckConfiguration(c, aCtx()), []Status{Fail}, nil)
		c.Engine.V = model.EngineRabbitMQ
		bCheckResults(t, mqg017.CheckConfiguration(c, aCtx()), []Status{NotApplicable}, nil)
	})
}

func TestMQG017SelfManaged(t *testing.T) {
	aRun(t, mqg017, []aCase{
		{name: "tcp bridge", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{bConnector("bridge", "static:(tcp://mq-2:61616)", 8)}})), want: []Status{Fail}},
		{name: "ssl bridge", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{bConnector("bridge", "static:(ssl://mq-2:61617)", 8)}})), want: []Status{Pass}},
		{name: "unknown uri", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{
			NetworkConnectors: []model.NetworkConnector{{Name: model.ExplicitString("bridge", sAt(8)), URI: model.UnknownString(sAt(8)), At: sAt(8)}}})),
			want: []Status{Unknown}},
		{name: "no connector", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{})), want: []Status{NotApplicable}},
		{name: "unparsed activemq.xml", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(nil), func(b *model.Broker) {
			b.Configuration.Config.Data = model.Unknown
		}), want: []Status{Unknown}},
		{name: "probe", b: sBroker(model.EngineActiveMQ, sProbe), want: []Status{NotApplicable}},
	})
}
