package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg029 = &Rule{
	ID:       "MQG029",
	Slug:     "unreplicated-queues",
	Title:    "Durable queues in a cluster are not replicated",
	Severity: Medium,
	Engines:  []string{model.EngineRabbitMQ},
	Rationale: "A classic queue lives on one node of a RabbitMQ cluster: when that node fails, the queue and its " +
		"messages are unavailable, or lost with its disk. On a cluster of 3.8 or later the replicated type is " +
		"the quorum queue, chosen per queue (x-queue-type) or by a vhost's or node's default_queue_type; a " +
		"policy cannot set the type. Exclusive and auto-delete queues are transient by design. Amazon MQ " +
		"mirrors the classic queues of its 3.x clusters itself, and 4.2 defaults to quorum queues.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Declare durable queues with `x-queue-type: quorum`, or set `default_queue_type = " +
			"quorum` on their vhost (3.13+, `rabbitmqctl update_vhost_metadata`) or the node " +
			"(`default_queue_type = quorum` in rabbitmq.conf) before they are declared; migrate existing classic " +
			"queues, which keep their type.",
		model.SourceProbe: "Recreate the classic queues as quorum queues (a new queue, moved with a shovel) and set " +
			"the vhost's default queue type to quorum.",
		model.SourceAWS: "Declare the queues of the 4.x cluster as quorum queues (`x-queue-type: quorum`) and set " +
			"the vhost default queue type to quorum.",
		model.SourceTerraform: "Queue types are chosen by the applications that declare the queues, not in code: " +
			"check the broker's queues with a probe of its management API.",
	},
	SelfManaged: true,
	Check:       checkUnreplicatedQueues,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "A three-node cluster whose durable queue is a classic queue.",
			Files: map[string]string{
				"rabbitmq.conf": `cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = rabbit@mq-1
cluster_formation.classic_config.nodes.2 = rabbit@mq-2
cluster_formation.classic_config.nodes.3 = rabbit@mq-3
load_definitions = /etc/rabbitmq/definitions.json
`,
				"definitions.json": `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [{"user": "ops", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
  "policies": [],
  "queues": [
    {"name": "orders", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}}
  ],
  "exchanges": [],
  "bindings": []
}
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "A three-node cluster whose durable queue is a quorum queue.",
			Files: map[string]string{
				"rabbitmq.conf": `cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = rabbit@mq-1
cluster_formation.classic_config.nodes.2 = rabbit@mq-2
cluster_formation.classic_config.nodes.3 = rabbit@mq-3
load_definitions = /etc/rabbitmq/definitions.json
`,
				"definitions.json": `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [{"user": "ops", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
  "policies": [],
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
			Note:  "An Amazon MQ 3.13 broker: Amazon MQ mirrors the classic queues of its 3.x clusters.",
			Files: map[string]string{"main.tf": strings.NewReplacer(`"ActiveMQ"`, `"RabbitMQ"`, `"5.18"`, `"3.13"`).Replace(tfPlainBroker)},
		},
	},
}

func checkUnreplicatedQueues(b *model.Broker, _ *Context) []Result {
	s := rabbitSettings(b)
	v, vat, vok := brokerVersion(b)
	if !b.IsSelfManaged() {
		mode := b.DeploymentMode
		switch {
		case !mode.Known():
			return unknownResult("The deployment mode of the broker", mode.At)
		case !strings.EqualFold(strings.TrimSpace(mode.V), "CLUSTER_MULTI_AZ"):
			return notApplicable("A single-instance broker has no replicas.", mode.At)
		case !vok:
			return unknownResult("The engine version of the broker", vat)
		case v.Major < 4:
			return notApplicable("Amazon MQ mirrors the classic queues of its 3.x clusters with its own policy.", vat)
		case s == nil || s.QueuesState == model.Unknown:
			return notApplicable("The broker's queues are not part of this input (a probe of its management API shows them).", b.ID.At)
		}
	} else {
		var clustered model.Bool
		if b.SelfManaged != nil {
			clustered = b.SelfManaged.Clustered
		}
		switch {
		case !clustered.Known():
			return unknownResult("Whether the broker is a multi-node cluster", firstRange(clustered.At, b.ID.At))
		case !clustered.V:
			return notApplicable("The broker is a single node.", firstRange(clustered.At, b.ID.At))
		case vok && !v.AtLeast(3, 8):
			return notApplicable("Quorum queues need RabbitMQ 3.8 or later; "+v.String()+" has only classic mirroring (MQG028).", vat)
		case s == nil || s.QueuesState == model.Unknown:
			return unknownResult("The broker's queues (no definitions export or management API was read)", b.ID.At)
		}
	}
	amazonQuorum := !b.IsSelfManaged() && vok && v.AtLeast(4, 2)
	nodeDefault, nodeRaw, nodeSet := confValue(s, "default_queue_type")
	vhostDefault := map[string]model.String{}
	for _, vh := range s.VHosts {
		vhostDefault[vh.Name] = vh.DefaultQueueType
	}
	var fails, unknown []Result
	for _, q := range s.Queues {
		if q.Exclusive || q.AutoDelete {
			continue
		}
		label, subject := "'"+q.Name+"' (vhost '"+q.VHost+"')", "queue:"+q.Name+"@"+q.VHost
		at := firstRange(q.At, b.ID.At)
		switch {
		case !q.Durable.Known():
			if unknown == nil {
				unknown = unknownResult("Whether queue "+label+" is durable", at)
			}
			continue
		case !q.Durable.V:
			continue
		case !q.Type.Known():
			if unknown == nil {
				unknown = unknownResult("The type of queue "+label, at)
			}
			continue
		}
		typ := strings.ToLower(strings.TrimSpace(q.Type.V))
		why := "its x-queue-type is classic"
		if typ == "" {
			vd, vhostKnown := vhostDefault[q.VHost]
			switch {
			case vd.Known() && strings.TrimSpace(vd.V) != "":
				typ, why = strings.ToLower(strings.TrimSpace(vd.V)), "its vhost's default_queue_type is "+vd.V
			case vhostKnown && !vd.Known():
				if unknown == nil {
					unknown = unknownResult("The default_queue_type of vhost '"+q.VHost+"'", vd.At)
				}
				continue
			case nodeSet && !nodeRaw.Known():
				if unknown == nil {
					unknown = unknownResult("The node's default_queue_type", nodeRaw.At)
				}
				continue
			case nodeSet:
				typ, why = nodeDefault, "the node's default_queue_type is "+nodeRaw.V
			case amazonQuorum:
				typ = "quorum"
			case b.IsSelfManaged() && s.ConfState == model.Unknown:
				// The node's configuration, which may set default_queue_type, was not read.
				if unknown == nil {
					unknown = unknownResult("The node's default_queue_type (its configuration was not read)", at)
				}
				continue
			default:
				typ, why = "classic", "it has no x-queue-type and no default_queue_type makes it quorum"
			}
		}
		if typ == "quorum" || typ == "stream" {
			continue
		}
		fails = append(fails, Result{Status: Fail, At: at, ValueFrom: q.Type.State, Subject: subject,
			Message: "Durable queue " + label + " is a classic queue (" + why + "): its messages live on one node of the cluster."})
	}
	switch {
	case len(fails) > 0 && !vok:
		return unknownResult("The RabbitMQ version of the cluster (quorum queues need 3.8 or later)", vat)
	case len(fails) > 0:
		return uniqueSubjects(fails)
	case unknown != nil:
		return unknown
	}
	return one(Pass, "Every durable queue of the cluster is a quorum queue or a stream.", b.ID.At, model.Explicit)
}
