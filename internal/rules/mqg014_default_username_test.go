package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG014DefaultUsername(t *testing.T) {
	bRunCases(t, mqg014, []bCase{
		{"no users", aBroker(model.EngineActiveMQ), []Status{Pass}, nil},
		{"specific names", aBroker(model.EngineActiveMQ, bNamedUsers("orders-app", "administrator-bot", "mqtt-gateway")), []Status{Pass}, nil},
		{"admin", aBroker(model.EngineActiveMQ, bNamedUsers("admin")), []Status{Fail}, []string{"admin"}},
		{"case and blanks", aBroker(model.EngineRabbitMQ, bNamedUsers("ROOT", " Guest ")), []Status{Fail, Fail}, []string{"ROOT", " Guest "}},
		{"every default", aBroker(model.EngineRabbitMQ, bNamedUsers("sa", "mq", "rabbitmq", "activemq", "broker", "system", "default",
			"manager", "test", "user", "administrator")), []Status{Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail, Fail}, nil},
		{"unknown name", aBroker(model.EngineActiveMQ, bNamedUsers("orders-app", "?")), []Status{Unknown}, nil},
		{"unknown name and a default", aBroker(model.EngineActiveMQ, bNamedUsers("?", "admin")), []Status{Fail}, []string{"admin"}},
		{"generated name", aBroker(model.EngineActiveMQ, bNamedUsers("orders-app", "?"), bGenerated(1)), []Status{Pass}, nil},
		{"generated name and an unknown one", aBroker(model.EngineActiveMQ, bNamedUsers("?", "?"), bGenerated(0)), []Status{Unknown}, nil},
		{"generated name and a default", aBroker(model.EngineActiveMQ, bNamedUsers("?", "guest"), bGenerated(0)), []Status{Fail}, []string{"guest"}},
		{"user list unknown", aBroker(model.EngineActiveMQ, bNamedUsers("orders-app"), func(b *model.Broker) { b.UsersState = model.Unknown }), []Status{Unknown}, nil},
	})

	t.Run("configurable list", func(t *testing.T) {
		ctx := aCtx()
		ctx.Settings.DefaultUsernames = []string{"svc"}
		got := mqg014.Check(aBroker(model.EngineActiveMQ, bNamedUsers("admin", "SVC")), ctx)
		bCheckResults(t, got, []Status{Fail}, []string{"SVC"})
	})
}

// bGenerated marks the username of user i as generated at apply time (its value unknown).
func bGenerated(i int) func(*model.Broker) {
	return func(b *model.Broker) {
		b.Users[i].Username = model.UnknownString(b.Users[i].At)
		b.Users[i].UsernameGenerated = true
	}
}
