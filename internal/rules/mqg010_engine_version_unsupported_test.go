package rules

import (
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG010EngineVersion(t *testing.T) {
	at := func(date string) *Context {
		d, err := time.Parse(time.DateOnly, date)
		if err != nil {
			t.Fatal(err)
		}
		return &Context{AsOf: d, Settings: DefaultSettings()}
	}
	aRun(t, mqg010, []aCase{
		{name: "activemq 5.18 supported", b: aBroker(model.EngineActiveMQ), want: []Status{Pass}, from: aState(model.Explicit)},
		{name: "activemq 5.19", b: aBroker(model.EngineActiveMQ, aVersion("5.19")), want: []Status{Pass}},
		{name: "activemq 5.18 alone never judged on patch", b: aBroker(model.EngineActiveMQ, aVersion("5.18")), want: []Status{Pass}},
		{name: "activemq 5.18.3 fixed", b: aBroker(model.EngineActiveMQ, aVersion("5.18.3")), want: []Status{Pass}},
		{name: "activemq 5.18.2 vulnerable", b: aBroker(model.EngineActiveMQ, aVersion("5.18.2")),
			want: []Status{Fail}, sev: aSev(Critical), contains: "CVE-2023-46604", at: aRange(aAt(4))},
		{name: "activemq 5.17.5 vulnerable and past end of support", b: aBroker(model.EngineActiveMQ, aVersion("5.17.5")),
			want: []Status{Fail}, sev: aSev(Critical), contains: "end of support on 2025-06-16"},
		{name: "activemq 5.17.6 past end of support", b: aBroker(model.EngineActiveMQ, aVersion("5.17.6")),
			want: []Status{Fail}, sev: aSev(High), contains: "2025-06-16"},
		{name: "activemq 5.17.6 before end of support", b: aBroker(model.EngineActiveMQ, aVersion("5.17.6")), ctx: at("2025-01-01"),
			want: []Status{Pass}},
		{name: "activemq 5.17 within 90 days", b: aBroker(model.EngineActiveMQ, aVersion("5.17")), ctx: at("2025-04-01"),
			want: []Status{Fail}, sev: aSev(Medium)},
		{name: "activemq 5.17 exactly 90 days before", b: aBroker(model.EngineActiveMQ, aVersion("5.17")), ctx: at("2025-03-18"),
			want: []Status{Fail}, sev: aSev(Medium)},
		{name: "activemq 5.17 91 days before", b: aBroker(model.EngineActiveMQ, aVersion("5.17")), ctx: at("2025-03-17"),
			want: []Status{Pass}},
		{name: "activemq 5.17 on its end of support day", b: aBroker(model.EngineActiveMQ, aVersion("5.17")), ctx: at("2025-06-16"),
			want: []Status{Fail}, sev: aSev(High)},
		{name: "activemq 5.16.7 fixed but past end of support", b: aBroker(model.EngineActiveMQ, aVersion("5.16.7")),
			want: []Status{Fail}, sev: aSev(High)},
		{name: "activemq 5.15.15 vulnerable", b: aBroker(model.EngineActiveMQ, aVersion("5.15.15")),
			want: []Status{Fail}, sev: aSev(Critical)},
		{name: "activemq 5.15.16 fixed before end of support", b: aBroker(model.EngineActiveMQ, aVersion("5.15.16")), ctx: at("2024-01-01"),
			want: []Status{Pass}},
		{name: "activemq older than the table", b: aBroker(model.EngineActiveMQ, aVersion("5.14.5")), want: []Status{Fail}, sev: aSev(Critical), contains: "CVE-2023-46604"},
		{name: "activemq newer than the table", b: aBroker(model.EngineActiveMQ, aVersion("5.20")), want: []Status{Unknown}},
		{name: "activemq newer than the table, offered live", b: aBroker(model.EngineActiveMQ, aVersion("5.20")),
			ctx: &Context{AsOf: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Settings: DefaultSettings(),
				Inventory: &model.Inventory{OfferedVersions: map[string][]string{model.EngineActiveMQ: {"5.19", "5.20"}}}},
			want: []Status{Pass}, contains: "DescribeBrokerEngineTypes"},
		{name: "rabbitmq older than the table", b: aBroker(model.EngineRabbitMQ, aVersion("3.7.6")), want: []Status{Fail}, sev: aSev(High), contains: "older than every version"},
		{name: "rabbitmq 3.13", b: aBroker(model.EngineRabbitMQ), want: []Status{Pass}},
		{name: "rabbitmq 3.13.7", b: aBroker(model.EngineRabbitMQ, aVersion("3.13.7")), want: []Status{Pass}},
		{name: "rabbitmq 4.2", b: aBroker(model.EngineRabbitMQ, aVersion("4.2")), want: []Status{Pass}},
		{name: "rabbitmq 3.8.34", b: aBroker(model.EngineRabbitMQ, aVersion("3.8.34")), want: []Status{Fail}, sev: aSev(High)},
		{name: "rabbitmq 3.12 past", b: aBroker(model.EngineRabbitMQ, aVersion("3.12")), want: []Status{Fail}, sev: aSev(High)},
		{name: "rabbitmq 3.1 is not 3.10", b: aBroker(model.EngineRabbitMQ, aVersion("3.1")), want: []Status{Fail}, sev: aSev(High)},
		{name: "rabbitmq version on activemq table", b: aBroker(model.EngineActiveMQ, aVersion("3.13")), want: []Status{Unknown}},
		{name: "garbage version", b: aBroker(model.EngineActiveMQ, aVersion("latest")), want: []Status{Unknown}},
		{name: "unknown version", b: aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.EngineVersion = model.UnknownString(aAt(4)) }),
			want: []Status{Unknown}, at: aRange(aAt(4))},
		{name: "unknown engine", b: aBroker("", aVersion("5.18")), want: []Status{Unknown}},
		{name: "engine in lower case", b: aBroker("activemq", aVersion("5.18.2")), want: []Status{Fail}, sev: aSev(Critical)},
	})
}

func TestMQG010WithoutAsOfUsesToday(t *testing.T) {
	res := mqg010.Check(aBroker(model.EngineRabbitMQ, func(b *model.Broker) {
		b.EngineVersion = model.ExplicitString("3.8", aAt(4))
	}), nil)
	if res[0].Status != Fail {
		t.Fatalf("3.8 today: %+v", res)
	}
}
