package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// aConfig is a parsed ActiveMQ configuration with the given network connectors.
func aConfig(connectors int) *model.Configuration {
	c := &model.Configuration{
		ID:       model.Identity{Source: model.SourceTerraform, Address: "aws_mq_configuration.example", At: aAt(40)},
		Name:     model.ExplicitString("orders", aAt(41)),
		Engine:   model.ExplicitString(model.EngineActiveMQ, aAt(42)),
		Data:     model.Explicit,
		DataAt:   aAt(44),
		ActiveMQ: &model.ActiveMQConfig{},
		UsedBy:   1,
	}
	for i := range connectors {
		c.ActiveMQ.NetworkConnectors = append(c.ActiveMQ.NetworkConnectors,
			model.NetworkConnector{URI: model.ExplicitString("static:(ssl://peer:61617)", aAt(46+i)), At: aAt(46 + i)})
	}
	return c
}

func aUses(c *model.Configuration) func(*model.Broker) {
	return func(b *model.Broker) { b.Configuration = &model.ConfigurationRef{Config: c, At: aAt(12)} }
}

func aName(v model.String) func(*model.Broker) {
	return func(b *model.Broker) { b.Name = v }
}

func TestMQG004NetworkOfBrokers(t *testing.T) {
	prod := aTags("Environment", "Production")
	unreadable := aConfig(0)
	unreadable.Data, unreadable.ActiveMQ = model.Unknown, nil
	aRun(t, mqg004, []aCase{
		{name: "not production", b: aBroker(model.EngineActiveMQ, aTags("env", "dev")), want: []Status{NotApplicable}},
		{name: "untagged", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "rabbitmq", b: aBroker(model.EngineRabbitMQ, prod), want: []Status{NotApplicable}},
		{name: "production default configuration", b: aBroker(model.EngineActiveMQ, prod),
			want: []Status{Fail}, from: aState(model.Default), at: aRange(aAt(1))},
		{name: "production configuration without connector", b: aBroker(model.EngineActiveMQ, prod, aUses(aConfig(0))),
			want: []Status{Fail}, from: aState(model.Explicit), at: aRange(aAt(44))},
		{name: "production configuration with connector", b: aBroker(model.EngineActiveMQ, prod, aUses(aConfig(2))),
			want: []Status{Pass}, at: aRange(aAt(46))},
		{name: "mesh member name", b: aBroker(model.EngineActiveMQ, prod, aName(model.ExplicitString("orders-Broker-2", aAt(2)))),
			want: []Status{Pass}, at: aRange(aAt(2))},
		{name: "mesh member name other casing", b: aBroker(model.EngineActiveMQ, prod, aName(model.ExplicitString("ORDERS-BROKER-10", aAt(2)))),
			want: []Status{Pass}},
		{name: "name without number", b: aBroker(model.EngineActiveMQ, prod, aName(model.ExplicitString("orders-Broker-", aAt(2)))),
			want: []Status{Fail}},
		{name: "name with suffix", b: aBroker(model.EngineActiveMQ, prod, aName(model.ExplicitString("orders-Broker-1a", aAt(2)))),
			want: []Status{Fail}},
		{name: "unresolved configuration", b: aBroker(model.EngineActiveMQ, prod, aUses(nil)),
			want: []Status{Unknown}, at: aRange(aAt(12))},
		{name: "unreadable configuration", b: aBroker(model.EngineActiveMQ, prod, aUses(unreadable)),
			want: []Status{Unknown}, at: aRange(aAt(44))},
		{name: "unreadable configuration but mesh name", b: aBroker(model.EngineActiveMQ, prod, aUses(unreadable),
			aName(model.ExplicitString("orders-Broker-1", aAt(2)))), want: []Status{Pass}},
		{name: "unknown name and no connector", b: aBroker(model.EngineActiveMQ, prod, aName(model.UnknownString(aAt(2)))),
			want: []Status{Unknown}, at: aRange(aAt(2))},
		{name: "unknown name with connector", b: aBroker(model.EngineActiveMQ, prod, aName(model.UnknownString(aAt(2))), aUses(aConfig(1))),
			want: []Status{Pass}},
		{name: "unknown tags, no connector", b: aBroker(model.EngineActiveMQ, aUnknownTags("owner", "x")),
			want: []Status{Unknown}, at: aRange(aAt(30))},
		{name: "unknown tags, connector", b: aBroker(model.EngineActiveMQ, aUnknownTags(), aUses(aConfig(1))),
			want: []Status{Pass}},
		{name: "unknown tags but known production tag", b: aBroker(model.EngineActiveMQ, aUnknownTags("stage", "live")),
			want: []Status{Fail}},
		{name: "custom production settings", b: aBroker(model.EngineActiveMQ, aTags("tier", "critical")),
			ctx:  &Context{Settings: Settings{ProductionTagKeys: []string{"tier"}, ProductionTagValues: []string{"critical"}}},
			want: []Status{Fail}},
	})
}

func TestMQG004UnusedConfiguration(t *testing.T) {
	prodConfig := func(connectors int) *model.Configuration {
		c := aConfig(connectors)
		c.UsedBy = 0
		c.Tags = model.Tags{V: map[string]string{"env": "prod"}, State: model.Explicit, At: aAt(50)}
		return c
	}
	rabbit := prodConfig(0)
	rabbit.Engine = model.ExplicitString("RabbitMQ", aAt(42))
	untagged := aConfig(0)
	untagged.Tags = model.Tags{State: model.Default, At: aAt(40)}
	unknownData := prodConfig(0)
	unknownData.Data = model.Unknown
	tests := []struct {
		name string
		c    *model.Configuration
		want Status
	}{
		{"production without connector", prodConfig(0), Fail},
		{"production with connector", prodConfig(1), Pass},
		{"not production", untagged, NotApplicable},
		{"rabbitmq", rabbit, NotApplicable},
		{"unknown data", unknownData, Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := mqg004.CheckConfiguration(tc.c, aCtx())
			aCheckInvariants(t, res)
			if res[0].Status != tc.want {
				t.Fatalf("status = %v, want %v: %+v", res[0].Status, tc.want, res)
			}
		})
	}
}

func TestIsMeshMemberName(t *testing.T) {
	for name, want := range map[string]bool{
		"orders-Broker-1": true, "x-broker-12": true, "Broker-1": false, "orders-Broker-": false,
		"orders-Broker-1-dr": false, "": false, "orders-broker-one": false,
	} {
		if got := isMeshMemberName(name); got != want {
			t.Errorf("isMeshMemberName(%q) = %v, want %v", name, got, want)
		}
	}
}
