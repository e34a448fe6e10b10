package rules

import (
	"fmt"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg027 = &Rule{
	ID:       "MQG027",
	Slug:     "configuration-pending",
	Title:    "A configuration revision is pending a reboot",
	Severity: Low,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "An ActiveMQ broker applies a new configuration revision only when it reboots. Until then " +
		"it runs an older revision than the one reviewed and approved (a security fix to the authorization " +
		"map, a removed network connector), and an unplanned reboot later applies a change nobody is " +
		"watching. A broker behind the latest revision of its configuration is drifting the same way.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "The running revision is only visible on the live broker: scan it with `mqguard scan --aws`. " +
			"Keep the configuration block's revision on the aws_mq_configuration's latest_revision and set " +
			"apply_immediately = true, or reboot the broker in its maintenance window after each apply.",
		model.SourceAWS: "Reboot the broker in a maintenance window to apply the pending revision " +
			"(`aws mq reboot-broker --broker-id <id>`), or, when it is behind the latest revision, point it at " +
			"that revision first (`aws mq update-broker --broker-id <id> --configuration Id=<config-id>,Revision=<latest>`) " +
			"after reviewing the difference.",
	},
	Check: checkConfigurationPending,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "Code has no running revision: the rule applies to live brokers only.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "orders" {
  name           = "orders"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"
  data           = file("${path.module}/activemq.xml")
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"
  apply_immediately  = true

  configuration {
    id       = aws_mq_configuration.orders.id
    revision = aws_mq_configuration.orders.latest_revision
  }

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`, "activemq.xml": snapActiveMQXML},
		},
		{
			Kind: model.SourceAWS, Want: Pass,
			Address: snapBroker{ID: "b-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", Name: "orders"}.arn(),
			Note:    "The broker runs the latest revision of its configuration and nothing is pending.",
			Files: snapshotExample(snapBroker{ID: "b-2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", Name: "orders",
				Engine: model.EngineActiveMQ, State: "RUNNING", ConfigRevision: 4, LatestRevision: 4}),
		},
		{
			Kind: model.SourceAWS, Want: Fail,
			Address: snapBroker{ID: "b-9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", Name: "billing"}.arn(),
			Note:    "Revision 5 is pending: the broker still runs revision 4 until it reboots.",
			Files: snapshotExample(snapBroker{ID: "b-9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", Name: "billing",
				Engine: model.EngineActiveMQ, State: "RUNNING", ConfigRevision: 4, PendingRevision: 5, LatestRevision: 5}),
		},
		{
			Kind: model.SourceAWS, Want: Fail,
			Address: snapBroker{ID: "b-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Name: "ledger"}.arn(),
			Note:    "The broker runs revision 2 while its configuration is at revision 3 and nothing is pending.",
			Files: snapshotExample(snapBroker{ID: "b-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Name: "ledger",
				Engine: model.EngineActiveMQ, State: "RUNNING", ConfigRevision: 2, LatestRevision: 3}),
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: NotApplicable,
			Note: "A template has no running revision: the rule applies to live brokers only.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: !Base64 |
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <broker xmlns="http://activemq.apache.org/schema/core">
        </broker>
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0a1b2c3d4e5f60719
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
	},
}

// Subjects of MQG027's two findings on one broker.
const (
	subjectPendingRevision = "pending-revision"
	subjectLatestRevision  = "latest-revision"
)

func checkConfigurationPending(b *model.Broker, _ *Context) []Result {
	if !isLive(b) {
		return notApplicable("Pending configurations are only known for live brokers.", b.ID.At)
	}
	cur := b.Configuration
	if cur == nil {
		return unknownResult("The configuration the broker runs", b.ID.At)
	}
	var out []Result
	var unknown []Result
	undecided := func(what string, at model.Range) {
		if unknown == nil {
			unknown = unknownResult(what, at)
		}
	}

	// A pending revision that differs from the running one waits for a reboot.
	pendingCoversLatest := false
	switch p := b.PendingConfiguration; {
	case b.PendingConfigurationState == model.Unknown:
		undecided("Whether a configuration revision is pending", b.ID.At)
	case p == nil:
	case !p.ID.Known() || !p.Revision.Known():
		undecided("The pending configuration revision", p.At)
	case !cur.ID.Known() || !cur.Revision.Known():
		undecided("The configuration revision the broker runs", cur.At)
	case p.ID.V != cur.ID.V || p.Revision.V != cur.Revision.V:
		out = append(out, Result{
			Status:    Fail,
			Message:   fmt.Sprintf("%s waits for a reboot; the broker still runs %s.", revisionLabel(p), revisionLabel(cur)),
			At:        p.At,
			ValueFrom: model.Explicit,
			Subject:   subjectPendingRevision,
		})
		latest := latestRevision(cur)
		pendingCoversLatest = p.ID.V == cur.ID.V && latest.Known() && p.Revision.V >= latest.V
	}

	// The running revision should be the configuration's latest.
	switch latest := latestRevision(cur); {
	case pendingCoversLatest:
	case !cur.Revision.Known():
		undecided("The configuration revision the broker runs", cur.Revision.At)
	case !latest.Known():
		undecided("The latest revision of the broker's configuration", cur.At)
	case cur.Revision.V < latest.V:
		out = append(out, Result{
			Status: Fail,
			Message: fmt.Sprintf("The broker runs %s, but the configuration's latest revision is %d.",
				revisionLabel(cur), latest.V),
			At:        cur.Revision.At,
			ValueFrom: model.Explicit,
			Subject:   subjectLatestRevision,
		})
	}

	switch {
	case len(out) > 0:
		return out
	case unknown != nil:
		return unknown
	default:
		return one(Pass, fmt.Sprintf("The broker runs %s, the latest, and no revision is pending.", revisionLabel(cur)),
			cur.Revision.At, cur.Revision.State)
	}
}

// latestRevision is the latest revision of the configuration a reference points to; Unknown when
// the configuration could not be read.
func latestRevision(ref *model.ConfigurationRef) model.Int {
	if ref.Config == nil {
		return model.Int{At: ref.At}
	}
	return ref.Config.LatestRevision
}

// revisionLabel names a configuration revision in messages: "revision 4 of configuration c-1234".
func revisionLabel(ref *model.ConfigurationRef) string {
	if !ref.ID.Known() || ref.ID.V == "" {
		return fmt.Sprintf("revision %d of its configuration", ref.Revision.V)
	}
	return fmt.Sprintf("revision %d of configuration %s", ref.Revision.V, ref.ID.V)
}
