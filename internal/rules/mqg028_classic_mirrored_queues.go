package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// haKeys are the policy keys of classic queue mirroring.
var haKeys = []string{"ha-mode", "ha-params", "ha-sync-mode"}

// amazonMQOperatorPolicy is the policy Amazon MQ applies to its 3.x cluster brokers.
const amazonMQOperatorPolicy = "default_operator_policy_AWS_managed"

var mqg028 = &Rule{
	ID:       "MQG028",
	Slug:     "classic-mirrored-queues",
	Title:    "Queues rely on classic mirroring (ha-mode), removed in RabbitMQ 4",
	Severity: High,
	Engines:  []string{model.EngineRabbitMQ},
	Rationale: "Classic queue mirroring was deprecated in 2021 and removed in RabbitMQ 4.0: 4.x rejects new " +
		"ha-* policies, and the ones carried over an upgrade have no effect, so the queues they were meant to " +
		"replicate live on one node and lose their messages with it. On 3.x the policies block the upgrade " +
		"path. Quorum queues (or streams) are the replicated queue types. The policy Amazon MQ applies to its " +
		"own 3.x clusters, and the ha-* keys it adds to custom policies there, are not the user's and pass.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Declare the queues as quorum queues (`x-queue-type: quorum`, or a vhost " +
			"default_queue_type of quorum) and remove ha-mode, ha-params and ha-sync-mode from the policies in the " +
			"definitions; migrate existing mirrored queues (shovel or blue-green) before upgrading to 4.x.",
		model.SourceProbe: "Remove the ha-* keys from the policies (`rabbitmqctl clear_policy` / set_policy without " +
			"them) and move the queues to quorum queues or streams.",
		model.SourceAWS: "Move the queues to quorum queues before the upgrade to RabbitMQ 4 and remove the ha-* keys " +
			"from your own policies.",
		model.SourceTerraform: "Classic mirroring is set by policies, not in code: check the broker's policies " +
			"with a probe of its management API.",
	},
	SelfManaged: true,
	Check:       checkClassicMirroredQueues,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Fail,
			Note: "A definitions export with an ha-mode: all policy on every queue.",
			Files: map[string]string{"definitions.json": `{
  "rabbit_version": "3.12.14",
  "rabbitmq_version": "3.12.14",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [{"user": "ops", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
  "policies": [
    {"vhost": "/", "name": "ha-all", "pattern": ".*", "apply-to": "queues", "priority": 0,
     "definition": {"ha-mode": "all", "ha-sync-mode": "automatic"}}
  ],
  "queues": [],
  "exchanges": [],
  "bindings": []
}
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Pass,
			Note: "Policies that set only a queue length limit; the queues are quorum queues.",
			Files: map[string]string{"definitions.json": `{
  "rabbit_version": "3.13.7",
  "rabbitmq_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [{"user": "ops", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
  "policies": [
    {"vhost": "/", "name": "limits", "pattern": ".*", "apply-to": "queues", "priority": 0,
     "definition": {"max-length": 100000, "overflow": "reject-publish"}}
  ],
  "queues": [
    {"name": "orders", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-queue-type": "quorum"}}
  ],
  "exchanges": [],
  "bindings": []
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "An Amazon MQ broker in code: its policies are only seen through its management API.",
			Files: map[string]string{"main.tf": strings.NewReplacer(`"ActiveMQ"`, `"RabbitMQ"`, `"5.18"`, `"3.13"`).Replace(tfPlainBroker)},
		},
	},
}

func checkClassicMirroredQueues(b *model.Broker, _ *Context) []Result {
	s := rabbitSettings(b)
	switch {
	case (s == nil || s.PoliciesState == model.Unknown) && !b.IsSelfManaged():
		return notApplicable("The broker's policies are not part of this input (a probe of its management API shows them).", b.ID.At)
	case s == nil || s.PoliciesState == model.Unknown:
		return unknownResult("The broker's policies (no definitions export or management API was read)", b.ID.At)
	}
	v, _, vok := brokerVersion(b)
	amazon := s.AmazonMQ || !b.IsSelfManaged()
	var fails []Result
	for _, p := range s.Policies {
		if p.Name == amazonMQOperatorPolicy || amazon && !(vok && v.Major >= 4) {
			continue // Amazon MQ's own mirroring on its 3.x clusters
		}
		var found []string
		for _, k := range p.Keys {
			if containsFold(haKeys, strings.TrimSpace(k)) {
				found = append(found, k)
			}
		}
		if len(found) == 0 {
			continue
		}
		kind := "Policy"
		if p.Operator {
			kind = "Operator policy"
		}
		msg := kind + " '" + p.Name + "' (vhost '" + p.VHost + "') sets " + strings.Join(found, ", ") + ": "
		switch {
		case vok && v.Major >= 4:
			msg += "RabbitMQ " + v.String() + " ignores classic mirroring, so the queues it matches are not replicated."
		case vok:
			msg += "classic mirroring is removed in RabbitMQ 4.0, so it blocks the upgrade from " + v.String() + "."
		default:
			msg += "classic mirroring is removed in RabbitMQ 4.0 (ignored there, blocking the upgrade from 3.x)."
		}
		subject := "policy:" + p.Name + "@" + p.VHost
		if p.Operator {
			subject = "operator-policy:" + p.Name + "@" + p.VHost
		}
		fails = append(fails, Result{Status: Fail, At: firstRange(p.At, b.ID.At), ValueFrom: model.Explicit, Subject: subject, Message: msg})
	}
	if len(fails) > 0 {
		return uniqueSubjects(fails)
	}
	return one(Pass, "No policy of the broker sets classic queue mirroring.", b.ID.At, model.Explicit)
}
