package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg025 = &Rule{
	ID:       "MQG025",
	Slug:     "rabbitmq-guest-remote",
	Title:    "guest user may log in from the network",
	Severity: Critical,
	Engines:  []string{model.EngineRabbitMQ},
	Rationale: "A blank RabbitMQ node creates the administrator guest with the password guest, which every " +
		"scanner tries first. RabbitMQ keeps it to loopback connections by default (loopback_users); " +
		"`loopback_users = none`, `loopback_users.guest = false`, the classic `{loopback_users, []}`, or " +
		"loopback_users keys for other users (which replace the default list) open it to the network, and a " +
		"default_user or default_pass of guest makes the well-known account the node's first administrator.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Remove `loopback_users = none` / `loopback_users.guest = false` (or add " +
			"`loopback_users.guest = true`), set `default_user` and `default_pass` to something other than guest " +
			"(the password from a secrets store), and delete the guest user (`rabbitmqctl delete_user guest`).",
		model.SourceProbe: "Delete the guest user (`rabbitmqctl delete_user guest`) or change its password, and keep " +
			"loopback_users restricting it to localhost.",
		model.SourceTerraform: "Amazon MQ for RabbitMQ has no guest user; nothing to change in code.",
	},
	SelfManaged: true,
	Check:       checkGuestRemote,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "loopback_users = none lets guest/guest log in from anywhere.",
			Files: map[string]string{"rabbitmq.conf": `loopback_users = none
listeners.tcp.default = 5672
management.tcp.port = 15672
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "The default loopback_users keeps guest to localhost.",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp.default = 5672
management.tcp.port = 15672
log.console.level = info
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "Amazon MQ for RabbitMQ has no guest user.",
			Files: map[string]string{"main.tf": strings.NewReplacer(`"ActiveMQ"`, `"RabbitMQ"`, `"5.18"`, `"3.13"`).Replace(tfPlainBroker)},
		},
	},
}

func checkGuestRemote(b *model.Broker, _ *Context) []Result {
	sm := b.SelfManaged
	if sm == nil {
		return notApplicable("Amazon MQ for RabbitMQ has no guest user.", b.ID.At)
	}
	var fails []Result
	if c := sm.Console; c != nil && containsFold(c.DefaultCredentials, "guest") {
		fails = append(fails, Result{Status: Fail, At: firstRange(model.Range{Ref: c.URL}, b.ID.At), ValueFrom: model.Explicit,
			Subject: "probe", Message: "The management API at " + c.URL + " accepted guest with the default password."})
	}
	s := sm.RabbitMQ
	if s == nil || s.ConfState == model.Unknown {
		switch {
		case len(fails) > 0:
			return fails
		case sm.Console != nil && sm.Console.DefaultCredentialsTested:
			return one(Pass, "The management API refused guest with the default password.", b.ID.At, model.Explicit)
		}
		return unknownResult("Whether guest may log in from the network (the node's configuration was not read)", b.ID.At)
	}
	for _, k := range []string{"default_user", "default_pass"} {
		if v, raw, ok := confValue(s, k); ok && v == "guest" {
			what := "the default user's name"
			if k == "default_pass" {
				what = "the default user's password"
			}
			fails = append(fails, Result{Status: Fail, At: raw.At, ValueFrom: raw.State, Subject: k,
				Message: k + " makes guest " + what + ": the well-known account is the node's first administrator."})
		}
	}
	restricted, why, at, from := loopbackRestricted(s, "guest")
	guest, usersKnown := guestUser(sm)
	switch {
	case restricted == Yes || usersKnown && guest == nil:
	default:
		msg := "guest may log in from the network: " + why + "."
		if guest != nil && guest.DefaultPassword {
			msg = "guest, with its default password, may log in from the network: " + why + "."
		}
		fails = append(fails, Result{Status: Fail, At: firstRange(at, settingsAt(b)), ValueFrom: from, Subject: "loopback_users", Message: msg})
	}
	if len(fails) > 0 {
		return fails
	}
	if usersKnown && guest == nil {
		return one(Pass, "The broker has no guest user.", b.ID.At, model.Explicit)
	}
	return one(Pass, "guest is restricted to loopback connections ("+why+").", firstRange(at, settingsAt(b)), from)
}

// guestUser returns the broker's guest user; known says the user list was read.
func guestUser(sm *model.SelfManaged) (guest *model.BrokerUser, known bool) {
	if sm.UsersState == model.Unknown {
		return nil, false
	}
	for i := range sm.Users {
		if u := &sm.Users[i]; u.Username.Known() && strings.EqualFold(u.Username.V, "guest") {
			return u, true
		}
	}
	return nil, true
}
