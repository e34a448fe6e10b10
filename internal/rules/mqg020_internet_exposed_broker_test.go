package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG020InternetExposedBroker(t *testing.T) {
	amq, rmq := model.EngineActiveMQ, model.EngineRabbitMQ
	open := bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0")))
	closed := bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "10.0.0.0/8")))
	unresolved := bGroups(model.SecurityGroupRef{ID: model.ExplicitString("sg-0abc", aAt(7))})
	tagsUnknown := func(b *model.Broker) { b.Tags.State = model.Unknown }

	bRunCases(t, mqg020, []bCase{
		{"private", aBroker(rmq), []Status{Pass}, nil},
		{"private with open group", aBroker(amq, open), []Status{Pass}, nil},
		{"public unknown", aBroker(rmq, func(b *model.Broker) { b.PubliclyAccessible = model.UnknownBool(aAt(6)) }), []Status{Unknown}, nil},
		{"public rabbitmq", aBroker(rmq, bPublic(true)), []Status{Fail}, nil},
		{"public activemq, open group", aBroker(amq, bPublic(true), open), []Status{Fail}, nil},
		{"public activemq, closed group", aBroker(amq, bPublic(true), closed), []Status{Pass}, nil},
		{"public activemq, no group", aBroker(amq, bPublic(true)), []Status{Pass}, nil},
		{"public activemq, unresolved group", aBroker(amq, bPublic(true), unresolved), []Status{Unknown}, nil},
		{"public activemq, confidential", aBroker(amq, bPublic(true), closed, aTags("Data-Sensitivity", " Confidential ")), []Status{Fail}, nil},
		{"public activemq, restricted, unresolved group", aBroker(amq, bPublic(true), unresolved, aTags("data-sensitivity", "restricted")), []Status{Fail}, nil},
		{"public activemq, internal data", aBroker(amq, bPublic(true), aTags("data-sensitivity", "internal")), []Status{Pass}, nil},
		{"public activemq, tags unknown", aBroker(amq, bPublic(true), tagsUnknown), []Status{Unknown}, nil},
		{"public activemq, tags unknown but sensitivity known", aBroker(amq, bPublic(true), aTags("data-sensitivity", "public"), tagsUnknown), []Status{Pass}, nil},
		{"private, confidential", aBroker(amq, aTags("data-sensitivity", "confidential")), []Status{Pass}, nil},
		{"public, engine unknown, shared port open", aBroker("", bPublic(true), bGroups(bGroup("aws_security_group.a", bIngress("tcp", 5671, 5671, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"public, engine unknown, nothing open", aBroker("", bPublic(true), closed), []Status{Unknown}, nil},
	})
	if mqg020.Severity != Critical {
		t.Errorf("severity = %v, want CRITICAL", mqg020.Severity)
	}
}
