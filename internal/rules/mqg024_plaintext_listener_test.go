package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// sListener is a listener; host "" binds every interface.
func sListener(name, protocol string, tls bool, host string, port int64, line int) model.Listener {
	return model.Listener{Protocol: protocol, Name: name, TLS: model.ExplicitBool(tls, sAt(line)),
		Host: model.ExplicitString(host, sAt(line)), Port: model.Int{V: port, State: model.Explicit, At: sAt(line)},
		Loopback: model.ExplicitBool(brokeruri.IsLoopbackHost(host), sAt(line)), At: sAt(line)}
}

func sListeners(ls ...model.Listener) func(*model.Broker) {
	return func(b *model.Broker) { b.SelfManaged.Listeners = append(b.SelfManaged.Listeners, ls...) }
}

func TestMQG024PlaintextListener(t *testing.T) {
	defaultAMQP := sListener("", "amqp", false, "", 5672, 1)
	defaultAMQP.TLS.State, defaultAMQP.Loopback.State = model.Default, model.Default
	unknownTLS := sListener("amqps", "amqp", true, "", 5671, 4)
	unknownTLS.TLS = model.UnknownBool(sAt(4))
	unknownHost := sListener("openwire", "openwire", false, "", 61616, 5)
	unknownHost.Host, unknownHost.Loopback = model.UnknownString(sAt(5)), model.UnknownBool(sAt(5))
	aRun(t, mqg024, []aCase{
		{name: "amazon broker", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "TLS only", b: sBroker(model.EngineRabbitMQ, sListeners(sListener("listeners.ssl.default", "amqp", true, "", 5671, 3))),
			want: []Status{Pass}},
		{name: "default plaintext AMQP", b: sBroker(model.EngineRabbitMQ, sListeners(defaultAMQP)),
			want: []Status{Fail}, from: aState(model.Default), subjects: []string{"amqp:5672"}, contains: "every interface"},
		{name: "plaintext per listener", b: sBroker(model.EngineActiveMQ, sListeners(
			sListener("openwire", "openwire", false, "0.0.0.0", 61616, 3), sListener("ssl", "openwire", true, "0.0.0.0", 61617, 4),
			sListener("stomp", "stomp", false, "10.0.0.5", 61613, 5))),
			want: []Status{Fail, Fail}, subjects: []string{"openwire", "stomp"}, at: aRange(sAt(3))},
		{name: "unnamed listeners on one port", b: sBroker(model.EngineRabbitMQ, sListeners(sListener("", "amqp", false, "10.0.0.1", 5672, 3),
			sListener("", "amqp", false, "10.0.0.2", 5672, 4))), want: []Status{Fail, Fail}, subjects: []string{"amqp:5672", "amqp:5672#2"}},
		{name: "loopback plaintext passes", b: sBroker(model.EngineActiveMQ, sListeners(
			sListener("local", "openwire", false, "127.0.0.1", 61616, 3), sListener("local6", "openwire", false, "::1", 61618, 4))),
			want: []Status{Pass}},
		{name: "unknown TLS", b: sBroker(model.EngineRabbitMQ, sListeners(unknownTLS)), want: []Status{Unknown}},
		{name: "unresolved host", b: sBroker(model.EngineActiveMQ, sListeners(unknownHost)), want: []Status{Unknown}},
		{name: "unknown listener set", b: sBroker(model.EngineActiveMQ, func(b *model.Broker) { b.SelfManaged.ListenersState = model.Unknown }),
			want: []Status{Unknown}},
		{name: "plaintext probe", b: sBroker(model.EngineActiveMQ, sProbe, sEndpoints(model.EndpointProbe{URL: "tcp://mq:61616", Protocol: "tcp", Plaintext: true})),
			want: []Status{Fail}, subjects: []string{"tcp://mq:61616"}},
		{name: "plaintext probe error", b: sBroker(model.EngineActiveMQ, sProbe, sEndpoints(model.EndpointProbe{URL: "tcp://mq:61616", Protocol: "tcp", Error: "timeout"})),
			want: []Status{Unknown}},
		{name: "probed Amazon MQ endpoint", b: aBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.SelfManaged = &model.SelfManaged{Endpoints: []model.EndpointProbe{tEndpoint()}}
		}), want: []Status{Pass}},
	})
}
