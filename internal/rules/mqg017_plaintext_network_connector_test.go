package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG017PlaintextNetworkConnector(t *testing.T) {
	nc := func(name, uri string) model.NetworkConnector {
		return model.NetworkConnector{Name: model.ExplicitString(name, bAt(60)), URI: model.ExplicitString(uri, bAt(60)), At: bAt(60)}
	}
	doc := func(ncs ...model.NetworkConnector) func(*model.Broker) {
		return bConfig(&model.ActiveMQConfig{NetworkConnectors: ncs})
	}
	unknownURI := nc("u", "")
	unknownURI.URI = model.UnknownString(bAt(60))
	unnamed := nc("", "tcp://a:61616")
	unnamed.Name = model.DefaultString("", bAt(60))

	tests := []struct {
		name     string
		b        *model.Broker
		want     []Status
		subjects []string
	}{
		{"rabbitmq", bBroker(model.EngineRabbitMQ), []Status{NotApplicable}, nil},
		{"engine unknown", bBroker(""), []Status{Unknown}, nil},
		{"default configuration", bBroker(model.EngineActiveMQ), []Status{NotApplicable}, nil},
		{"no connectors", bBroker(model.EngineActiveMQ, doc()), []Status{NotApplicable}, nil},
		{"ssl", bBroker(model.EngineActiveMQ, doc(nc("a", "static:(ssl://b-1:61617)"), nc("b", "nio+ssl://b-2:61617"))), []Status{Pass}, nil},
		{"auto+ssl and https", bBroker(model.EngineActiveMQ, doc(nc("a", "auto+ssl://b-1:61617"), nc("b", "https://b-2:443"))), []Status{Pass}, nil},
		{"tcp", bBroker(model.EngineActiveMQ, doc(nc("a", "tcp://b-1:61616"))), []Status{Fail}, []string{`networkConnector:"a"`}},
		{"static tcp", bBroker(model.EngineActiveMQ, doc(nc("a", "static:(tcp://b-1:61616)"))), []Status{Fail}, nil},
		{"masterslave tcp", bBroker(model.EngineActiveMQ, doc(nc("a", "masterslave:(tcp://b-1:61616,tcp://b-2:61616)"))), []Status{Fail}, nil},
		{"mixed static", bBroker(model.EngineActiveMQ, doc(nc("a", "static:(ssl://b-1:61617,nio://b-2:61616)"))), []Status{Fail}, nil},
		{"multicast", bBroker(model.EngineActiveMQ, doc(nc("a", "multicast://default"))), []Status{Fail}, nil},
		{"auto and http", bBroker(model.EngineActiveMQ, doc(nc("a", "auto://b-1:5671"), nc("b", "http://b-2:8080"))), []Status{Fail, Fail}, nil},
		{"unnamed", bBroker(model.EngineActiveMQ, doc(unnamed)), []Status{Fail}, []string{"networkConnector:#1"}},
		{"uri unknown", bBroker(model.EngineActiveMQ, doc(nc("a", "ssl://b-1:61617"), unknownURI)), []Status{Unknown}, nil},
		{"uri unknown and tcp", bBroker(model.EngineActiveMQ, doc(unknownURI, nc("a", "tcp://b-1:61616"))), []Status{Fail}, nil},
		{"no transport in uri", bBroker(model.EngineActiveMQ, doc(nc("a", "static:(b-1)"))), []Status{Unknown}, nil},
		{"configuration unresolved", bBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.Configuration = &model.ConfigurationRef{At: bAt(8)}
		}), []Status{Unknown}, nil},
		{"body unknown", bBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg017, tt.b), tt.want, tt.subjects)
		})
	}

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{NetworkConnectors: []model.NetworkConnector{nc("a", "tcp://x:61616")}})
		bCheckResults(t, mqg017.CheckConfiguration(c, bCtx()), []Status{Fail}, nil)
		c.Engine.V = model.EngineRabbitMQ
		bCheckResults(t, mqg017.CheckConfiguration(c, bCtx()), []Status{NotApplicable}, nil)
	})
}
