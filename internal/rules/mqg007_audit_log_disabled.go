package rules

import "github.com/mqguard/mqguard/internal/model"

var mqg007 = &Rule{
	ID:       "MQG007",
	Slug:     "audit-log-disabled",
	Title:    "Audit logs are not published",
	Severity: Medium,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "ActiveMQ audit logs record management actions taken through JMX and the web console: " +
		"who created or deleted destinations, purged queues or changed the broker. Without them an " +
		"incident cannot be reconstructed. Amazon MQ does not support audit logs for RabbitMQ, so the " +
		"rule does not apply there.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Set audit = true in the broker's logs block (logs { audit = true }) and allow " +
			"Amazon MQ to write to CloudWatch Logs (a resource policy for mq.amazonaws.com on /aws/amazonmq/*). " +
			"The change applies in place.",
		model.SourceTFPlan: "Fix the Terraform code: set audit = true in the broker's logs block.",
		model.SourceCloudFormation: "Set Logs: {Audit: true} on the AWS::AmazonMQ::Broker and allow Amazon MQ to " +
			"write to CloudWatch Logs; the update applies without replacement.",
		model.SourceAWS: "Run `aws mq update-broker --broker-id <id> --logs Audit=true,General=true` (keep General " +
			"as it is) after allowing Amazon MQ to write to CloudWatch Logs; the change applies at the next reboot.",
	},
	Aliases: []Alias{
		{Tool: "securityhub", ID: "MQ.2"},
		{Tool: "config", ID: "mq-cloudwatch-audit-logging-enabled"},
		{Tool: "checkov", ID: "CKV_AWS_197"},
		{Tool: "trivy", ID: "AVD-AWS-0070"},
		{Tool: "trivy", ID: "aws-mq-enable-audit-logging"},
		{Tool: "tfsec", ID: "aws-mq-enable-audit-logging"},
		{Tool: "terrascan", ID: "AC_AWS_0174"},
	},
	Controls: []string{"AWS Security Hub MQ.2"},
	Check:    checkAuditLog,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Audit and general logs are published to CloudWatch Logs.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  logs {
    general = true
    audit   = true
  }

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "The logs block publishes general logs only; audit is absent and defaults to false.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  logs {
    general = true
  }

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "RabbitMQ brokers cannot publish audit logs: N/A, never FAIL.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"

  logs {
    general = true
  }

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "Audit and general logs are published to CloudWatch Logs.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker with audit logs.

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
        Audit: true
        General: true
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "A quoted \"true\" is a boolean for CloudFormation.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker with audit logs.

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: "false"
      Logs:
        Audit: "true"
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Fail,
			Note: "Logs publishes general logs only; Audit is absent and defaults to false.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker without audit logs.

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
        General: true
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: NotApplicable,
			Note: "RabbitMQ brokers cannot publish audit logs: N/A, never FAIL.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.

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
      Logs:
        General: true
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
	},
}

func checkAuditLog(b *model.Broker, _ *Context) []Result {
	a := b.Logs.Audit
	switch {
	case !a.Known():
		return unknownResult("Whether audit logs are published", a.At)
	case a.V:
		return one(Pass, "Audit logs are published to CloudWatch Logs.", a.At, a.State)
	default:
		return one(Fail, "Audit logs are not published to CloudWatch Logs.", a.At, a.State)
	}
}
