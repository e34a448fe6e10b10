package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func aEncryption(owned model.Bool, keyID model.String) func(*model.Broker) {
	return func(b *model.Broker) {
		b.Encryption.UseAWSOwnedKey = owned
		b.Encryption.KMSKeyID = keyID
	}
}

func aKey(enabled model.Bool, state model.String, manager model.String) func(*model.Broker) {
	return func(b *model.Broker) {
		b.Encryption.Key = &model.Key{
			ID:         model.Identity{Source: b.ID.Source, Address: "aws_kms_key.mq", At: aAt(60)},
			Enabled:    enabled,
			KeyState:   state,
			KeyManager: manager,
		}
	}
}

func aLive(b *model.Broker) {
	b.ID.Source = model.SourceAWS
	b.ID.ARN = "arn:aws:mq:eu-west-1:111122223333:broker:orders:b-1"
}

func TestMQG005CustomerManagedKey(t *testing.T) {
	f := model.ExplicitBool(false, aAt(20))
	keyARN := "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	aRun(t, mqg005, []aCase{
		{name: "no encryption options", b: aBroker(model.EngineActiveMQ),
			want: []Status{Fail}, from: aState(model.Default), contains: "AWS owned key"},
		{name: "explicit owned key", b: aBroker(model.EngineRabbitMQ, aEncryption(model.ExplicitBool(true, aAt(20)), model.DefaultString("", aAt(19)))),
			want: []Status{Fail}, from: aState(model.Explicit), at: aRange(aAt(20))},
		{name: "owned false without key id", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.DefaultString("", aAt(19)))),
			want: []Status{Fail}, from: aState(model.Default), contains: "aws/mq"},
		{name: "alias aws/mq", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.ExplicitString("alias/aws/mq", aAt(21)))),
			want: []Status{Fail}, at: aRange(aAt(21)), contains: "aws/mq"},
		{name: "alias ARN aws/mq", b: aBroker(model.EngineActiveMQ, aEncryption(f,
			model.ExplicitString("arn:aws:kms:eu-west-1:111122223333:alias/aws/mq", aAt(21)))), want: []Status{Fail}},
		{name: "literal key ARN", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.ExplicitString(keyARN, aAt(21)))),
			want: []Status{Pass}, at: aRange(aAt(21))},
		{name: "customer alias", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.ExplicitString("alias/orders-mq", aAt(21)))),
			want: []Status{Pass}},
		{name: "key resource in code with computed arn", b: aBroker(model.EngineActiveMQ,
			aEncryption(f, model.UnknownString(aAt(21))), aKey(model.DefaultBool(true, aAt(60)), model.String{}, model.String{})),
			want: []Status{Pass}, at: aRange(aAt(21))},
		{name: "unresolved key id", b: aBroker(model.EngineActiveMQ, aEncryption(f, model.UnknownString(aAt(21)))),
			want: []Status{Unknown}, at: aRange(aAt(21))},
		{name: "unknown owned flag", b: aBroker(model.EngineActiveMQ, aEncryption(model.UnknownBool(aAt(20)), model.ExplicitString(keyARN, aAt(21)))),
			want: []Status{Unknown}, at: aRange(aAt(20))},
		{name: "live customer key", b: aBroker(model.EngineActiveMQ, aLive, aEncryption(f, model.ExplicitString(keyARN, aAt(21))),
			func(b *model.Broker) { b.Encryption.KeyManager = model.ExplicitString("CUSTOMER", aAt(22)) }),
			want: []Status{Pass}},
		{name: "live aws managed key", b: aBroker(model.EngineActiveMQ, aLive, aEncryption(f, model.ExplicitString(keyARN, aAt(21))),
			func(b *model.Broker) { b.Encryption.KeyManager = model.ExplicitString("AWS", aAt(22)) }),
			want: []Status{Fail}, contains: "AWS managed"},
		{name: "live key manager from resolved key", b: aBroker(model.EngineActiveMQ, aLive, aEncryption(f, model.ExplicitString(keyARN, aAt(21))),
			aKey(model.Bool{}, model.ExplicitString("Enabled", aAt(61)), model.ExplicitString("AWS", aAt(62)))),
			want: []Status{Fail}},
		{name: "live key manager unreadable", b: aBroker(model.EngineActiveMQ, aLive, aEncryption(f, model.ExplicitString(keyARN, aAt(21)))),
			want: []Status{Unknown}},
		{name: "unexpected key manager", b: aBroker(model.EngineActiveMQ, aLive, aEncryption(f, model.ExplicitString(keyARN, aAt(21))),
			func(b *model.Broker) { b.Encryption.KeyManager = model.ExplicitString("EXTERNAL", aAt(22)) }),
			want: []Status{Unknown}},
	})
}
