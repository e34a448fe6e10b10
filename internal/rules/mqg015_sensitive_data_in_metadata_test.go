package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG015SensitiveDataInMetadata(t *testing.T) {
	const email, phone, card = "jane.doe@example.com", "+44 20 7946 0958", "4111 1111 1111 1111"
	users := func(names ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			for i, n := range names {
				b.Users = append(b.Users, bUser(n, 10+2*i))
			}
		}
	}
	withConfig := func(name, desc string) func(*model.Broker) {
		return func(b *model.Broker) {
			bConfig(&model.ActiveMQConfig{})(b)
			b.Configuration.Config.Name = model.ExplicitString(name, bAt(51))
			b.Configuration.Config.Description = model.ExplicitString(desc, bAt(53))
		}
	}
	tests := []struct {
		name     string
		b        *model.Broker
		want     []Status
		subjects []string
	}{
		{"clean", bBroker(model.EngineActiveMQ, users("orders-app"), bTags("owner", "team-payments", "created", "2024-09-16",
			"account", "123456789012", "cidr", "10.0.0.0/16", "version", "5.18.3")), []Status{Pass}, nil},
		{"email in tag value", bBroker(model.EngineActiveMQ, bTags("owner", email)), []Status{Fail}, []string{"tag:owner"}},
		{"pii in tag key", bBroker(model.EngineActiveMQ, bTags(email, "owner")), []Status{Fail}, []string{"tag-key:j***@e***.com"}},
		{"pii in key and value", bBroker(model.EngineActiveMQ, bTags(email, phone)), []Status{Fail, Fail},
			[]string{"tag-key:j***@e***.com", "tag:j***@e***.com"}},
		{"phone in name", bBroker(model.EngineRabbitMQ, func(b *model.Broker) { b.Name = model.ExplicitString("orders "+phone, bAt(2)) }),
			[]Status{Fail}, []string{"name"}},
		{"email username", bBroker(model.EngineActiveMQ, users("orders-app", email)), []Status{Fail}, []string{"username:j***@e***.com"}},
		{"card in configuration description", bBroker(model.EngineActiveMQ, withConfig("orders", "test card "+card)),
			[]Status{Fail}, []string{"configuration-description"}},
		{"name unknown", bBroker(model.EngineActiveMQ, func(b *model.Broker) { b.Name = model.UnknownString(bAt(2)) }), []Status{Unknown}, nil},
		{"tags unknown", bBroker(model.EngineActiveMQ, bTags("team", "payments"), func(b *model.Broker) { b.Tags.State = model.Unknown }),
			[]Status{Unknown}, nil},
		{"tags unknown, known pii", bBroker(model.EngineActiveMQ, bTags("owner", email), func(b *model.Broker) { b.Tags.State = model.Unknown }),
			[]Status{Fail}, nil},
		{"users unknown", bBroker(model.EngineActiveMQ, func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil},
		{"unresolved configuration is not judged", bBroker(model.EngineActiveMQ, func(b *model.Broker) {
			b.Configuration = &model.ConfigurationRef{ID: model.ExplicitString("c-1", bAt(8)), At: bAt(8)}
		}), []Status{Pass}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg015, tt.b), tt.want, tt.subjects, email, phone, card, "jane", "7946")
		})
	}

	t.Run("unused configuration", func(t *testing.T) {
		c := bConfiguration(&model.ActiveMQConfig{})
		c.Description = model.ExplicitString("owner "+email, bAt(53))
		c.Tags = model.Tags{V: map[string]string{"contact": phone}, State: model.Explicit, At: bAt(54)}
		got := mqg015.CheckConfiguration(c, bCtx())
		bCheckResults(t, got, []Status{Fail, Fail}, []string{"configuration-description", "configuration tag:contact"}, email, phone)
		c.Description, c.Tags = model.DefaultString("", bAt(50)), model.Tags{State: model.Default}
		bCheckResults(t, mqg015.CheckConfiguration(c, bCtx()), []Status{Pass}, nil)
	})
}
