package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg003 = &Rule{
	ID:       "MQG003",
	Slug:     "rabbitmq-single-instance",
	Title:    "RabbitMQ broker is not a cluster",
	Severity: Medium,
	Engines:  []string{model.EngineRabbitMQ},
	Rationale: "A single-instance RabbitMQ broker is one node in one Availability Zone: a node failure, " +
		"a zone outage or maintenance makes every queue unavailable. A cluster deployment runs three " +
		"nodes across three Availability Zones behind one endpoint and keeps quorum queues available " +
		"when a node is lost.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "deployment_mode cannot be changed in place. Create a new broker with " +
			"deployment_mode = \"CLUSTER_MULTI_AZ\" in private subnets, move definitions and messages to it " +
			"(a shovel or federation; `mqguard plan-migration` writes the runbook), then remove the old broker.",
		model.SourceTFPlan: "Fix the Terraform code: create a new broker with deployment_mode = " +
			"\"CLUSTER_MULTI_AZ\" and migrate to it (`mqguard plan-migration`).",
		model.SourceCloudFormation: "Changing DeploymentMode replaces the broker. Add a new AWS::AmazonMQ::Broker with " +
			"DeploymentMode: CLUSTER_MULTI_AZ, migrate definitions and messages to it (`mqguard plan-migration`), " +
			"then delete the old broker.",
		model.SourceAWS: "Amazon MQ cannot change the deployment mode of an existing broker. Create a new broker with " +
			"`aws mq create-broker --deployment-mode CLUSTER_MULTI_AZ`, export and import the definitions, " +
			"shovel the messages and switch clients (`mqguard plan-migration`).",
	},
	ReplacementRequired: true,
	Aliases: []Alias{
		{Tool: "securityhub", ID: "MQ.6"},
		{Tool: "config", ID: "mq-rabbit-deployment-mode"},
		{Tool: "controltower", ID: "CT.MQ.PR.2"},
		{Tool: "prowler", ID: "mq_broker_cluster_deployment_mode"},
	},
	Controls: []string{"AWS Security Hub MQ.6", "AWS Control Tower CT.MQ.PR.2"},
	Check:    checkRabbitMQSingleInstance,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A three-node cluster across Availability Zones.",
			Files: map[string]string{"main.tf": `variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788", "subnet-01234567890abcdef"]
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
  deployment_mode    = "CLUSTER_MULTI_AZ"
  subnet_ids         = var.private_subnet_ids

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "An explicit SINGLE_INSTANCE RabbitMQ broker.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "SINGLE_INSTANCE"

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "ActiveMQ brokers are covered by MQG002.",
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
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Pass,
			Note: "A three-node cluster across Availability Zones.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker, three-node cluster.

Parameters:
  PrivateSubnetIds:
    Type: List<AWS::EC2::Subnet::Id>

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: CLUSTER_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds: !Ref PrivateSubnetIds
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "An explicit SINGLE_INSTANCE RabbitMQ broker.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker, single node.

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
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: NotApplicable,
			Note: "ActiveMQ brokers are covered by MQG002.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.

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
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
	},
}

func checkRabbitMQSingleInstance(b *model.Broker, _ *Context) []Result {
	m := b.DeploymentMode
	switch {
	case !m.Known():
		return unknownResult("The deployment mode", m.At)
	case strings.EqualFold(strings.TrimSpace(m.V), modeClusterMultiAZ):
		return one(Pass, "The broker is a cluster across Availability Zones.", m.At, m.State)
	default:
		return one(Fail, "The RabbitMQ broker runs as "+displayMode(m.V)+", not CLUSTER_MULTI_AZ.", m.At, m.State)
	}
}
