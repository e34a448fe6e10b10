package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG003RabbitMQSingleInstance(t *testing.T) {
	aRun(t, mqg003, []aCase{
		{name: "absent is single instance", b: aBroker(model.EngineRabbitMQ),
			want: []Status{Fail}, from: aState(model.Default)},
		{name: "cluster", b: aBroker(model.EngineRabbitMQ, aMode(model.ExplicitString("CLUSTER_MULTI_AZ", aAt(7)))),
			want: []Status{Pass}, from: aState(model.Explicit)},
		{name: "active standby is not a cluster", b: aBroker(model.EngineRabbitMQ, aMode(model.ExplicitString("ACTIVE_STANDBY_MULTI_AZ", aAt(7)))),
			want: []Status{Fail}, at: aRange(aAt(7))},
		{name: "unknown mode", b: aBroker(model.EngineRabbitMQ, aMode(model.UnknownString(aAt(7)))),
			want: []Status{Unknown}},
		{name: "activemq not applicable", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "unknown engine", b: aBroker(""), want: []Status{Unknown}},
	})
}
