package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG001PublicAccess(t *testing.T) {
	public := func(v model.Bool) func(*model.Broker) {
		return func(b *model.Broker) { b.PubliclyAccessible = v }
	}
	aRun(t, mqg001, []aCase{
		{name: "absent defaults to private", b: aBroker(model.EngineActiveMQ),
			want: []Status{Pass}, from: aState(model.Default), at: aRange(aAt(1))},
		{name: "explicit false", b: aBroker(model.EngineRabbitMQ, public(model.ExplicitBool(false, aAt(9)))),
			want: []Status{Pass}, from: aState(model.Explicit)},
		{name: "explicit true activemq", b: aBroker(model.EngineActiveMQ, public(model.ExplicitBool(true, aAt(9)))),
			want: []Status{Fail}, from: aState(model.Explicit), at: aRange(aAt(9)), contains: "new private broker"},
		{name: "explicit true rabbitmq", b: aBroker(model.EngineRabbitMQ, public(model.ExplicitBool(true, aAt(9)))),
			want: []Status{Fail}},
		{name: "unknown", b: aBroker(model.EngineActiveMQ, public(model.UnknownBool(aAt(9)))),
			want: []Status{Unknown}, from: aState(model.Unknown), at: aRange(aAt(9))},
		{name: "unknown engine", b: aBroker("", public(model.ExplicitBool(true, aAt(9)))),
			want: []Status{Fail}},
	})
}
