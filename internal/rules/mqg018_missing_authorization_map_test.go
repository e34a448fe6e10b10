package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG018MissingAuthorizationMap(t *testing.T) {
	withMap := &model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{At: aAt(60),
		Map: &model.AuthorizationMap{At: aAt(61), Entries: []model.AuthorizationEntry{{Kind: "queue", Destination: ">", Admin: []string{"admins"}}}}}}
	bRunCases(t, mqg018, []bCase{
		{"rabbitmq", aBroker(model.EngineRabbitMQ), []Status{NotApplicable}, nil},
		{"default configuration", aBroker(model.EngineActiveMQ), []Status{Unknown}, nil},
		{"unresolved configuration", aBroker(model.EngineActiveMQ, bUnresolvedConfig), []Status{Unknown}, nil},
		{"body unknown", aBroker(model.EngineActiveMQ, bConfig(nil)), []Status{Unknown}, nil},
		{"no plugin", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{})), []Status{Fail}, nil},
		{"plugin without map", aBroker(model.EngineActiveMQ, bConfig(&model.ActiveMQConfig{
			AuthorizationPlugin: &model.AuthorizationPlugin{At: aAt(60)}})), []Status{Fail}, nil},
		{"map", aBroker(model.EngineActiveMQ, bConfig(withMap)), []Status{Pass}, nil},
	})

	t.Run("unused configuration", func(t *testing.T) {
		bCheckResults(t, mqg018.CheckConfiguration(bConfiguration(&model.ActiveMQConfig{}), aCtx()), []Status{Fail}, nil)
		bCheckResults(t, mqg018.CheckConfiguration(bConfiguration(withMap), aCtx()), []Status{Pass}, nil)
		bCheckResults(t, mqg018.CheckConfiguration(bConfiguration(nil), aCtx()), []Status{Unknown}, nil)
		c := bConfiguration(nil)
		c.Engine.V = model.EngineRabbitMQ
		bCheckResults(t, mqg018.CheckConfiguration(c, aCtx()), []Status{NotApplicable}, nil)
	})
}

func TestMQG018SelfManaged(t *testing.T) {
	aRun(t, mqg018, []aCase{
		{name: "stock activemq.xml", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{})), want: []Status{Fail}},
		{name: "with a map", b: sBroker(model.EngineActiveMQ, sActiveMQDoc(&model.ActiveMQConfig{AuthorizationPlugin: &model.AuthorizationPlugin{
			Map: &model.AuthorizationMap{At: sAt(12)}, At: sAt(11)}})), want: []Status{Pass}},
		{name: "probe", b: sBroker(model.EngineActiveMQ, sProbe), want: []Status{Unknown}},
	})
}
