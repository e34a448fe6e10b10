package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func sPolicies(ps ...model.RabbitPolicy) func(*model.Broker) {
	return func(b *model.Broker) {
		b.SelfManaged.RabbitMQ.Policies = append(b.SelfManaged.RabbitMQ.Policies, ps...)
	}
}

func sPolicy(name string, line int, keys ...string) model.RabbitPolicy {
	return model.RabbitPolicy{Name: name, VHost: "/", Pattern: ".*", Keys: keys, At: sAt(line)}
}

func TestMQG028ClassicMirroredQueues(t *testing.T) {
	ha := sPolicy("ha-all", 40, "ha-mode", "ha-sync-mode")
	amazonProbe := func(b *model.Broker) {
		b.SelfManaged = &model.SelfManaged{RabbitMQ: &model.RabbitMQSettings{AmazonMQ: true, PoliciesState: model.Explicit,
			Policies: []model.RabbitPolicy{ha, sPolicy(amazonMQOperatorPolicy, 41, "ha-mode")}}}
	}
	aRun(t, mqg028, []aCase{
		{name: "amazon broker in code", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "no ha policy", b: sBroker(model.EngineRabbitMQ, sPolicies(sPolicy("limits", 40, "max-length"))), want: []Status{Pass}},
		{name: "ha on 4.x", b: sBroker(model.EngineRabbitMQ, sVersion("4.0.5"), sPolicies(ha)),
			want: []Status{Fail}, contains: "not replicated", at: aRange(sAt(40)), subjects: []string{"policy:ha-all@/"}},
		{name: "ha on 3.x", b: sBroker(model.EngineRabbitMQ, sVersion("3.12.14"), sPolicies(ha, sPolicy("params", 42, "ha-params"))),
			want: []Status{Fail, Fail}, contains: "blocks the upgrade"},
		{name: "ha, version unknown", b: sBroker(model.EngineRabbitMQ, sPolicies(ha)), want: []Status{Fail}, contains: "removed in RabbitMQ 4.0"},
		{name: "Amazon MQ operator policy skipped", b: sBroker(model.EngineRabbitMQ, sPolicies(sPolicy(amazonMQOperatorPolicy, 40, "ha-mode"))),
			want: []Status{Pass}},
		{name: "Amazon MQ 3.x keys skipped", b: aBroker(model.EngineRabbitMQ, aVersion("3.13"), amazonProbe), want: []Status{Pass}},
		{name: "Amazon MQ 4.x ha keys fail", b: aBroker(model.EngineRabbitMQ, aVersion("4.2"), amazonProbe),
			want: []Status{Fail}, subjects: []string{"policy:ha-all@/"}},
		{name: "amazon broker with a configuration body", b: aBroker(model.EngineRabbitMQ, func(b *model.Broker) {
			b.Configuration = &model.ConfigurationRef{At: aAt(8), Config: &model.Configuration{Data: model.Explicit,
				Engine: model.ExplicitString(model.EngineRabbitMQ, aAt(52)), RabbitMQ: &model.RabbitMQSettings{ConfState: model.Explicit}}}
		}), want: []Status{NotApplicable}},
		{name: "policies unknown", b: sBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.SelfManaged.RabbitMQ.PoliciesState = model.Unknown }),
			want: []Status{Unknown}},
	})
}
