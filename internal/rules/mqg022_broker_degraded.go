package rules

import (
	"fmt"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// stateCriticalActionRequired is the BrokerState of a degraded broker.
const stateCriticalActionRequired = "CRITICAL_ACTION_REQUIRED"

var mqg022 = &Rule{
	ID:       "MQG022",
	Slug:     "broker-degraded",
	Title:    "Broker needs action (CRITICAL_ACTION_REQUIRED)",
	Severity: High,
	Rationale: "Amazon MQ puts a broker in the CRITICAL_ACTION_REQUIRED state, with action required codes, " +
		"when it runs degraded: out of memory or disk, cut off from its network interface, or locked out of " +
		"its KMS key. Publishers are blocked or clients cannot connect, and Amazon MQ refuses reboots and " +
		"maintenance until the cause is removed. Only the live state shows it; code cannot.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "The broker state is only visible on the running broker: scan it with `mqguard scan --aws` " +
			"and follow the action for each action required code. Fixes that belong in code (a larger " +
			"host_instance_type, a usable kms_key_id) go into the aws_mq_broker resource afterwards.",
		model.SourceAWS: "Run `aws mq describe-broker --broker-id <id> --query ActionsRequired` and resolve each code as " +
			"this finding says (the Amazon MQ developer guide has a page per code). The state clears once the " +
			"cause is gone, which can take several hours for memory and disk alarms.",
	},
	Check: checkBrokerDegraded,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "Code has no broker state: the rule applies to live brokers only.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceAWS, Want: Pass,
			Address: snapBroker{ID: "b-4f5e6d7c-8b9a-4c3d-9e2f-1a0b2c3d4e5f", Name: "orders"}.arn(),
			Note:    "A RUNNING broker with no action required.",
			Files: snapshotExample(snapBroker{ID: "b-4f5e6d7c-8b9a-4c3d-9e2f-1a0b2c3d4e5f", Name: "orders",
				Engine: model.EngineActiveMQ, State: "RUNNING", ConfigRevision: 2, LatestRevision: 2}),
		},
		{
			Kind: model.SourceAWS, Want: Fail,
			Address: snapBroker{ID: "b-7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", Name: "events"}.arn(),
			Note:    "A RabbitMQ broker in CRITICAL_ACTION_REQUIRED with RABBITMQ_MEMORY_ALARM: publishers are blocked.",
			Files: snapshotExample(snapBroker{ID: "b-7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", Name: "events",
				Engine: model.EngineRabbitMQ, State: stateCriticalActionRequired,
				Actions: [][2]string{{"RABBITMQ_MEMORY_ALARM", "Memory alarm raised on rabbit@ip-10-20-1-17; publishers are blocked."}}}),
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: NotApplicable,
			Note: "A template has no broker state: the rule applies to live brokers only.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
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
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
	},
}

func checkBrokerDegraded(b *model.Broker, _ *Context) []Result {
	if !isLive(b) {
		return notApplicable("The broker state is only known for live brokers.", b.ID.At)
	}
	st, actions := b.BrokerState, b.ActionsRequired
	var out []Result
	seen := map[string]bool{}
	for _, code := range actions.V {
		code = strings.TrimSpace(code)
		if code == "" || seen[code] {
			continue
		}
		seen[code] = true
		ac, ok := actionCodes[strings.ToUpper(code)]
		if !ok {
			ac = unknownActionCode
		}
		out = append(out, Result{
			Status:    Fail,
			Message:   fmt.Sprintf("The broker reports %s: %s. %s", code, ac.Meaning, ac.Fix),
			At:        actions.At,
			ValueFrom: model.Explicit,
			Subject:   code,
		})
	}
	switch {
	case len(out) > 0:
		return out
	case st.Known() && strings.EqualFold(strings.TrimSpace(st.V), stateCriticalActionRequired):
		return one(Fail, "The broker is in the CRITICAL_ACTION_REQUIRED state; describe it to read the action "+
			"required codes and resolve each one.", st.At, st.State)
	case !st.Known():
		return unknownResult("The broker state", st.At)
	case !actions.Known():
		return unknownResult("The actions required on the broker", actions.At)
	default:
		return one(Pass, fmt.Sprintf("The broker is %s and no action is required.", strings.TrimSpace(st.V)), st.At, st.State)
	}
}
