package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG031WeakPasswordHashing(t *testing.T) {
	md5 := sTagged("legacy", 31)
	md5.HashingAlgorithm = model.ExplicitString(md5Hashing, sAt(31))
	unknownHash := sTagged("x", 32)
	unknownHash.HashingAlgorithm = model.UnknownString(sAt(32))
	aRun(t, mqg031, []aCase{
		{name: "amazon broker", b: aBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "sha256", b: sBroker(model.EngineRabbitMQ, sUsers(sTagged("ops", 30, "administrator"))), want: []Status{Pass}},
		{name: "md5 user", b: sBroker(model.EngineRabbitMQ, sUsers(sTagged("ops", 30), md5)), want: []Status{Fail},
			subjects: []string{"legacy"}, at: aRange(sAt(31))},
		{name: "md5 module", b: sBroker(model.EngineRabbitMQ, sConf("password_hashing_module", "rabbit_password_hashing_md5")),
			want: []Status{Fail}, subjects: []string{"password_hashing_module"}},
		{name: "hashing unknown", b: sBroker(model.EngineRabbitMQ, sUsers(unknownHash)), want: []Status{Unknown}},
		{name: "users unknown", b: sBroker(model.EngineRabbitMQ, sUnknownUsers), want: []Status{Unknown}},
		{name: "conf unread, users sha256", b: sBroker(model.EngineRabbitMQ, sUsers(sTagged("ops", 30)), func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.ConfState = model.Unknown
		}), want: []Status{Pass}, contains: "not read"},
	})
}

func TestMQG031DefaultUser(t *testing.T) {
	def := sTagged("guest", 1, "administrator")
	def.Realm, def.HashingAlgorithm = "default_user", model.UnknownString(sAt(1))
	aRun(t, mqg031, []aCase{
		{name: "node default module", b: sBroker(model.EngineRabbitMQ, sUsers(def)), want: []Status{Pass}},
		{name: "node md5 module", b: sBroker(model.EngineRabbitMQ, sUsers(def), sConf("password_hashing_module", md5Hashing)),
			want: []Status{Fail}},
		{name: "node configuration unread", b: sBroker(model.EngineRabbitMQ, sUsers(def), func(b *model.Broker) {
			b.SelfManaged.RabbitMQ.ConfState = model.Unknown
		}), want: []Status{Unknown}},
	})
}
