package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG027ConfigurationPending(t *testing.T) {
	latest := func(v int64, st model.State) func(*model.Broker) {
		return func(b *model.Broker) {
			b.Configuration.Config.LatestRevision = model.Int{V: v, State: st, At: model.Range{Ref: "c-1234#LatestRevision"}}
		}
	}
	running := func(v int64, st model.State) func(*model.Broker) {
		return func(b *model.Broker) {
			b.Configuration.Revision = model.Int{V: v, State: st, At: cRef("Configurations.Current.Revision")}
		}
	}
	aRun(t, mqg027, []aCase{
		{name: "terraform broker", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "rabbitmq", b: aBroker(model.EngineRabbitMQ, cLive), want: []Status{NotApplicable}},
		{name: "unknown engine", b: aBroker("", cLive), want: []Status{Unknown}},
		{name: "latest, nothing pending", b: aBroker(model.EngineActiveMQ, cLive),
			want: []Status{Pass}, from: aState(model.Explicit), contains: "revision 3 of configuration c-1234"},
		{name: "pending equals current", b: aBroker(model.EngineActiveMQ, cPending("c-1234", 3)), want: []Status{Pass}},
		{name: "pending newer revision, also the latest", b: aBroker(model.EngineActiveMQ, cPending("c-1234", 4), latest(4, model.Explicit)),
			want: []Status{Fail}, at: aRange(cRef("Configurations.Pending")), subjects: []string{subjectPendingRevision},
			contains: "revision 4 of configuration c-1234 waits for a reboot"},
		{name: "pending revision behind the latest", b: aBroker(model.EngineActiveMQ, cPending("c-1234", 4), latest(5, model.Explicit)),
			want: []Status{Fail, Fail}, subjects: []string{subjectPendingRevision, subjectLatestRevision}},
		{name: "pending other configuration", b: aBroker(model.EngineActiveMQ, cPending("c-9999", 1)),
			want: []Status{Fail}, contains: "c-9999"},
		{name: "behind the latest", b: aBroker(model.EngineActiveMQ, cLive, latest(5, model.Explicit)),
			want: []Status{Fail}, at: aRange(cRef("Configurations.Current.Revision")), contains: "latest revision is 5",
			subjects: []string{subjectLatestRevision}},
		{name: "pending unknown", b: aBroker(model.EngineActiveMQ, cLive, func(b *model.Broker) { b.PendingConfigurationState = model.Unknown }),
			want: []Status{Unknown}},
		{name: "pending unknown but behind the latest", b: aBroker(model.EngineActiveMQ, cLive, latest(4, model.Explicit),
			func(b *model.Broker) { b.PendingConfigurationState = model.Unknown }), want: []Status{Fail}},
		{name: "pending revision unknown", b: aBroker(model.EngineActiveMQ, cPending("c-1234", 4),
			func(b *model.Broker) { b.PendingConfiguration.Revision = model.Int{} }), want: []Status{Unknown}},
		{name: "configuration unreadable", b: aBroker(model.EngineActiveMQ, cLive, func(b *model.Broker) { b.Configuration.Config = nil }),
			want: []Status{Unknown}, at: aRange(cRef("Configurations.Current"))},
		{name: "latest unknown", b: aBroker(model.EngineActiveMQ, cLive, latest(0, model.Unknown)), want: []Status{Unknown}},
		{name: "running revision unknown", b: aBroker(model.EngineActiveMQ, cLive, running(0, model.Unknown)), want: []Status{Unknown}},
		{name: "no configuration read", b: aBroker(model.EngineActiveMQ, cLive, func(b *model.Broker) { b.Configuration = nil }),
			want: []Status{Unknown}},
		{name: "unknown configuration id", b: aBroker(model.EngineActiveMQ, cLive, func(b *model.Broker) {
			b.Configuration.ID = model.UnknownString(cRef("Configurations.Current.Id"))
		}), want: []Status{Pass}, contains: "its configuration"},
	})
}
