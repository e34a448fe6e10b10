package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG007AuditLog(t *testing.T) {
	audit := func(v model.Bool) func(*model.Broker) { return func(b *model.Broker) { b.Logs.Audit = v } }
	aRun(t, mqg007, []aCase{
		{name: "absent", b: aBroker(model.EngineActiveMQ), want: []Status{Fail}, from: aState(model.Default)},
		{name: "explicit false", b: aBroker(model.EngineActiveMQ, audit(model.ExplicitBool(false, aAt(8)))),
			want: []Status{Fail}, at: aRange(aAt(8))},
		{name: "explicit true", b: aBroker(model.EngineActiveMQ, audit(model.ExplicitBool(true, aAt(8)))), want: []Status{Pass}},
		{name: "unknown", b: aBroker(model.EngineActiveMQ, audit(model.UnknownBool(aAt(8)))), want: []Status{Unknown}},
		{name: "rabbitmq is never a failure", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "rabbitmq upper case", b: aBroker("RABBITMQ"), want: []Status{NotApplicable}},
		{name: "unknown engine", b: aBroker(""), want: []Status{Unknown}},
	})
}
