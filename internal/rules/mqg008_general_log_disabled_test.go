package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG008GeneralLog(t *testing.T) {
	general := func(v model.Bool) func(*model.Broker) { return func(b *model.Broker) { b.Logs.General = v } }
	aRun(t, mqg008, []aCase{
		{name: "absent activemq", b: aBroker(model.EngineActiveMQ), want: []Status{Fail}, from: aState(model.Default)},
		{name: "absent rabbitmq", b: aBroker(model.EngineRabbitMQ), want: []Status{Fail}},
		{name: "explicit false", b: aBroker(model.EngineRabbitMQ, general(model.ExplicitBool(false, aAt(8)))),
			want: []Status{Fail}, at: aRange(aAt(8)), from: aState(model.Explicit)},
		{name: "explicit true", b: aBroker(model.EngineRabbitMQ, general(model.ExplicitBool(true, aAt(8)))), want: []Status{Pass}},
		{name: "unknown", b: aBroker(model.EngineActiveMQ, general(model.UnknownBool(aAt(8)))), want: []Status{Unknown}},
	})
}
