package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func sQueue(name, typ string, line int, mods ...func(*model.RabbitQueue)) model.RabbitQueue {
	q := model.RabbitQueue{Name: name, VHost: "/", Durable: model.ExplicitBool(true, sAt(line)), At: sAt(line),
		Type: model.ExplicitString(typ, sAt(line))}
	if typ == "" {
		q.Type = model.DefaultString("", sAt(line))
	}
	for _, m := range mods {
		m(&q)
	}
	return q
}

func sQueues(qs ...model.RabbitQueue) func(*model.Broker) {
	return func(b *model.Broker) { b.SelfManaged.RabbitMQ.Queues = append(b.SelfManaged.RabbitMQ.Queues, qs...) }
}

func sClustered(b *model.Broker) { b.SelfManaged.Clustered = model.ExplicitBool(true, sAt(3)) }

func TestMQG029UnreplicatedQueues(t *testing.T) {
	cluster := func(mods ...func(*model.Broker)) *model.Broker {
		return sBroker(model.EngineRabbitMQ, append([]func(*model.Broker){sClustered, sVersion("3.13.7")}, mods...)...)
	}
	amazon := func(version string, qs ...model.RabbitQueue) *model.Broker {
		return aBroker(model.EngineRabbitMQ, aVersion(version), func(b *model.Broker) {
			b.DeploymentMode = model.ExplicitString("CLUSTER_MULTI_AZ", aAt(7))
			b.SelfManaged = &model.SelfManaged{RabbitMQ: &model.RabbitMQSettings{AmazonMQ: true, QueuesState: model.Explicit, Queues: qs}}
		})
	}
	aRun(t, mqg029, []aCase{
		{name: "single node", b: sBroker(model.EngineRabbitMQ, sQueues(sQueue("orders", "", 40))), want: []Status{NotApplicable}},
		{name: "clustering unknown", b: sBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.SelfManaged.Clustered = model.UnknownBool(sAt(1)) }),
			want: []Status{Unknown}},
		{name: "classic by default", b: cluster(sQueues(sQueue("orders", "", 40))), want: []Status{Fail},
			from: aState(model.Default), subjects: []string{"queue:orders@/"}},
		{name: "explicit classic", b: cluster(sQueues(sQueue("orders", "classic", 40))), want: []Status{Fail}, from: aState(model.Explicit)},
		{name: "quorum and stream", b: cluster(sQueues(sQueue("orders", "quorum", 40), sQueue("events", "stream", 41))), want: []Status{Pass}},
		{name: "exclusive, auto-delete and transient skipped", b: cluster(sQueues(
			sQueue("a", "", 40, func(q *model.RabbitQueue) { q.Exclusive = true }),
			sQueue("b", "", 41, func(q *model.RabbitQueue) { q.AutoDelete = true }),
			sQueue("c", "", 42, func(q *model.RabbitQueue) { q.Durable = model.ExplicitBool(false, sAt(42)) }))), want: []Status{Pass}},
		{name: "vhost default quorum", b: cluster(sQueues(sQueue("orders", "", 40)), func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.VHosts = []model.RabbitVHost{{Name: "/", DefaultQueueType: model.ExplicitString("quorum", sAt(5))}}
		}), want: []Status{Pass}},
		{name: "node default quorum", b: cluster(sQueues(sQueue("orders", "", 40)), sConf("default_queue_type", "quorum")), want: []Status{Pass}},
		// A default that could not be read may make the queue quorum: never a FAIL.
		{name: "node default templated", b: cluster(sQueues(sQueue("orders", "", 40)), func(b *model.Broker) {
			if b.SelfManaged.RabbitMQ.Conf == nil {
				b.SelfManaged.RabbitMQ.Conf = map[string]model.String{}
			}
			b.SelfManaged.RabbitMQ.Conf["default_queue_type"] = model.UnknownString(sAt(6))
		}), want: []Status{Unknown}},
		{name: "node configuration unread", b: cluster(sQueues(sQueue("orders", "", 40)), func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.ConfState = model.Unknown
		}), want: []Status{Unknown}},
		{name: "vhost default unknown", b: cluster(sQueues(sQueue("orders", "", 40)), func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.VHosts = []model.RabbitVHost{{Name: "/", DefaultQueueType: model.UnknownString(sAt(5))}}
		}), want: []Status{Unknown}},
		{name: "queues unknown", b: cluster(func(b *model.Broker) { b.SelfManaged.RabbitMQ.QueuesState = model.Unknown }), want: []Status{Unknown}},
		{name: "durable unknown", b: cluster(sQueues(sQueue("orders", "", 40, func(q *model.RabbitQueue) { q.Durable = model.UnknownBool(sAt(40)) }))),
			want: []Status{Unknown}},
		{name: "version below 3.8", b: sBroker(model.EngineRabbitMQ, sClustered, sVersion("3.7.28"), sQueues(sQueue("orders", "", 40))),
			want: []Status{NotApplicable}},
		{name: "version unknown", b: sBroker(model.EngineRabbitMQ, sClustered, sQueues(sQueue("orders", "", 40))), want: []Status{Unknown}},
		{name: "amazon 3.x cluster", b: amazon("3.13", sQueue("orders", "", 40)), want: []Status{NotApplicable}},
		{name: "amazon single instance", b: aBroker(model.EngineRabbitMQ, aVersion("4.2")), want: []Status{NotApplicable}},
		{name: "amazon 4.x cluster without queue data", b: aBroker(model.EngineRabbitMQ, aVersion("4.2"), func(b *model.Broker) {
			b.DeploymentMode = model.ExplicitString("CLUSTER_MULTI_AZ", aAt(7))
		}), want: []Status{NotApplicable}},
		{name: "amazon 4.2 defaults to quorum", b: amazon("4.2", sQueue("orders", "", 40)), want: []Status{Pass}},
		{name: "amazon 4.2 explicit classic", b: amazon("4.2", sQueue("orders", "classic", 40)), want: []Status{Fail}},
	})
}
