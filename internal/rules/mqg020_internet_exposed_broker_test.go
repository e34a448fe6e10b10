package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG020InternetExposedBroker(t *testing.T) {
	amq, rmq := model.EngineActiveMQ, model.EngineRabbitMQ
	open := bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0")))
	closed := bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "10.0.0.0/8")))
	unresolved := bGroups(model.SecurityGroupRef{ID: model.ExplicitString("sg-0abc", bAt(7))})
	tagsUnknown := func(b *model.Broker) { b.Tags.State = model.Unknown }

	tests := []struct {
		name string
		b    *model.Broker
		want []Status
	}{
		{"private", bBroker(rmq), []Status{Pass}},
		{"private with open group", bBroker(amq, open), []Status{Pass}},
		{"public unknown", bBroker(rmq, func(b *model.Broker) { b.PubliclyAccessible = model.UnknownBool(bAt(6)) }), []Status{Unknown}},
		{"public rabbitmq", bBroker(rmq, bPublic(true)), []Status{Fail}},
		{"public activemq, open group", bBroker(amq, bPublic(true), open), []Status{Fail}},
		{"public activemq, closed group", bBroker(amq, bPublic(true), closed), []Status{Pass}},
		{"public activemq, no group", bBroker(amq, bPublic(true)), []Status{Pass}},
		{"public activemq, unresolved group", bBroker(amq, bPublic(true), unresolved), []Status{Unknown}},
		{"public activemq, confidential", bBroker(amq, bPublic(true), closed, bTags("Data-Sensitivity", " Confidential ")), []Status{Fail}},
		{"public activemq, restricted, unresolved group", bBroker(amq, bPublic(true), unresolved, bTags("data-sensitivity", "restricted")), []Status{Fail}},
		{"public activemq, internal data", bBroker(amq, bPublic(true), bTags("data-sensitivity", "internal")), []Status{Pass}},
		{"public activemq, tags unknown", bBroker(amq, bPublic(true), tagsUnknown), []Status{Unknown}},
		{"public activemq, tags unknown but sensitivity known", bBroker(amq, bPublic(true), bTags("data-sensitivity", "public"), tagsUnknown), []Status{Pass}},
		{"private, confidential", bBroker(amq, bTags("data-sensitivity", "confidential")), []Status{Pass}},
		{"public, engine unknown, shared port open", bBroker("", bPublic(true), bGroups(bGroup("aws_security_group.a", bIngress("tcp", 5671, 5671, "0.0.0.0/0")))), []Status{Fail}},
		{"public, engine unknown, nothing open", bBroker("", bPublic(true), closed), []Status{Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bRun(mqg020, tt.b)
			bCheckResults(t, got, tt.want, nil)
			if mqg020.Severity != Critical {
				t.Errorf("severity = %v, want CRITICAL", mqg020.Severity)
			}
		})
	}
}
