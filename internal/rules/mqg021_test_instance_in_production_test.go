package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG021TestInstanceInProduction(t *testing.T) {
	instance := func(v string) func(*model.Broker) {
		return func(b *model.Broker) { b.HostInstanceType = model.ExplicitString(v, aAt(5)) }
	}
	prod := aTags("Environment", "PROD")
	bRunCases(t, mqg021, []bCase{
		{"not production", aBroker(model.EngineActiveMQ, instance("mq.t3.micro"), aTags("env", "dev")), []Status{NotApplicable}, nil},
		{"no tags", aBroker(model.EngineActiveMQ, instance("mq.t3.micro")), []Status{NotApplicable}, nil},
		{"tags unknown", aBroker(model.EngineActiveMQ, instance("mq.t3.micro"), func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Unknown}, nil},
		{"production t2.micro", aBroker(model.EngineActiveMQ, prod, instance("mq.t2.micro")), []Status{Fail}, nil},
		{"production t3.micro", aBroker(model.EngineRabbitMQ, prod, instance("mq.t3.micro")), []Status{Fail}, nil},
		{"production m7g.medium", aBroker(model.EngineRabbitMQ, aTags("stage", "live"), instance("MQ.M7G.MEDIUM")), []Status{Fail}, nil},
		{"production m5.large", aBroker(model.EngineActiveMQ, prod, instance("mq.m5.large")), []Status{Pass}, nil},
		{"production m7g.large", aBroker(model.EngineRabbitMQ, prod, instance("mq.m7g.large")), []Status{Pass}, nil},
		{"production, type unknown", aBroker(model.EngineActiveMQ, prod, func(b *model.Broker) { b.HostInstanceType = model.UnknownString(aAt(5)) }), []Status{Unknown}, nil},
		{"production, tags partly unknown", aBroker(model.EngineActiveMQ, prod, instance("mq.t3.micro"), func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Fail}, nil},
	})
	if got := TestInstanceTypes(); len(got) != 3 {
		t.Errorf("TestInstanceTypes() = %v", got)
	}
}
