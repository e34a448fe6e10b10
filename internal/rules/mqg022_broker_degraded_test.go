package rules

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG022BrokerDegraded(t *testing.T) {
	critical := model.ExplicitString("CRITICAL_ACTION_REQUIRED", cRef("BrokerState"))
	running := model.ExplicitString("RUNNING", cRef("BrokerState"))
	unknownState := model.UnknownString(cRef("BrokerState"))
	unknownActions := model.StringList{State: model.Unknown, At: cRef("ActionsRequired")}
	aRun(t, mqg022, []aCase{
		{name: "terraform broker", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "running", b: aBroker(model.EngineActiveMQ, cLive), want: []Status{Pass},
			from: aState(model.Explicit), contains: "RUNNING"},
		{name: "reboot in progress", b: aBroker(model.EngineRabbitMQ, cState(model.ExplicitString("REBOOT_IN_PROGRESS", cRef("BrokerState")), cActions())),
			want: []Status{Pass}},
		{name: "critical without codes", b: aBroker(model.EngineActiveMQ, cState(critical, cActions())),
			want: []Status{Fail}, at: aRange(cRef("BrokerState")), contains: "CRITICAL_ACTION_REQUIRED"},
		{name: "critical state, codes unreadable", b: aBroker(model.EngineActiveMQ, cState(critical, unknownActions)),
			want: []Status{Fail}},
		{name: "one code", b: aBroker(model.EngineActiveMQ, cState(critical, cActions("BROKER_OOM"))),
			want: []Status{Fail}, at: aRange(cRef("ActionsRequired")), contains: "restart loop",
			subjects: []string{"BROKER_OOM"}},
		{name: "codes on a running broker", b: aBroker(model.EngineRabbitMQ, cState(running, cActions("RABBITMQ_MEMORY_ALARM", "RABBITMQ_DISK_ALARM"))),
			want: []Status{Fail, Fail}, subjects: []string{"RABBITMQ_MEMORY_ALARM", "RABBITMQ_DISK_ALARM"}},
		{name: "duplicate and blank codes", b: aBroker(model.EngineRabbitMQ, cState(critical, cActions("RABBITMQ_INVALID_KMS_KEY", " ", "RABBITMQ_INVALID_KMS_KEY"))),
			want: []Status{Fail}, contains: "kms enable-key"},
		{name: "unlisted code", b: aBroker(model.EngineActiveMQ, cState(critical, cActions("SOMETHING_NEW"))),
			want: []Status{Fail}, contains: "Troubleshooting", subjects: []string{"SOMETHING_NEW"}},
		{name: "codes known, state unknown", b: aBroker(model.EngineActiveMQ, cState(unknownState, cActions("BROKER_ENI_DELETED"))),
			want: []Status{Fail}, contains: "network interface"},
		{name: "state unknown", b: aBroker(model.EngineActiveMQ, cState(unknownState, cActions())),
			want: []Status{Unknown}, at: aRange(cRef("BrokerState"))},
		{name: "actions unknown", b: aBroker(model.EngineActiveMQ, cState(running, unknownActions)),
			want: []Status{Unknown}, at: aRange(cRef("ActionsRequired"))},
		{name: "unknown engine", b: aBroker("", cLive), want: []Status{Pass}},
	})
}

// TestActionCodesTable: every entry explains the code and gives a fix, in sentences the message
// can embed.
func TestActionCodesTable(t *testing.T) {
	for code, ac := range actionCodes {
		if code != strings.ToUpper(strings.TrimSpace(code)) {
			t.Errorf("%q: codes are upper-case", code)
		}
		if ac.Meaning == "" || strings.HasSuffix(ac.Meaning, ".") || ac.Fix == "" || !strings.HasSuffix(ac.Fix, ".") {
			t.Errorf("%s: Meaning is a clause without a full stop, Fix full sentences", code)
		}
	}
	for _, code := range []string{"BROKER_ENI_DELETED", "BROKER_OOM", "RABBITMQ_MEMORY_ALARM", "RABBITMQ_INVALID_KMS_KEY", "RABBITMQ_DISK_ALARM"} {
		if _, ok := actionCodes[code]; !ok {
			t.Errorf("%s is missing from the table", code)
		}
	}
}
