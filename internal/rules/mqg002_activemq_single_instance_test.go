package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func aMode(v model.String) func(*model.Broker) {
	return func(b *model.Broker) { b.DeploymentMode = v }
}

func TestMQG002ActiveMQSingleInstance(t *testing.T) {
	aRun(t, mqg002, []aCase{
		{name: "absent is single instance", b: aBroker(model.EngineActiveMQ),
			want: []Status{Fail}, from: aState(model.Default), contains: "SINGLE_INSTANCE"},
		{name: "explicit single instance", b: aBroker(model.EngineActiveMQ, aMode(model.ExplicitString("SINGLE_INSTANCE", aAt(7)))),
			want: []Status{Fail}, from: aState(model.Explicit), at: aRange(aAt(7))},
		{name: "active standby", b: aBroker(model.EngineActiveMQ, aMode(model.ExplicitString("ACTIVE_STANDBY_MULTI_AZ", aAt(7)))),
			want: []Status{Pass}},
		{name: "active standby lower case", b: aBroker(model.EngineActiveMQ, aMode(model.ExplicitString("active_standby_multi_az", aAt(7)))),
			want: []Status{Pass}},
		{name: "cluster mode is not active standby", b: aBroker(model.EngineActiveMQ, aMode(model.ExplicitString("CLUSTER_MULTI_AZ", aAt(7)))),
			want: []Status{Fail}},
		{name: "unknown mode", b: aBroker(model.EngineActiveMQ, aMode(model.UnknownString(aAt(7)))),
			want: []Status{Unknown}},
		{name: "rabbitmq not applicable", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "engine in other casing", b: aBroker("ACTIVEMQ"), want: []Status{Fail}},
		{name: "unknown engine", b: aBroker(""), want: []Status{Unknown}},
	})
}
