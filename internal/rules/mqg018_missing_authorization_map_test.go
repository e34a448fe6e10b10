package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG018MissingAuthorizationMap(t *testing.T) {
	withMap := &model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{At: bAt(60),
		Map: &model.AuthorizationMap{At: bAt(61), Entries: []model.AuthorizationEntry{{Kind: "queue", Destination: ">", Admin: []string{"admins"}}}}}}
	tests := []struct {
		name string
		b    *model.Broker
		want []Status
	}{
		{"rabbitmq", bBroker(model.EngineRabbitMQ), []Status{NotApplicable}},
		{"default configuration", bBroker(model.EngineActiveMQ), []Status{Unknown}},
		{"unresolved configuration", bBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.Configuration = &model.ConfigurationRef{At: bAt(8)}
		}), []Status{Unknown}},
		{"body unknown", bBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}},
		{"no plugin", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{})), []Status{Fail}},
		{"plugin without map", bBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			AuthorizationPlugin: &model.AuthorizationPlugin{At: bAt(60)}})), []Status{Fail}},
		{"map", bBroker(model.EngineActiveMQ, bConfig(withMap)), []Status{Pass}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg018, tt.b), tt.want, nil)
		})
	}

	t.Run("unused configuration", func(t *testing.T) {
		bCheckResults(t, mqg018.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), bCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg018.CheckConfiguration(bConfiguration(withMap), bCtx()), []Status{Pass}, nil)
		bCheckResults(t, mqg018.CheckConfiguration(bConfiguration(nil), bCtx()), []Status{Unknown}, nil)
		c := bConfiguration(nil)
		c.Engine.V = model.EngineRabbitMQ
		bCheckResults(t, mqg018.CheckConfiguration(c, bCtx()), []Status{NotApplicable}, nil)
	})
}
