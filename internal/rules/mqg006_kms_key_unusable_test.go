package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG006KMSKeyUsable(t *testing.T) {
	f := model.ExplicitBool(false, aAt(20))
	keyARN := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	customer := aEncryption(f, model.UnknownString(aAt(21)))
	aRun(t, mqg006, []aCase{
		{name: "aws owned key", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "unknown owned flag", b: aBroker(model.EngineActiveMQ, aEncryption(model.UnknownBool(aAt(20)), model.DefaultString("", aAt(1)))),
			want: []Status{Unknown}},
		{name: "key enabled by default", b: aBroker(model.EngineActiveMQ, customer, aKey(model.DefaultBool(true, aAt(60)), model.String{}, model.String{})),
			want: []Status{Pass}, from: aState(model.Default)},
		{name: "key disabled in code", b: aBroker(model.EngineRabbitMQ, customer, aKey(model.ExplicitBool(false, aAt(63)), model.String{}, model.String{})),
			want: []Status{Fail}, from: aState(model.Explicit), at: aRange(aAt(63))},
		{name: "key enabled unknown", b: aBroker(model.EngineActiveMQ, customer, aKey(model.UnknownBool(aAt(63)), model.String{}, model.String{})),
			want: []Status{Unknown}, at: aRange(aAt(63))},
		{name: "live key enabled", b: aBroker(model.EngineActiveMQ, aLive, customer, aKey(model.Bool{}, model.ExplicitString("Enabled", aAt(61)), model.String{})),
			want: []Status{Pass}},
		{name: "live key pending deletion", b: aBroker(model.EngineActiveMQ, aLive, customer, aKey(model.Bool{}, model.ExplicitString("PendingDeletion", aAt(61)), model.String{})),
			want: []Status{Fail}, contains: "PendingDeletion"},
		{name: "live key disabled", b: aBroker(model.EngineActiveMQ, aLive, customer, aKey(model.ExplicitBool(true, aAt(60)), model.ExplicitString("Disabled", aAt(61)), model.String{})),
			want: []Status{Fail}},
		{name: "live key state unreadable", b: aBroker(model.EngineActiveMQ, aLive, customer, aKey(model.Bool{}, model.UnknownString(aAt(61)), model.String{})),
			want: []Status{Unknown}},
		{name: "aws managed key", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.DefaultString("", aAt(1)))),
			want: []Status{Pass}, contains: "aws/mq"},
		{name: "aws managed alias", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.ExplicitString("alias/aws/mq", aAt(21)))),
			want: []Status{Pass}},
		{name: "live aws managed by key manager", b: aBroker(model.EngineActiveMQ, aLive, aEncryption(f, model.ExplicitString(keyARN, aAt(21))),
			func(b *model.Broker) { b.Encryption.KeyManager = model.ExplicitString("AWS", aAt(22)) }), want: []Status{Pass}},
		{name: "key outside scanned input", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.ExplicitString(keyARN, aAt(21)))),
			want: []Status{Unknown}, at: aRange(aAt(21))},
		{name: "unresolved key id", b: aBroker(model.EngineActiveMQ, customer), want: []Status{Unknown}},
	})
}
