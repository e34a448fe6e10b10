package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG021TestInstanceInProduction(t *testing.T) {
	instance := func(v string) func(*model.Broker) {
		return func(b *model.Broker) { b.HostInstanceType = model.ExplicitString(v, bAt(5)) }
	}
	prod := bTags("Environment", "PROD")
	tests := []struct {
		name string
		b    *model.Broker
		want []Status
	}{
		{"not production", bBroker(model.EngineActiveMQ, instance("mq.t3.micro"), bTags("env", "dev")), []Status{NotApplicable}},
		{"no tags", bBroker(model.EngineActiveMQ, instance("mq.t3.micro")), []Status{NotApplicable}},
		{"tags unknown", bBroker(model.EngineActiveMQ, instance("mq.t3.micro"), func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Unknown}},
		{"production t2.micro", bBroker(model.EngineActiveMQ, prod, instance("mq.t2.micro")), []Status{Fail}},
		{"production t3.micro", bBroker(model.EngineRabbitMQ, prod, instance("mq.t3.micro")), []Status{Fail}},
		{"production m7g.medium", bBroker(model.EngineRabbitMQ, bTags("stage", "live"), instance("MQ.M7G.MEDIUM")), []Status{Fail}},
		{"production m5.large", bBroker(model.EngineActiveMQ, prod, instance("mq.m5.large")), []Status{Pass}},
		{"production m7g.large", bBroker(model.EngineRabbitMQ, prod, instance("mq.m7g.large")), []Status{Pass}},
		{"production, type unknown", bBroker(model.EngineActiveMQ, prod, func(b *model.Broker) { b.HostInstanceType = model.UnknownString(bAt(5)) }), []Status{Unknown}},
		{"production, tags partly unknown", bBroker(model.EngineActiveMQ, prod, instance("mq.t3.micro"), func(b *model.Broker) { b.Tags.State = model.Unknown }), []Status{Fail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg021, tt.b), tt.want, nil)
		})
	}
	if got := TestInstanceTypes(); len(got) != 3 {
		t.Errorf("TestInstanceTypes() = %v", got)
	}
}
