package rules

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG009AutoMinorUpgrade(t *testing.T) {
	upgrade := func(v model.Bool) func(*model.Broker) { return func(b *model.Broker) { b.AutoMinorUpgrade = v } }
	cfn := func(b *model.Broker) { b.ID.Source = model.SourceCloudFormation }
	aRun(t, mqg009, []aCase{
		{name: "terraform default false on 5.18", b: aBroker(model.EngineActiveMQ),
			want: []Status{Fail}, from: aState(model.Default), contains: "will reject"},
		{name: "explicit false on 5.17", b: aBroker(model.EngineActiveMQ, aVersion("5.17.6"), upgrade(model.ExplicitBool(false, aAt(9)))),
			want: []Status{Fail}, from: aState(model.Explicit), at: aRange(aAt(9))},
		{name: "explicit false on rabbitmq 3.13", b: aBroker(model.EngineRabbitMQ, upgrade(model.ExplicitBool(false, aAt(9)))),
			want: []Status{Fail}, contains: "will reject"},
		{name: "explicit false on rabbitmq 4.2", b: aBroker(model.EngineRabbitMQ, aVersion("4.2"), upgrade(model.ExplicitBool(false, aAt(9)))),
			want: []Status{Fail}, contains: "will reject"},
		{name: "cloudformation default true", b: aBroker(model.EngineActiveMQ, cfn, upgrade(model.DefaultBool(true, aAt(1)))),
			want: []Status{Pass}, from: aState(model.Default)},
		{name: "explicit true", b: aBroker(model.EngineRabbitMQ, upgrade(model.ExplicitBool(true, aAt(9)))), want: []Status{Pass}},
		{name: "unknown", b: aBroker(model.EngineRabbitMQ, upgrade(model.UnknownBool(aAt(9)))), want: []Status{Unknown}},
	})
	// Versions below the threshold must not claim the apply is rejected.
	for _, tc := range []struct{ engine, version string }{
		{model.EngineActiveMQ, "5.17.6"}, {model.EngineRabbitMQ, "3.12"}, {model.EngineRabbitMQ, "3.8"},
		{model.EngineActiveMQ, "latest"},
	} {
		b := aBroker(tc.engine, aVersion(tc.version))
		if msg := mqg009.Check(b, aCtx())[0].Message; strings.Contains(msg, "reject") {
			t.Errorf("%s %s: message %q claims a rejection", tc.engine, tc.version, msg)
		}
	}
	b := aBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.EngineVersion = model.UnknownString(aAt(4)) })
	if res := mqg009.Check(b, aCtx()); res[0].Status != Fail || strings.Contains(res[0].Message, "reject") {
		t.Errorf("unknown version: %+v", res)
	}
}
