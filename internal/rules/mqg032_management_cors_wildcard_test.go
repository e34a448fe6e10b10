package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG032ManagementCORSWildcard(t *testing.T) {
	probe := func(v model.Bool) func(*model.Broker) {
		return func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.ConfState = model.Unknown
			b.SelfManaged.RabbitMQ.CORSAnyOrigin = v
		}
	}
	aRun(t, mqg032, []aCase{
		{name: "amazon broker", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "no cors", b: sBroker(model.EngineRabbitMQ), want: []Status{Pass}},
		{name: "named origin", b: sBroker(model.EngineRabbitMQ, sConf("management.cors.allow_origins.1", "https://ops.example.com")), want: []Status{Pass}},
		{name: "wildcard", b: sBroker(model.EngineRabbitMQ, sConf("management.cors.allow_origins.1", "https://ops.example.com",
			"management.cors.allow_origins.2", "*")), want: []Status{Fail}, subjects: []string{"management.cors.allow_origins.2"}},
		{name: "preflight answered *", b: sBroker(model.EngineRabbitMQ, sProbe, probe(model.ExplicitBool(true, model.Range{Ref: "https://mq"}))),
			want: []Status{Fail}, subjects: []string{"probe"}},
		{name: "preflight refused", b: sBroker(model.EngineRabbitMQ, sProbe, probe(model.ExplicitBool(false, model.Range{Ref: "https://mq"}))),
			want: []Status{Pass}},
		{name: "nothing known", b: sBroker(model.EngineRabbitMQ, sProbe, probe(model.UnknownBool(model.Range{}))), want: []Status{Unknown}},
	})
}
