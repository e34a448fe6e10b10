package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG014DefaultUsername(t *testing.T) {
	users := func(names ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			for i, n := range names {
				u := bUser(n, 10+2*i)
				if n == "?" {
					u.Username = model.UnknownString(bAt(10 + 2*i))
				}
				b.Users = append(b.Users, u)
			}
		}
	}
	tests := []struct {
		name     string
		b        *model.Broker
		want     []Status
		subjects []string
	}{
		{"no users", bBroker(model.EngineActiveMQ), []Status{Pass}, nil},
		{"specific names", bBroker(model.EngineActiveMQ, users("orders-app", "administrator-bot", "mqtt-gateway")), []Status{Pass}, nil},
		{"admin", bBroker(model.EngineActiveMQ, users("admin")), []Status{Fail}, []string{"admin"}},
		{"case and blanks", bBroker(model.EngineRabbitMQ, users("ROOT", " Guest ")), []Status{Fail, Fail}, []string{"ROOT", " Guest "}},
		{"every default", bBroker(model.EngineRabbitMQ, users("sa", "mq", "rabbitmq", "activemq", "broker", "system", "default",
			"manager", "test", "user", "administrator")), []Status{Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail}, nil},
		{"unknown name", bBroker(model.EngineActiveMQ, users("orders-app", "?")), []Status{Unknown}, nil},
		{"unknown name and a default", bBroker(model.EngineActiveMQ, users("?", "admin")), []Status{Fail}, []string{"admin"}},
		{"user list unknown", bBroker(model.EngineActiveMQ, users("orders-app"), func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bCheckResults(t, bRun(mqg014, tt.b), tt.want, tt.subjects)
		})
	}

	t.Run("configurable list", func(t *testing.T) {
		ctx := bCtx()
		ctx.Settings.DefaultUsernames = []string{"svc"}
		got := mqg014.Check(bBroker(model.EngineActiveMQ, users("admin", "SVC")), ctx)
		bCheckResults(t, got, []Status{Fail}, []string{"SVC"})
	})
}
