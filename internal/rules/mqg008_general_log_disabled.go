package rules

import "github.com/mqguard/mqguard/internal/model"

var mqg008 = &Rule{
	ID:       "MQG008",
	Slug:     "general-log-disabled",
	Title:    "General logs are not published",
	Severity: Low,
	Rationale: "General logs carry the broker's own log: connections, authentication failures, " +
		"errors and resource alarms. Without them in CloudWatch Logs, failed logins and outages leave " +
		"no trace that can be searched, alarmed on or kept after the broker is gone.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Set general = true in the broker's logs block (logs { general = true }) and allow " +
			"Amazon MQ to write to CloudWatch Logs (a resource policy for mq.amazonaws.com on /aws/amazonmq/*). " +
			"The change applies in place.",
		model.SourceTFPlan: "Fix the Terraform code: set general = true in the broker's logs block.",
		model.SourceCloudFormation: "Set Logs: {General: true} on the AWS::AmazonMQ::Broker and allow Amazon MQ to " +
			"write to CloudWatch Logs; the update applies without replacement.",
		model.SourceAWS: "Run `aws mq update-broker --broker-id <id> --logs General=true` (for ActiveMQ keep " +
			"Audit as it is) after allowing Amazon MQ to write to CloudWatch Logs; the change applies at the next reboot.",
	},
	Aliases: []Alias{
		{Tool: "checkov", ID: "CKV_AWS_48"},
		{Tool: "trivy", ID: "AVD-AWS-0071"},
		{Tool: "trivy", ID: "aws-mq-enable-general-logging"},
		{Tool: "tfsec", ID: "aws-mq-enable-general-logging"},
		{Tool: "conformity", ID: "MQ-005"},
	},
	Check: checkGeneralLog,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "General logs are published, driven by a variable with a default.",
			Files: map[string]string{"main.tf": `variable "publish_logs" {
  type    = bool
  default = true
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"

  logs {
    general = var.publish_logs
  }

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "No logs block: general logs default to off.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "General logs are published, driven by a parameter with a default.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker with general logs.

Parameters:
  EnableGeneralLogs:
    Type: String
    AllowedValues: ["true", "false"]
    Default: "true"

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Logs:
        General: !Ref EnableGeneralLogs
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "No Logs property: general logs default to off.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker without logs.

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "General logs are switched off outside production by AWS::NoValue; the default environment is staging.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker with logs in production only.

Parameters:
  Environment:
    Type: String
    AllowedValues: [staging, production]
    Default: staging

Conditions:
  IsProduction: !Equals [!Ref Environment, production]

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: !Sub "events-${Environment}"
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Logs: !If
        - IsProduction
        - General: true
        - !Ref AWS::NoValue
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:staging/events/mq:SecretString:password}}"
`},
		},
	},
}

func checkGeneralLog(b *model.Broker, _ *Context) []Result {
	g := b.Logs.General
	switch {
	case !g.Known():
		return unknownResult("Whether general logs are published", g.At)
	case g.V:
		return one(Pass, "General logs are published to CloudWatch Logs.", g.At, g.State)
	default:
		return one(Fail, "General logs are not published to CloudWatch Logs.", g.At, g.State)
	}
}
