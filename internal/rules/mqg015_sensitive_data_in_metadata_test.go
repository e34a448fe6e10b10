package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG015SensitiveDataInMetadata(t *testing.T) {
	const email, phone, card = "jane.doe@example.com", "+44 20 7946 0958", "4111 1111 1111 1111"
	withConfig := func(name, desc string) func(*model.Broker) {
		return func(b *model.Broker) {
			bConfig(&model.ActiveMQConfig{})(b)
			b.Configuration.Config.Name = model.ExplicitString(name, aAt(51))
			b.Configuration.Config.Description = model.ExplicitString(desc, aAt(53))
		}
	}
	bRunCases(t, mqg015, []bCase{
		{"clean", aBroker(model.EngineActiveMQ, bNamedUsers("orders-app"), aTags("owner", "team-payments", "created", "2024-09-16",
			"account", "123456789012", "cidr", "10.0.0.0/16", "version", "5.18.3")), []Status{Pass}, nil},
		{"email in tag value", aBroker(model.EngineActiveMQ, aTags("owner", email)), []Status{Fail}, []string{"tag:owner"}},
		{"pii in tag key", aBroker(model.EngineActiveMQ, aTags(email, "owner")), []Status{Fail}, []string{"tag-key:j***@e***.com"}},
		{"pii in key and value", aBroker(model.EngineActiveMQ, aTags(email, phone)), []Status{Fail, Fail},
			[]string{"tag-key:j***@e***.com", "tag:j***@e***.com"}},
		{"phone in name", aBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.Name = model.ExplicitString("orders "+phone, aAt(2)) }),
			[]Status{Fail}, []string{"name"}},
		{"email username", aBroker(model.EngineActiveMQ, bNamedUsers("orders-app", email)), []Status{Fail}, []string{"username:j***@e***.com"}},
		{"card in configuration description", aBroker(model.EngineActiveMQ, withConfig("orders", "test card "+card)),
			[]Status{Fail}, []string{"configuration-description"}},
		{"name unknown", aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.Name = model.UnknownString(aAt(2)) }), []Status{Unknown}, nil},
		{"tags unknown", aBroker(model.EngineActiveMQ, aTags("team", "payments"), func(b *model.Broker) { b.Tags.State = model.Unknown }),
			[]Status{Unknown}, nil},
		{"tags unknown, known pii", aBroker(model.EngineActiveMQ, aTags("owner", email), func(b *model.Broker) { b.Tags.State = model.Unknown }),
			[]Status{Fail}, nil},
		{"users unknown", aBroker(model.EngineActiveMQ, func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil},
		{"unresolved configuration is not judged", aBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.Configuration = &model.ConfigurationRef{ID: model.ExplicitString("c-1", aAt(8)), At: aAt(8)}
		}), []Status{Pass}, nil},
	}, email, phone, card, "jane", "7946")

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{})
		c.Description = model.ExplicitString("owner "+email, aAt(53))
		c.Tags = model.Tags{V: map[string]string{"contact": phone}, State: model.Explicit, At: aAt(54)}
		got := mqg015.CheckConfiguration(c, aCtx())
		bCheckResults(t, got, []Status{Fail, Fail}, []string{"configuration-description", "configuration tag:contact"}, email, phone)
		c.Description, c.Tags = model.DefaultString("", aAt(50)), model.Tags{State: model.Default}
		bCheckResults(t, mqg015.CheckConfiguration(c, aCtx()), []Status{Pass}, nil)
	})
}
